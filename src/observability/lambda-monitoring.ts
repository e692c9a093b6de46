import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionAlarmThresholds } from './alarm-thresholds';
import { IFleetMonitoring } from './monitoring';
import { LAMBDA_ALARM_DEFAULTS } from '../defaults';

const PERIOD = LAMBDA_ALARM_DEFAULTS.period;
const WIDTH = 12;
const HEIGHT = 6;

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

/** A function the segment watches. */
export interface MonitoredFunction {
  readonly lambdaFunction: lambda.IFunction;
  /** The id of its alarms' construct, e.g. `gitlab` (alarms `<id>Alarms/Errors`...). */
  readonly id: string;
  /** Who the function serves, for descriptions and dashboard lines, e.g. `MCP server gitlab`. */
  readonly label: string;
  /** The function's timeout, to warn about a duration threshold it can never reach. */
  readonly timeout?: Duration;
}

export interface LambdaMonitoringProps {
  readonly functions: MonitoredFunction[];
  readonly thresholds?: FunctionAlarmThresholds;
}

/**
 * The Lambda segment of a fleet's monitoring (spec A.5): per function the errors, duration and
 * throttles alarms; on the dashboard invocations (Sum), errors (Sum), duration (Average) and
 * concurrent executions (Maximum), one line per function, 60 s periods.
 */
export class LambdaMonitoring implements IFleetMonitoring {
  private readonly scope: Construct;
  private readonly props: LambdaMonitoringProps;
  private created?: cloudwatch.Alarm[];

  /**
   * @param scope where the alarms are created (as `<function id>Alarms`)
   */
  constructor(scope: Construct, props: LambdaMonitoringProps) {
    this.scope = scope;
    this.props = props;
    // Thresholds are checked when the compute is bound, whether or not alarms are created.
    resolveThresholds(props.thresholds);
  }

  public alarms(): cloudwatch.Alarm[] {
    this.created ??= this.props.functions.flatMap((f) => new FunctionAlarms(this.scope, `${f.id}Alarms`, {
      ...f,
      thresholds: this.props.thresholds,
    }).all);
    return this.created;
  }

  public widgets(): cloudwatch.IWidget[] {
    // The spec colours the first line of the errors widget red; the others keep the palette.
    const lines = (metricName: string, statistic: string, firstColor?: string) => this.props.functions
      .map((f, i) => f.lambdaFunction.metric(metricName, { statistic, period: PERIOD, label: f.label, color: i === 0 ? firstColor : undefined }));
    const graph = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: HEIGHT });
    return [
      graph('Lambda Invocations', lines('Invocations', cloudwatch.Stats.SUM)),
      graph('Lambda Errors', lines('Errors', cloudwatch.Stats.SUM, '#d62728')),
      graph('Lambda Duration (ms)', lines('Duration', cloudwatch.Stats.AVERAGE)),
      graph('Lambda Concurrent Executions', lines('ConcurrentExecutions', cloudwatch.Stats.MAXIMUM)),
    ];
  }
}

interface FunctionAlarmsProps extends MonitoredFunction {
  readonly thresholds?: FunctionAlarmThresholds;
}

function resolveThresholds(thresholds: FunctionAlarmThresholds | undefined): { errors: number; duration: Duration; throttles: number } {
  const resolved = {
    errors: thresholds?.errors ?? LAMBDA_ALARM_DEFAULTS.errors,
    duration: thresholds?.duration ?? LAMBDA_ALARM_DEFAULTS.duration,
    throttles: thresholds?.throttles ?? LAMBDA_ALARM_DEFAULTS.throttles,
  };
  validateThreshold('alarmThresholds.errors', resolved.errors);
  validateThreshold('alarmThresholds.throttles', resolved.throttles);
  return resolved;
}

/**
 * The spec's three alarms on one function: errors (Sum > 5 over 3 x 60 s), duration (Average >
 * 25 000 ms over 3 x 60 s) and throttles (Sum >= 1 over 1 x 60 s), missing data not breaching.
 */
class FunctionAlarms extends Construct {
  public readonly errors: cloudwatch.Alarm;
  public readonly duration: cloudwatch.Alarm;
  public readonly throttles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const fn = props.lambdaFunction;
    const { errors, duration, throttles } = resolveThresholds(props.thresholds);
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
