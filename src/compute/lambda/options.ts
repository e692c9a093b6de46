import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { FunctionAlarmThresholds } from '../observability/alarm-thresholds';

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
}
