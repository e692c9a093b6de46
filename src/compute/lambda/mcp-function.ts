import { Duration, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FleetServerConfig } from './compute';
import { LambdaComputeOptions } from './lambda-options';
import { SECRET_ARN_SUFFIX, renderSecretRef } from '../contract';
import { secretReferenceArn } from '../credential-grants';
import type { McpServerFleet } from '../fleet';
import { acknowledgeRule } from '../nag';
import type { FunctionAlarmThresholds } from '../observability/alarm-thresholds';
import { LAMBDA_RUNTIME_HANDLER, requireLambdaRuntimeAsset } from '../runtime-assets';
import {
  validateEnvironmentSize,
  validateInteger,
  validateLogLevel,
  validateRange,
  validateTimeout,
} from '../validation';

/** Options with every default applied. */
export interface ResolvedLambdaOptions {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly architecture: lambda.Architecture;
  readonly ephemeralStorageSize: Size;
  readonly logLevel: string;
  readonly reservedConcurrency?: number;
  readonly tracing: boolean;
  readonly secretCacheTtl?: Duration;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly alarmThresholds?: FunctionAlarmThresholds;
}

/** The Node.js version the bundled runtime is built and tested for. */
export const LAMBDA_NODE_RUNTIME = lambda.Runtime.NODEJS_22_X;

export function resolveLambdaOptions(
  props: LambdaComputeOptions,
  defaults: { memorySize: number; maxTimeoutSeconds: number; behind: string },
): ResolvedLambdaOptions {
  const resolved: ResolvedLambdaOptions = {
    memorySize: props.memorySize ?? defaults.memorySize,
    timeout: props.timeout ?? Duration.seconds(29),
    architecture: props.architecture ?? lambda.Architecture.ARM_64,
    ephemeralStorageSize: props.ephemeralStorageSize ?? Size.mebibytes(512),
    logLevel: props.logLevel ?? 'info',
    reservedConcurrency: props.reservedConcurrency,
    tracing: props.tracing ?? true,
    secretCacheTtl: props.secretCacheTtl,
    throttlingRateLimit: props.throttlingRateLimit ?? 1000,
    throttlingBurstLimit: props.throttlingBurstLimit ?? 5000,
    alarmThresholds: props.alarmThresholds,
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
  return resolved;
}

/** Variables every function of the fleet gets. */
export function sharedEnvironment(fleet: McpServerFleet, options: ResolvedLambdaOptions): Record<string, string> {
  const env: Record<string, string> = {
    LOG_LEVEL: options.logLevel.toLowerCase(),
    ENVIRONMENT: fleet.environment,
  };
  if (fleet.allowedOrigins.length > 0) env.ALLOWED_ORIGINS = fleet.allowedOrigins.join(',');
  if (options.secretCacheTtl) env.SECRET_CACHE_TTL_SECONDS = String(options.secretCacheTtl.toSeconds());
  return env;
}

/** A server's own variables: its settings and `<PREFIX>_<CREDENTIAL>_SECRET_ARN=<arn>[#field]`. */
export function serverEnvironment(server: FleetServerConfig): Record<string, string> {
  const env: Record<string, string> = { ...server.environment };
  for (const credential of server.credentials) {
    const arn = secretReferenceArn(credential.secret);
    env[`${credential.variableName}${SECRET_ARN_SUFFIX}`] = renderSecretRef({ secretId: arn, jsonField: credential.jsonField });
  }
  return env;
}

export interface McpFunctionProps {
  readonly fleet: McpServerFleet;
  readonly options: ResolvedLambdaOptions;
  /** The servers the function hosts: it may read exactly their secrets. */
  readonly servers: FleetServerConfig[];
  readonly environment: Record<string, string>;
  readonly description: string;
}

/**
 * A function running the bundled runtime, with its own log group and a role that can write to
 * that log group, read its servers' secrets and send X-Ray traces, and nothing else.
 */
export class McpFunction extends Construct {
  public readonly lambdaFunction: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: McpFunctionProps) {
    super(scope, id);
    const { fleet, options } = props;
    validateEnvironmentSize(fleet.node.path, props.description, props.environment);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: fleet.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    for (const server of props.servers) fleet.grantSecretsRead(this.role, server.name);

    this.lambdaFunction = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: LAMBDA_NODE_RUNTIME,
      handler: LAMBDA_RUNTIME_HANDLER,
      code: lambda.Code.fromAsset(requireLambdaRuntimeAsset()),
      architecture: options.architecture,
      memorySize: options.memorySize,
      timeout: options.timeout,
      ephemeralStorageSize: options.ephemeralStorageSize,
      tracing: options.tracing ? lambda.Tracing.ACTIVE : undefined,
      reservedConcurrentExecutions: options.reservedConcurrency,
      environment: props.environment,
      logGroup: this.logGroup,
      role: this.role,
    });

    if (options.tracing) {
      acknowledgeRule(this.role, 'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions; they are the only '
        + 'statement of this role on `*` (the log group, secrets and keys are named exactly).');
    }
    acknowledgeRule(this.lambdaFunction, 'AwsSolutions-L1',
      `The bundled MCP runtime is built and tested for ${LAMBDA_NODE_RUNTIME.name}, the runtime the design fixes; `
      + 'the default moves to a newer Node.js once the runtime is tested on it.');
  }
}
