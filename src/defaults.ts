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

/** Fargate defaults shared by both Fargate topologies (spec Section B). */
export const FARGATE_DEFAULTS = {
  /** CPU units of a one-server task (spec B.2). */
  perServerCpu: 256,
  /** Memory (MiB) of a one-server task (spec B.2). */
  perServerMemoryMiB: 512,
  /** CPU units of the multi-server task (spec B.6). */
  multiServerCpu: 1024,
  /** Memory (MiB) of the multi-server task (spec B.6). */
  multiServerMemoryMiB: 2048,
  /** The port the runtime listens on in every task (spec B.2; one port for the multi-server task too, see DESIGN.md). */
  containerPort: 8080,
  /** Tasks per service, and the scaling minimum (spec B.3, B.6). */
  desiredCount: 2,
  /** The scaling maximum (spec B.6). */
  maxCapacity: 10,
  /** Target tracking on average CPU (spec B.6). */
  cpuTargetUtilizationPercent: 70,
  /** Target tracking on average memory (spec B.6). */
  memoryTargetUtilizationPercent: 80,
  /** Scale-out cooldown (spec B.6). */
  scaleOutCooldown: Duration.seconds(60),
  /** Scale-in cooldown (spec B.6). */
  scaleInCooldown: Duration.seconds(300),
  /** Load balancer health checks ignored after a task starts (spec B.3). */
  healthCheckGracePeriod: Duration.seconds(120),
  /** NAT gateways of a created VPC: the spec's set-up has one. */
  natGateways: 1,
  /** ECS's SIGKILL after SIGTERM; the runtime's SHUTDOWN_GRACE_MS (25 s) fits inside it. */
  stopTimeout: Duration.seconds(30),
  /** Target deregistration: longer than the 29 s request budget, far shorter than ELB's 300 s default. */
  deregistrationDelay: Duration.seconds(30),
  /** The first listener rule priority and the step of one service per server (spec B.4: 10, 20, ...). */
  perServerPriorityStart: 10,
  perServerPriorityStep: 10,
  /** The first listener rule priority of the multi-server task (spec B.6: 100, 101, ...). */
  multiServerPriorityStart: 100,
  /** Days the created access-log bucket keeps the ALB's logs. */
  accessLogDays: 90,
} as const;

/**
 * The Fargate alarms (services, target groups, the load balancer): 60 s periods like the Lambda
 * alarms, and thresholds a platform team acts on, not ones the normal scaling crosses.
 */
export const FARGATE_ALARM_DEFAULTS = {
  /** The alarms' and dashboard's period: ECS and ALB publish these metrics every minute. */
  period: Duration.seconds(60),
  /**
   * Average CPU (percent) above which the CPU alarm fires: above the 70 % scaling target, so
   * scaling should already have acted; a service this hot for 3 minutes is at its maximum
   * capacity or cannot scale.
   */
  cpuUtilizationPercent: 90,
  /** Average memory (percent) above which the memory alarm fires: above the 80 % scaling target, for the same reason; near 100 % ECS kills the task (OOM). */
  memoryUtilizationPercent: 90,
  /** Periods of CPU and memory above their thresholds: as the Lambda errors alarm, a minute's spike is not worth a page. */
  utilizationPeriods: 3,
  /**
   * Periods of fewer running than desired tasks: a deployment, a scale-out or a Spot replacement
   * dips for a minute or two (the image pull and start-up), five minutes is a task that does not start.
   */
  tasksBelowDesiredPeriods: 5,
  /** Unhealthy targets (Maximum) at or above which the unhealthy hosts alarm fires: with 2 tasks, one is half the capacity. */
  unhealthyHostCount: 1,
  /**
   * Periods of unhealthy targets: a target counts as unhealthy from its third failed check (30 s
   * apart) until ECS replaces its task (after the 120 s grace for a new one); 3 minutes outlasts
   * one replacement, so the replacements fail too or a task keeps failing its checks.
   */
  unhealthyHostPeriods: 3,
  /** Target 5XX answers (Sum per minute) above which the target 5XX alarm fires: the Lambda errors alarm's threshold. */
  target5xxCount: 5,
  /** p99 response time above which the response time alarm fires: 4 s below the runtime's 29 s request budget (`REQUEST_BUDGET_MS`). */
  targetResponseTime: Duration.seconds(25),
  /** Load balancer 5XX answers (Sum per minute) above which its 5XX alarm fires: as the target 5XX alarm. */
  elb5xxCount: 5,
  /** Periods of the 5XX and response time alarms: as the Lambda errors and duration alarms. */
  errorPeriods: 3,
} as const;
