import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * One segment of a fleet's monitoring: the alarms and dashboard widgets of what a compute runs
 * (its functions, its services, its API). The fleet composes segments: it adds its alarm topic
 * to every alarm of every segment and lays every segment's widgets out on one dashboard.
 *
 * Both methods are called at most once each, from the fleet's constructor, and only when alarms
 * (`enableAlarms`) or the dashboard (`enableDashboard`) are on: a segment creates its alarms when
 * asked, so a fleet without alarms has none.
 */
export interface IFleetMonitoring {
  /**
   * The segment's alarms, created on the first call (the same ones on any later call). They are
   * `AlarmBase`s, not `IAlarm`s, because the fleet adds its topic to them as alarm and OK action.
   */
  alarms(): cloudwatch.AlarmBase[];

  /** The segment's dashboard widgets, in the order they are shown (12 x 6 each fills half a row). */
  widgets(): cloudwatch.IWidget[];
}
