/**
 * Every default the constructs apply, in one place, with its reason. Props docs quote these values
 * (`@default`); `test/constructs/defaults.test.ts` checks the synthesized template against them.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/** Retention of every log group of a fleet (functions, API access and execution logs): the spec's 30 days. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** The runtime's log level. */
export const DEFAULT_LOG_LEVEL = 'info';

/** Lambda defaults shared by both Lambda topologies. */
export const LAMBDA_DEFAULTS = {
  /** Memory of a one-server function: what one server needs with room for large answers (spec A.1). */
  perServerMemoryMb: 256,
  /** Memory of the multi-server function: several servers' caches and concurrent calls (spec A.6). */
  multiServerMemoryMb: 1024,
  /** Just under the REST API's 29 s integration timeout, so API Gateway never gives up first. */
  timeout: Duration.seconds(29),
  /** Lambda's minimum: the runtime writes nothing to /tmp. */
  ephemeralStorage: Size.mebibytes(512),
  /** Steady-state requests per second of the API stage (spec A.2). */
  throttlingRateLimit: 1000,
  /** Burst of the API stage (spec A.2). */
  throttlingBurstLimit: 5000,
  /** Requests per month per API key of the REST API's usage plan (spec A.2). */
  monthlyQuota: 1_000_000,
} as const;

/** The Lambda alarms (spec A.5): errors and duration over 3 periods, throttles in one. */
export const LAMBDA_ALARM_DEFAULTS = {
  /** The alarms' and dashboard's period. */
  period: Duration.seconds(60),
  /** Errors (Sum per minute) above which the errors alarm fires. */
  errors: 5,
  /** Average duration above which the duration alarm fires: 4 s below the timeout. */
  duration: Duration.seconds(25),
  /** Throttles (Sum per minute) at or above which the throttles alarm fires. */
  throttles: 1,
} as const;
