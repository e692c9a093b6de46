import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ServiceAlarmThresholds } from './alarm-thresholds';
import { IFleetMonitoring } from './monitoring';
import { FARGATE_ALARM_DEFAULTS, FARGATE_DEFAULTS } from '../defaults';
import { validateInteger, validateRange } from '../validation';

const PERIOD = FARGATE_ALARM_DEFAULTS.period;
const WIDTH = 12;
const HEIGHT = 6;
const RED = '#d62728';
const GREY = '#7f7f7f';

/** The longest idle timeout an ALB accepts: no target response time can exceed it. */
const MAX_RESPONSE_TIME_SECONDS = 4000;

/** Container Insights' service metrics (the cluster must have Container Insights on). */
const CONTAINER_INSIGHTS = 'ECS/ContainerInsights';

/** An ECS service the segment watches. */
export interface MonitoredService {
  /** The id of its alarms' construct, e.g. `gitlab` (alarms `<id>ServiceAlarms/CpuUtilization`...). */
  readonly id: string;
  /** Who the service serves, for descriptions and dashboard lines, e.g. `MCP server gitlab`. */
  readonly label: string;
  readonly service: ecs.FargateService;
  /** The tasks the service starts with and never scales below (a line on the tasks widget). */
  readonly desiredCount: number;
}

/** A target group the segment watches (one per server, or one shared by several). */
export interface MonitoredTargetGroup {
  /** The id of its alarms' construct, e.g. `gitlab` (alarms `<id>TargetAlarms/UnhealthyHosts`...). */
  readonly id: string;
  /** Whose requests the group carries, for descriptions and dashboard lines. */
  readonly label: string;
  /** Attached to a listener of `loadBalancer` (its metrics name the load balancer). */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
}

export interface FargateMonitoringProps {
  readonly services: MonitoredService[];
  readonly targets: MonitoredTargetGroup[];
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly thresholds?: ServiceAlarmThresholds;
  /**
   * The services' CPU scaling target, drawn on the CPU widget (and a warning when the CPU alarm's
   * threshold is not above it).
   *
   * @default 70
   */
  readonly cpuTargetUtilizationPercent?: number;
  /**
   * The services' memory scaling target, drawn on the memory widget.
   *
   * @default 80
   */
  readonly memoryTargetUtilizationPercent?: number;
}

interface ResolvedServiceThresholds {
  readonly cpuUtilizationPercent: number;
  readonly memoryUtilizationPercent: number;
  readonly unhealthyHostCount: number;
  readonly target5xxCount: number;
  readonly targetResponseTime: Duration;
  readonly elb5xxCount: number;
}

/** The metrics the alarms and widgets share, with the alarms' statistic and period. */
function cpuMetric(s: MonitoredService, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return s.service.metricCpuUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD, ...props });
}

function memoryMetric(s: MonitoredService, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return s.service.metricMemoryUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD, ...props });
}

function taskCountMetric(s: MonitoredService, metricName: 'RunningTaskCount' | 'DesiredTaskCount', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: CONTAINER_INSIGHTS,
    metricName,
    dimensionsMap: { ClusterName: s.service.cluster.clusterName, ServiceName: s.service.serviceName },
    statistic: cloudwatch.Stats.AVERAGE,
    period: PERIOD,
    ...props,
  });
}

function unhealthyHostsMetric(t: MonitoredTargetGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return t.targetGroup.metrics.unhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, ...props });
}

function target5xxMetric(t: MonitoredTargetGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return t.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, period: PERIOD, ...props });
}

function responseTimeMetric(t: MonitoredTargetGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return t.targetGroup.metrics.targetResponseTime({ statistic: cloudwatch.Stats.p(99), period: PERIOD, ...props });
}

function elbCodeMetric(lb: elbv2.ApplicationLoadBalancer, code: elbv2.HttpCodeElb, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return lb.metrics.httpCodeElb(code, { statistic: cloudwatch.Stats.SUM, period: PERIOD, ...props });
}

/**
 * The Fargate segment of a fleet's monitoring (spec Section B, and what a platform team watches on
 * ECS behind an ALB). Alarms: per service CPU and memory high and fewer running tasks than
 * desired; per target group unhealthy hosts, target 5XX and p99 response time; on the load
 * balancer its own 5XX. Dashboard: one widget per metric with a line per service or target group
 * (as the Lambda segment: the servers side by side, whatever their number), 60 s periods.
 */
export class FargateMonitoring implements IFleetMonitoring {
  private readonly scope: Construct;
  private readonly props: FargateMonitoringProps;
  private readonly thresholds: ResolvedServiceThresholds;
  private readonly cpuTarget: number;
  private readonly memoryTarget: number;
  private created?: cloudwatch.Alarm[];

