import { Duration } from 'aws-cdk-lib';

/** Thresholds of the alarms the fleet puts on each of its functions. */
export interface FunctionAlarmThresholds {
  /**
   * Errors (Sum over 60 s) above which the errors alarm fires, three periods in a row.
   *
   * @default 5
   */
  readonly errors?: number;

  /**
   * Average duration (over 60 s) above which the duration alarm fires, three periods in a row.
   *
   * @default Duration.seconds(25)
   */
  readonly duration?: Duration;

  /**
   * Throttles (Sum over 60 s) at or above which the throttles alarm fires, in one period.
   *
   * @default 1
   */
  readonly throttles?: number;
}

/**
 * Thresholds of the alarms the fleet puts on each of its ECS services, each target group and the
 * load balancer (the Fargate topologies). Every alarm looks at 60 s periods.
 */
export interface ServiceAlarmThresholds {
  /**
   * Average CPU utilization (percent of the task's CPU, 1 to 100) above which the CPU alarm fires,
   * three periods in a row. Keep it above the scaling target (70 % by default): below it the alarm
   * fires while scaling is doing its job.
   *
   * @default 90
   */
  readonly cpuUtilizationPercent?: number;

  /**
   * Average memory utilization (percent of the task's memory, 1 to 100) above which the memory
   * alarm fires, three periods in a row. Keep it above the scaling target (80 % by default).
   *
   * @default 90
   */
  readonly memoryUtilizationPercent?: number;

  /**
   * Unhealthy targets (Maximum over 60 s) at or above which a target group's unhealthy hosts alarm
   * fires, three periods in a row.
   *
   * @default 1
   */
  readonly unhealthyHostCount?: number;

  /**
   * 5XX answers of a target group's tasks (Sum over 60 s) above which its target 5XX alarm fires,
   * three periods in a row.
   *
   * @default 5
   */
  readonly target5xxCount?: number;

  /**
   * p99 of a target group's response time (request sent to the task until its response headers
   * arrive) above which its response time alarm fires, three periods in a row.
   *
   * @default Duration.seconds(25)
   */
  readonly targetResponseTime?: Duration;

  /**
   * 5XX answers of the load balancer itself (Sum over 60 s: 502, 503, 504 when no task answers)
   * above which its 5XX alarm fires, three periods in a row.
   *
   * @default 5
   */
  readonly elb5xxCount?: number;
}
