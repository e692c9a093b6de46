// Public API only: the construct, its enum-like classes, the compute seam and their props.
export * from './fleet';
export * from './server';
export * from './credential';
export * from './compute/compute';
export * from './compute/fleet-compute';
export * from './compute/lambda-options';
export * from './compute/lambda-per-server';
export * from './compute/lambda-multi-server';
export * from './observability/alarm-thresholds';
