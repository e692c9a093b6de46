import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FunctionAlarmThresholds } from './alarm-thresholds';

/** The spec's alarm period. */
const PERIOD = Duration.seconds(60);

export interface FunctionAlarmsProps {
  readonly lambdaFunction: lambda.IFunction;
  /** Who the function serves, for descriptions, e.g. `MCP server gitlab`. */
  readonly label: string;
  readonly thresholds?: FunctionAlarmThresholds;
  /** The function's timeout, to warn about a duration threshold it can never reach. */
  readonly timeout?: Duration;
  readonly topic?: sns.ITopic;
}

/** The metrics the alarms watch, with the alarms' statistic and period. */
export function functionErrorsMetric(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: PERIOD, ...props });
}

export function functionDurationMetric(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return fn.metricDuration({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD, ...props });
}

export function functionThrottlesMetric(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: PERIOD, ...props });
}

/**
 * The spec's three alarms on one function: errors (Sum > 5 over 3 x 60 s), duration (Average >
 * 25 000 ms over 3 x 60 s) and throttles (Sum >= 1 over 1 x 60 s), missing data not breaching,
 * alarm and OK actions to the topic.
 */
export class FunctionAlarms extends Construct {
  public readonly errors: cloudwatch.Alarm;
  public readonly duration: cloudwatch.Alarm;
  public readonly throttles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const fn = props.lambdaFunction;
    const errors = props.thresholds?.errors ?? 5;
    const duration = props.thresholds?.duration ?? Duration.seconds(25);
    const throttles = props.thresholds?.throttles ?? 1;
    validateThreshold('alarmThresholds.errors', errors);
    validateThreshold('alarmThresholds.throttles', throttles);
    if (props.timeout && !duration.isUnresolved() && !props.timeout.isUnresolved()
      && duration.toMilliseconds() >= props.timeout.toMilliseconds()) {
      Annotations.of(this).addWarningV2('mcp-server-fleet:durationAlarmUnreachable',
        `The duration alarm of ${props.label} fires above ${duration.toMilliseconds()} ms but the function times out at `
        + `${props.timeout.toMilliseconds()} ms, so it can never fire; lower alarmThresholds.duration.`);
    }

    this.errors = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription: `Errors of ${props.label} above ${errors} per minute for 3 minutes`,
      metric: functionErrorsMetric(fn),
      threshold: errors,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.duration = new cloudwatch.Alarm(this, 'Duration', {
      alarmDescription: `Average duration of ${props.label} above ${duration.toMilliseconds({ integral: false })} ms for 3 minutes`,
      metric: functionDurationMetric(fn),
      threshold: duration.toMilliseconds({ integral: false }),
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.throttles = new cloudwatch.Alarm(this, 'Throttles', {
      alarmDescription: `${props.label} is throttled (${throttles} or more throttles in a minute)`,
      metric: functionThrottlesMetric(fn),
      threshold: throttles,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.topic) {
      const action = new cloudwatchActions.SnsAction(props.topic);
      for (const alarm of this.all) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  public get all(): cloudwatch.Alarm[] {
    return [this.errors, this.duration, this.throttles];
  }
}

function validateThreshold(prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`\`${prop}\` must be a number of at least 0, got: ${value}`);
  }
}
