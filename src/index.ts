// Public API only: the construct, its enum-like classes, the compute seam and their props.
export * from './fleet';
export * from './server';
export * from './credential';
export * from './auth';
export * from './compute/types';
export { CredentialDelivery } from './compute/runtime-environment';
export type { RuntimeEnvironment, RuntimeEnvironmentOptions } from './compute/runtime-environment';
export * from './compute/fleet-compute';
export type { LambdaComputeOptions } from './compute/lambda/options';
export * from './compute/lambda/base';
export * from './compute/lambda/per-server';
export * from './compute/lambda/multi-server';
export * from './observability/monitoring';
export * from './observability/alarm-thresholds';