  /**
   * @param scope where the alarms are created (as `<service id>ServiceAlarms`,
   * `<target id>TargetAlarms` and `LoadBalancerAlarms`)
   */
  constructor(scope: Construct, props: FargateMonitoringProps) {
    this.scope = scope;
    this.props = props;
    // Thresholds are checked when the compute is bound, whether or not alarms are created.
    this.thresholds = resolveThresholds(props.thresholds);
    this.cpuTarget = props.cpuTargetUtilizationPercent ?? FARGATE_DEFAULTS.cpuTargetUtilizationPercent;
    this.memoryTarget = props.memoryTargetUtilizationPercent ?? FARGATE_DEFAULTS.memoryTargetUtilizationPercent;
    for (const [what, ids] of [['services', props.services.map((s) => s.id)], ['targets', props.targets.map((t) => t.id)]] as const) {
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (repeated.length > 0) {
        throw new Error(`The ids of the monitored ${what} must be unique (they name the alarms' constructs), got ${JSON.stringify(repeated[0])} twice`);
      }
    }
  }

  public alarms(): cloudwatch.Alarm[] {
    if (!this.created) {
      const t = this.thresholds;
      for (const [prop, value, target] of [
        ['cpuUtilizationPercent', t.cpuUtilizationPercent, this.cpuTarget],
        ['memoryUtilizationPercent', t.memoryUtilizationPercent, this.memoryTarget],
      ] as const) {
        if (!Token.isUnresolved(value) && !Token.isUnresolved(target) && value <= target) {
          Annotations.of(this.scope).addWarningV2('mcp-server-fleet:utilizationAlarmBelowScalingTarget',
            `alarmThresholds.${prop} is ${value} %, not above the services' scaling target of ${target} %: the alarm fires while `
            + 'scaling is doing its job; raise the threshold above the target.');
        }
      }
      this.created = [
        ...this.props.services.flatMap((s) => new ServiceAlarms(this.scope, `${s.id}ServiceAlarms`, s, t, this.cpuTarget, this.memoryTarget).all),
        ...this.props.targets.flatMap((g) => new TargetGroupAlarms(this.scope, `${g.id}TargetAlarms`, g, t).all),
        new LoadBalancerAlarms(this.scope, 'LoadBalancerAlarms', this.props.loadBalancer, t).elb5xx,
      ];
    }
    return this.created;
  }

  public widgets(): cloudwatch.IWidget[] {
    const { services, targets, loadBalancer: lb } = this.props;
    const t = this.thresholds;
    const graph = (props: cloudwatch.GraphWidgetProps) => new cloudwatch.GraphWidget({ width: WIDTH, height: HEIGHT, ...props });
    const percentAxis: cloudwatch.YAxisProps = { min: 0, max: 100, label: '%', showUnits: false };
    const line = (value: number, label: string, color?: string): cloudwatch.HorizontalAnnotation => ({ value, label, color });
    const minimums = [...new Set(services.map((s) => s.desiredCount))];
    return [
      graph({
        title: 'ECS CPU Utilization (%)',
        left: services.map((s) => cpuMetric(s, { label: s.label })),
        leftYAxis: percentAxis,
        leftAnnotations: [line(this.cpuTarget, 'scaling target', GREY), line(t.cpuUtilizationPercent, 'alarm', RED)],
      }),
      graph({
        title: 'ECS Memory Utilization (%)',
        left: services.map((s) => memoryMetric(s, { label: s.label })),
        leftYAxis: percentAxis,
        leftAnnotations: [line(this.memoryTarget, 'scaling target', GREY), line(t.memoryUtilizationPercent, 'alarm', RED)],
      }),
      graph({
        title: 'ECS Running / Desired Tasks',
        left: services.flatMap((s) => [
          taskCountMetric(s, 'RunningTaskCount', { label: `${s.label} running` }),
          taskCountMetric(s, 'DesiredTaskCount', { label: `${s.label} desired` }),
        ]),
        leftYAxis: { min: 0 },
        leftAnnotations: minimums.map((m) => line(m, minimums.length === 1 ? 'minimum' : `minimum ${m}`, GREY)),
      }),
      graph({
        title: 'ALB Requests',
        left: targets.map((g) => g.targetGroup.metrics.requestCount({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: g.label })),
      }),
      graph({
        title: 'ALB Target 5XX',
        left: targets.map((g, i) => target5xxMetric(g, { label: g.label, color: i === 0 ? RED : undefined })),
        leftAnnotations: [line(t.target5xxCount, 'alarm', RED)],
      }),
      graph({
        // What the load balancer answers itself: 502 (a task closed the connection or answered
        // garbage), 503 (no healthy target), 504 (a task did not answer within the idle timeout).
        title: 'ALB Load Balancer 5XX',
        left: [
          elbCodeMetric(lb, elbv2.HttpCodeElb.ELB_5XX_COUNT, { label: '5XX', color: RED }),
          elbCodeMetric(lb, elbv2.HttpCodeElb.ELB_502_COUNT, { label: '502' }),
          elbCodeMetric(lb, elbv2.HttpCodeElb.ELB_503_COUNT, { label: '503' }),
          elbCodeMetric(lb, elbv2.HttpCodeElb.ELB_504_COUNT, { label: '504' }),
        ],
        leftAnnotations: [line(t.elb5xxCount, 'alarm', RED)],
      }),
      graph({
        title: 'ALB Target Response Time p99 (s)',
        left: targets.map((g) => responseTimeMetric(g, { label: g.label })),
        leftAnnotations: [line(t.targetResponseTime.toSeconds({ integral: false }), 'alarm', RED)],
      }),
      graph({
        title: 'ALB Healthy / Unhealthy Hosts',
        left: targets.flatMap((g) => [
          g.targetGroup.metrics.healthyHostCount({ statistic: cloudwatch.Stats.MINIMUM, period: PERIOD, label: `${g.label} healthy` }),
          unhealthyHostsMetric(g, { label: `${g.label} unhealthy` }),
        ]),
        leftYAxis: { min: 0 },
      }),
    ];
  }
}

