import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LambdaPackaging } from './packaging';
import { DEFAULT_LOG_LEVEL, LAMBDA_DEFAULTS } from '../../defaults';
import type { FunctionAlarmThresholds } from '../../observability/alarm-thresholds';
import { validateInteger, validateLogLevel, validateRange, validateTimeout } from '../../validation';

/** Settings shared by the Lambda topologies. */
export interface LambdaComputeOptions {
  /**
   * Memory of each function, in MB (128 to 10240).
   *
   * @default 256 for one function per server, 1024 for the multi-server function
   */
  readonly memorySize?: number;

  /**
   * How long a request may run. API Gateway gives up after 29 s (REST) or 30 s (HTTP API), so a
   * longer timeout is refused.
   *
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;

  /**
   * The processor architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * How the bundled runtime is packaged: a zip, or a container image (built by CDK from the
   * package's Lambda `Dockerfile`, or from an ECR repository). A custom server's own Lambda code
   * runs as given, whatever this says.
   *
   * @default LambdaPackaging.zip() - no Docker engine needed to deploy; the packaging whose cold start is measured
   */
  readonly packaging?: LambdaPackaging;

  /**
   * The size of `/tmp`.
   *
   * @default Size.mebibytes(512)
   */
  readonly ephemeralStorageSize?: Size;

  /**
   * The runtime's log level: `debug`, `info`, `warn`, `error` or `silent` (`LOG_LEVEL`).
   *
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * Concurrency reserved for each function (also its maximum).
   *
   * @default - no reservation: the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;

  /**
   * Active X-Ray tracing of the functions (and of the REST API stage).
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * How long the runtime caches a secret's value (`SECRET_CACHE_TTL_SECONDS`); a rotated secret
   * is picked up after at most this long (or at once when the upstream answers 401).
   *
   * @default - the runtime's default, 5 minutes
   */
  readonly secretCacheTtl?: Duration;

  /**
   * Steady-state requests per second the API stage allows.
   *
   * @default 1000
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the API stage allows.
   *
   * @default 5000
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Thresholds of the alarms on each function.
   *
   * @default - errors > 5, average duration > 25 s, throttles >= 1
   */
  readonly alarmThresholds?: FunctionAlarmThresholds;

  /**
   * The VPC the functions run in, for an upstream reachable only privately (a self-managed GitLab
   * in your network). The functions then reach the internet, Secrets Manager and X-Ray only through
   * the VPC: give the subnets a NAT gateway, or interface endpoints for Secrets Manager
   * (`secretsmanager`) and X-Ray (`xray`).
   *
   * @default - no VPC: the functions run in Lambda's network, with internet access
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the functions run in (only with `vpc`).
   *
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the functions (only with `vpc`).
   *
   * @default - one security group for the compute that allows outbound HTTPS (TCP 443) to anywhere
   * and nothing else: the runtime calls only HTTPS APIs (the upstream, Secrets Manager, X-Ray); DNS
   * goes to the VPC's resolver, which security groups do not filter. An upstream on another port
   * (e.g. `http://` on 80) needs security groups of your own.
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Options with every default applied. */
export interface ResolvedLambdaOptions {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly architecture: lambda.Architecture;
  /** Undefined for the default, the zip: packaging.ts imports this module, so McpFunction applies the default. */
  readonly packaging?: LambdaPackaging;
  readonly ephemeralStorageSize: Size;
  readonly logLevel: string;
  readonly reservedConcurrency?: number;
  readonly tracing: boolean;
  readonly secretCacheTtl?: Duration;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly alarmThresholds?: FunctionAlarmThresholds;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** The Node.js version the bundled runtime is built and tested for. */
export const LAMBDA_NODE_RUNTIME = lambda.Runtime.NODEJS_22_X;

export function resolveLambdaOptions(
  props: LambdaComputeOptions,
  defaults: { memorySize: number; maxTimeoutSeconds: number; behind: string },
): ResolvedLambdaOptions {
  const resolved: ResolvedLambdaOptions = {
    memorySize: props.memorySize ?? defaults.memorySize,
    timeout: props.timeout ?? LAMBDA_DEFAULTS.timeout,
    architecture: props.architecture ?? lambda.Architecture.ARM_64,
    packaging: props.packaging,
    ephemeralStorageSize: props.ephemeralStorageSize ?? LAMBDA_DEFAULTS.ephemeralStorage,
    logLevel: props.logLevel ?? DEFAULT_LOG_LEVEL,
    reservedConcurrency: props.reservedConcurrency,
    tracing: props.tracing ?? true,
    secretCacheTtl: props.secretCacheTtl,
    throttlingRateLimit: props.throttlingRateLimit ?? LAMBDA_DEFAULTS.throttlingRateLimit,
    throttlingBurstLimit: props.throttlingBurstLimit ?? LAMBDA_DEFAULTS.throttlingBurstLimit,
    alarmThresholds: props.alarmThresholds,
    vpc: props.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: props.securityGroups,
  };
  validateRange('memorySize', resolved.memorySize, 128, 10240);
  validateInteger('memorySize', resolved.memorySize, 128);
  validateTimeout(resolved.timeout, defaults.maxTimeoutSeconds, defaults.behind);
  if (!resolved.ephemeralStorageSize.isUnresolved()) {
    validateRange('ephemeralStorageSize', resolved.ephemeralStorageSize.toMebibytes(), 512, 10240);
  }
  validateLogLevel(resolved.logLevel);
  validateInteger('reservedConcurrency', resolved.reservedConcurrency, 0);
  validateInteger('throttlingRateLimit', resolved.throttlingRateLimit, 0);
  validateInteger('throttlingBurstLimit', resolved.throttlingBurstLimit, 0);
  if (resolved.secretCacheTtl && !resolved.secretCacheTtl.isUnresolved()) {
    validateInteger('secretCacheTtl (seconds)', resolved.secretCacheTtl.toSeconds(), 1);
  }
  validateVpcOptions(resolved);
  return resolved;
}

function validateVpcOptions(options: ResolvedLambdaOptions): void {
  if (!options.vpc) {
    if (options.vpcSubnets) {
      throw new Error('`vpcSubnets` needs `vpc`: set the VPC the subnets belong to, or leave `vpcSubnets` out');
    }
    if (options.securityGroups) {
      throw new Error(`\`securityGroups\` needs \`vpc\`: set the VPC the ${options.securityGroups.length} security group(s) belong to, `
        + 'or leave `securityGroups` out');
    }
    return;
  }
  if (options.securityGroups && options.securityGroups.length === 0) {
    throw new Error('`securityGroups` must list at least one security group, got: [] (leave it out for the default group, HTTPS out only)');
  }
}
