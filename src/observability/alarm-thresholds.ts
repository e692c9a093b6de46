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