/** The three alarms on one service: CPU high, memory high, fewer running tasks than desired. */
class ServiceAlarms extends Construct {
  public readonly cpuUtilization: cloudwatch.Alarm;
  public readonly memoryUtilization: cloudwatch.Alarm;
  public readonly tasksBelowDesired: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, s: MonitoredService, t: ResolvedServiceThresholds, cpuTarget: number, memoryTarget: number) {
    super(scope, id);
    const periods = FARGATE_ALARM_DEFAULTS.utilizationPeriods;
    this.cpuUtilization = new cloudwatch.Alarm(this, 'CpuUtilization', {
      alarmDescription: `Average CPU of ${s.label} above ${t.cpuUtilizationPercent} % for ${periods} minutes, past its ${cpuTarget} % scaling `
        + 'target: the service is at its maximum task count or cannot scale. Look at its scaling activity and running tasks, then its logs.',
      metric: cpuMetric(s),
      threshold: t.cpuUtilizationPercent,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No tasks, no utilization: the running tasks alarm sees that case.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.memoryUtilization = new cloudwatch.Alarm(this, 'MemoryUtilization', {
      alarmDescription: `Average memory of ${s.label} above ${t.memoryUtilizationPercent} % for ${periods} minutes, past its ${memoryTarget} % `
        + 'scaling target: tasks near their limit are killed (OutOfMemory in the stopped tasks\' reason). Look at its running tasks and logs.',
      metric: memoryMetric(s),
      threshold: t.memoryUtilizationPercent,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const belowPeriods = FARGATE_ALARM_DEFAULTS.tasksBelowDesiredPeriods;
    this.tasksBelowDesired = new cloudwatch.Alarm(this, 'RunningTasksBelowDesired', {
      alarmDescription: `Running tasks of ${s.label} below desired for ${belowPeriods} minutes, or no Container Insights data: tasks `
        + 'fail to start or keep stopping. Look at the service\'s events and the stopped tasks\' reason (image pull, secrets, health check), '
        + 'and that Container Insights is on for the cluster.',
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: { desired: taskCountMetric(s, 'DesiredTaskCount'), running: taskCountMetric(s, 'RunningTaskCount') },
        period: PERIOD,
        label: `${s.label} tasks below desired`,
      }),
      threshold: 0,
      evaluationPeriods: belowPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Breaching: Container Insights reports both counts every minute for every service of a
      // cluster that has it on, zero running tasks included. No data therefore means the counts
      // cannot be seen (Container Insights off on a cluster given to the compute, the service
      // gone); an alarm that cannot see the tasks says so rather than stay OK.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  public get all(): cloudwatch.Alarm[] {
    return [this.cpuUtilization, this.memoryUtilization, this.tasksBelowDesired];
  }
}

/** The three alarms on one target group: unhealthy hosts, target 5XX, p99 response time. */
class TargetGroupAlarms extends Construct {
  public readonly unhealthyHosts: cloudwatch.Alarm;
  public readonly target5xx: cloudwatch.Alarm;
  public readonly responseTime: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, g: MonitoredTargetGroup, t: ResolvedServiceThresholds) {
    super(scope, id);
    const hostPeriods = FARGATE_ALARM_DEFAULTS.unhealthyHostPeriods;
    const periods = FARGATE_ALARM_DEFAULTS.errorPeriods;
    const seconds = t.targetResponseTime.toSeconds({ integral: false });
    this.unhealthyHosts = new cloudwatch.Alarm(this, 'UnhealthyHosts', {
      alarmDescription: `${t.unhealthyHostCount} or more targets of ${g.label} unhealthy for ${hostPeriods} minutes: tasks fail the /health `
        + 'check. Look at the target group\'s health reasons, the tasks\' logs and the service\'s events.',
      metric: unhealthyHostsMetric(g),
      threshold: t.unhealthyHostCount,
      evaluationPeriods: hostPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.target5xx = new cloudwatch.Alarm(this, 'Target5xx', {
      alarmDescription: `5XX answers of ${g.label} above ${t.target5xxCount} per minute for ${periods} minutes: the server fails requests. `
        + 'Look at its tasks\' logs (upstream errors, secrets, timeouts).',
      metric: target5xxMetric(g),
      threshold: t.target5xxCount,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No requests, no data: quiet is not failing.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.responseTime = new cloudwatch.Alarm(this, 'ResponseTime', {
      alarmDescription: `p99 response time of ${g.label} above ${seconds} s for ${periods} minutes, near the 29 s request budget: `
        + 'slow upstream calls or saturated tasks. Look at its CPU, its logs\' durations and the upstream API.',
      metric: responseTimeMetric(g),
      // TargetResponseTime is in seconds, to the response headers: a long-lived stream counts
      // only its start.
      threshold: seconds,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  public get all(): cloudwatch.Alarm[] {
    return [this.unhealthyHosts, this.target5xx, this.responseTime];
  }
}

/** The load balancer's own 5XX: what clients get when no task answers (502, 503, 504). */
class LoadBalancerAlarms extends Construct {
  public readonly elb5xx: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, lb: elbv2.ApplicationLoadBalancer, t: ResolvedServiceThresholds) {
    super(scope, id);
    const periods = FARGATE_ALARM_DEFAULTS.errorPeriods;
    this.elb5xx = new cloudwatch.Alarm(this, 'Elb5xx', {
      alarmDescription: `5XX answers of the load balancer itself above ${t.elb5xxCount} per minute for ${periods} minutes: no task answered `
        + '(502 a task closed the connection, 503 no healthy target, 504 no answer in time). Look at the target groups\' health and the '
        + 'services\' running tasks.',
      metric: elbCodeMetric(lb, elbv2.HttpCodeElb.ELB_5XX_COUNT),
      threshold: t.elb5xxCount,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

function resolveThresholds(thresholds: ServiceAlarmThresholds | undefined): ResolvedServiceThresholds {
  const resolved: ResolvedServiceThresholds = {
    cpuUtilizationPercent: thresholds?.cpuUtilizationPercent ?? FARGATE_ALARM_DEFAULTS.cpuUtilizationPercent,
    memoryUtilizationPercent: thresholds?.memoryUtilizationPercent ?? FARGATE_ALARM_DEFAULTS.memoryUtilizationPercent,
    unhealthyHostCount: thresholds?.unhealthyHostCount ?? FARGATE_ALARM_DEFAULTS.unhealthyHostCount,
    target5xxCount: thresholds?.target5xxCount ?? FARGATE_ALARM_DEFAULTS.target5xxCount,
    targetResponseTime: thresholds?.targetResponseTime ?? FARGATE_ALARM_DEFAULTS.targetResponseTime,
    elb5xxCount: thresholds?.elb5xxCount ?? FARGATE_ALARM_DEFAULTS.elb5xxCount,
  };
  validateRange('alarmThresholds.cpuUtilizationPercent', resolved.cpuUtilizationPercent, 1, 100);
  validateRange('alarmThresholds.memoryUtilizationPercent', resolved.memoryUtilizationPercent, 1, 100);
  // At least 1: at or above 0 unhealthy targets would always fire.
  validateInteger('alarmThresholds.unhealthyHostCount', resolved.unhealthyHostCount, 1);
  validateInteger('alarmThresholds.target5xxCount', resolved.target5xxCount, 0);
  validateInteger('alarmThresholds.elb5xxCount', resolved.elb5xxCount, 0);
  const time = resolved.targetResponseTime;
  if (!time.isUnresolved()) {
    const seconds = time.toSeconds({ integral: false });
    if (!(seconds > 0) || seconds > MAX_RESPONSE_TIME_SECONDS) {
      throw new Error(`\`alarmThresholds.targetResponseTime\` must be more than 0 and at most ${MAX_RESPONSE_TIME_SECONDS} seconds `
        + `(an ALB's longest idle timeout: no target answers later), got: ${seconds} seconds`);
    }
  }
  return resolved;
}
