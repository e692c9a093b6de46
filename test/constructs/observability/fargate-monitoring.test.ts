import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { expectAlarmsCanNotify } from './alarm-notifications';
import { FleetComputeBinding, FleetServerDescription, IFleetCompute, IFleetContext, McpServerFleet, ServiceAlarmThresholds } from '../../../src';
import { FARGATE_ALARM_DEFAULTS } from '../../../src/defaults';
import { FargateMonitoring, FargateMonitoringProps } from '../../../src/observability/fargate-monitoring';
import { newStack, twoServers } from '../helpers';

/** Two services behind one ALB, a target group each, built by hand in `scope`. */
function ecsStack(scope: Construct) {
  const vpc = new ec2.Vpc(scope, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'Alb', { vpc, internetFacing: true });
  const listener = loadBalancer.addListener('Http', {
    port: 80,
    defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'application/json', messageBody: '{}' }),
  });
  const build = (name: string, priority: number) => {
    const taskDefinition = new ecs.FargateTaskDefinition(scope, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      portMappings: [{ containerPort: 8080 }],
    });
    const service = new ecs.FargateService(scope, `${name}Service`, { cluster, taskDefinition, desiredCount: 2 });
    const targetGroup = listener.addTargets(`${name}Targets`, {
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      priority,
      conditions: [elbv2.ListenerCondition.pathPatterns([`/${name}`, `/${name}/*`])],
      targets: [service.loadBalancerTarget({ containerName: 'app', containerPort: 8080 })],
      healthCheck: { path: '/health' },
    });
    return { service, targetGroup };
  };
  const gitlab = build('gitlab', 10);
  const jira = build('jira', 20);
  return { vpc, cluster, loadBalancer, listener, gitlab, jira };
}

type Built = ReturnType<typeof ecsStack>;

function segmentProps(built: Built, extra: Partial<FargateMonitoringProps> = {}): FargateMonitoringProps {
  return {
    services: [
      { id: 'gitlab', label: 'MCP server gitlab', service: built.gitlab.service, desiredCount: 2 },
      { id: 'jira', label: 'MCP server jira', service: built.jira.service, desiredCount: 2 },
    ],
    targets: [
      { id: 'gitlab', label: 'MCP server gitlab', targetGroup: built.gitlab.targetGroup },
      { id: 'jira', label: 'MCP server jira', targetGroup: built.jira.targetGroup },
    ],
    loadBalancer: built.loadBalancer,
    ...extra,
  };
}

/** A stack with the segment, its alarms created (unless `alarms` is false). */
function monitoredStack(extra: Partial<FargateMonitoringProps> = {}, alarms = true) {
  const stack = newStack();
  const built = ecsStack(stack);
  const monitoring = new FargateMonitoring(stack, segmentProps(built, extra));
  const created = alarms ? monitoring.alarms() : [];
  return { stack, built, monitoring, created, template: Template.fromStack(stack) };
}

/** The synthesized properties of one alarm of the segment, found by its construct path. */
function alarmProps(stack: Stack, template: Template, path: string): Record<string, any> {
  const alarm = stack.node.findChild(path.split('/')[0]).node.findChild(path.split('/')[1]) as cloudwatch.Alarm;
  const logicalId = stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm);
  return template.toJSON().Resources[logicalId].Properties;
}

const serviceDimensions = (stack: Stack, service: ecs.FargateService) => [
  { Name: 'ClusterName', Value: stack.resolve(service.cluster.clusterName) },
  { Name: 'ServiceName', Value: stack.resolve(service.serviceName) },
];

/** The target group's dimensions: its full name, and the load balancer's (derived from the listener's ARN). */
function expectTargetDimensions(
  stack: Stack,
  built: Built,
  dimensions: Array<{ Name: string; Value: unknown }>,
  targetGroup: elbv2.ApplicationTargetGroup,
) {
  expect(dimensions.map((d) => d.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
  expect(dimensions.find((d) => d.Name === 'TargetGroup')!.Value).toEqual(stack.resolve(targetGroup.targetGroupFullName));
  expect(JSON.stringify(dimensions.find((d) => d.Name === 'LoadBalancer')!.Value))
    .toContain(JSON.stringify({ Ref: stack.getLogicalId(built.listener.node.defaultChild as elbv2.CfnListener) }));
}

describe('FargateMonitoring: the alarms of the services, target groups and load balancer', () => {
  test('GIVEN two services and two target groups WHEN alarms() is called THEN three alarms each and one on the load balancer', () => {
    const { template, created } = monitoredStack();
    expect(created).toHaveLength(2 * 3 + 2 * 3 + 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 13);
  });

  test('CPU: AWS/ECS CPUUtilization Average of the service > 90 % for 3 x 60 s, missing data not breaching', () => {
    const { stack, built, template } = monitoredStack();
    for (const [id, service] of [['gitlab', built.gitlab.service], ['jira', built.jira.service]] as const) {
      expect(alarmProps(stack, template, `${id}ServiceAlarms/CpuUtilization`)).toEqual(expect.objectContaining({
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: serviceDimensions(stack, service),
        Statistic: 'Average',
        Period: 60,
        Threshold: 90,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(new RegExp(`^Average CPU of MCP server ${id} above 90 % for 3 minutes, past its 70 % scaling target`)),
      }));
    }
  });

  test('memory: AWS/ECS MemoryUtilization Average > 90 % for 3 x 60 s, missing data not breaching', () => {
    const { stack, built, template } = monitoredStack();
    expect(alarmProps(stack, template, 'jiraServiceAlarms/MemoryUtilization')).toEqual(expect.objectContaining({
      Namespace: 'AWS/ECS',
      MetricName: 'MemoryUtilization',
      Dimensions: serviceDimensions(stack, built.jira.service),
      Statistic: 'Average',
      Period: 60,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^Average memory of MCP server jira above 90 % for 3 minutes, past its 80 % scaling target/),
    }));
  });

  test('running tasks: Container Insights desired - running > 0 for 5 x 60 s, missing data breaching', () => {
    const { stack, built, template } = monitoredStack();
    const props = alarmProps(stack, template, 'gitlabServiceAlarms/RunningTasksBelowDesired');
    expect(props).toEqual(expect.objectContaining({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
      AlarmDescription: expect.stringMatching(/^Running tasks of MCP server gitlab below desired for 5 minutes.*Container Insights is on/),
    }));
    expect(props.MetricName).toBeUndefined();
    const metrics: any[] = props.Metrics;
    const expression = metrics.find((m) => m.Expression);
    expect(expression).toEqual(expect.objectContaining({ Expression: 'desired - running', ReturnData: true }));
    const stat = (name: string) => metrics.find((m) => m.MetricStat?.Metric.MetricName === name);
    for (const [id, metricName] of [['desired', 'DesiredTaskCount'], ['running', 'RunningTaskCount']]) {
      expect(stat(metricName)).toEqual({
        Id: id,
        MetricStat: {
          Metric: { Namespace: 'ECS/ContainerInsights', MetricName: metricName, Dimensions: serviceDimensions(stack, built.gitlab.service) },
          Period: 60,
          Stat: 'Average',
        },
        ReturnData: false,
      });
    }
  });

  test('unhealthy hosts: AWS/ApplicationELB UnHealthyHostCount Maximum >= 1 for 3 x 60 s, each alarm on its own target group', () => {
    const { stack, built, template } = monitoredStack();
    for (const [id, group] of [['gitlab', built.gitlab.targetGroup], ['jira', built.jira.targetGroup]] as const) {
      const props = alarmProps(stack, template, `${id}TargetAlarms/UnhealthyHosts`);
      expect(props).toEqual(expect.objectContaining({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'UnHealthyHostCount',
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(new RegExp(`^1 or more targets of MCP server ${id} unhealthy for 3 minutes`)),
      }));
      expectTargetDimensions(stack, built, props.Dimensions, group);
    }
  });

  test('target 5XX: HTTPCode_Target_5XX_Count Sum > 5 for 3 x 60 s, missing data not breaching', () => {
    const { stack, built, template } = monitoredStack();
    const props = alarmProps(stack, template, 'jiraTargetAlarms/Target5xx');
    expect(props).toEqual(expect.objectContaining({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^5XX answers of MCP server jira above 5 per minute for 3 minutes/),
    }));
    expectTargetDimensions(stack, built, props.Dimensions, built.jira.targetGroup);
  });

  test('response time: TargetResponseTime p99 > 25 s for 3 x 60 s, missing data not breaching', () => {
    const { stack, built, template } = monitoredStack();
    const props = alarmProps(stack, template, 'gitlabTargetAlarms/ResponseTime');
    expect(props).toEqual(expect.objectContaining({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^p99 response time of MCP server gitlab above 25 s for 3 minutes/),
    }));
    expect(props.Statistic).toBeUndefined();
    expectTargetDimensions(stack, built, props.Dimensions, built.gitlab.targetGroup);
  });

  test('load balancer 5XX: HTTPCode_ELB_5XX_Count Sum of the ALB > 5 for 3 x 60 s, missing data not breaching', () => {
    const { stack, built, template } = monitoredStack();
    expect(alarmProps(stack, template, 'LoadBalancerAlarms/Elb5xx')).toEqual(expect.objectContaining({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_ELB_5XX_Count',
      Dimensions: [{ Name: 'LoadBalancer', Value: stack.resolve(built.loadBalancer.loadBalancerFullName) }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^5XX answers of the load balancer itself above 5 per minute for 3 minutes.*503 no healthy target/),
    }));
  });

  test('the defaults the alarms use are the ones defaults.ts documents', () => {
    const { stack, template } = monitoredStack();
    expect(alarmProps(stack, template, 'gitlabServiceAlarms/CpuUtilization').Threshold).toBe(FARGATE_ALARM_DEFAULTS.cpuUtilizationPercent);
    expect(alarmProps(stack, template, 'gitlabServiceAlarms/MemoryUtilization').Threshold).toBe(FARGATE_ALARM_DEFAULTS.memoryUtilizationPercent);
    expect(alarmProps(stack, template, 'gitlabServiceAlarms/RunningTasksBelowDesired').EvaluationPeriods).toBe(FARGATE_ALARM_DEFAULTS.tasksBelowDesiredPeriods);
    expect(alarmProps(stack, template, 'gitlabTargetAlarms/ResponseTime').Threshold).toBe(FARGATE_ALARM_DEFAULTS.targetResponseTime.toSeconds());
  });

  test('GIVEN thresholds WHEN the alarms are created THEN every one applies, and the descriptions name them', () => {
    const thresholds: ServiceAlarmThresholds = {
      cpuUtilizationPercent: 95,
      memoryUtilizationPercent: 85,
      unhealthyHostCount: 2,
      target5xxCount: 0,
      targetResponseTime: Duration.millis(1500),
      elb5xxCount: 20,
    };
    const { stack, template } = monitoredStack({ thresholds });
    const check = (path: string, threshold: number, description: RegExp) => {
      const props = alarmProps(stack, template, path);
      expect(props.Threshold).toBe(threshold);
      expect(props.AlarmDescription).toMatch(description);
    };
    check('jiraServiceAlarms/CpuUtilization', 95, /above 95 %/);
    check('jiraServiceAlarms/MemoryUtilization', 85, /above 85 %/);
    check('jiraTargetAlarms/UnhealthyHosts', 2, /^2 or more targets/);
    check('jiraTargetAlarms/Target5xx', 0, /above 0 per minute/);
    check('jiraTargetAlarms/ResponseTime', 1.5, /above 1\.5 s/);
    check('LoadBalancerAlarms/Elb5xx', 20, /above 20 per minute/);
  });

  test('GIVEN alarms() is never called THEN the stack has no alarm; called twice THEN the same alarms', () => {
    const { monitoring, template } = monitoredStack({}, false);
    // widgets() alone creates no alarm either
    expect(monitoring.widgets().length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);

    const { monitoring: twice, created, stack } = monitoredStack();
    expect(twice.alarms()).toBe(created);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 13);
  });

  test('GIVEN an alarm threshold not above the scaling target THEN a warning says it fires while scaling works', () => {
    const { stack } = monitoredStack({ thresholds: { cpuUtilizationPercent: 60 }, cpuTargetUtilizationPercent: 60 });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('alarmThresholds.cpuUtilizationPercent is 60 %, not above .* 60 %'));
    const quiet = monitoredStack();
    Annotations.fromStack(quiet.stack).hasNoWarning('*', Match.stringLikeRegexp('scaling target'));
  });
});

describe('FargateMonitoring: the widgets', () => {
  const render = (stack: Stack, widget: cloudwatch.IWidget) => stack.resolve(widget.toJson())[0];

  test('eight 12 x 6 graphs, one line per service or target group', () => {
    const { stack, monitoring } = monitoredStack();
    const widgets = monitoring.widgets().map((w) => render(stack, w));
    expect(widgets.map((w) => w.properties.title)).toEqual([
      'ECS CPU Utilization (%)',
      'ECS Memory Utilization (%)',
      'ECS Running / Desired Tasks',
      'ALB Requests',
      'ALB Target 5XX',
      'ALB Load Balancer 5XX',
      'ALB Target Response Time p99 (s)',
      'ALB Healthy / Unhealthy Hosts',
    ]);
    for (const w of widgets) expect([w.width, w.height]).toEqual([12, 6]);
    const lines = (w: any) => w.properties.metrics.map((m: any[]) => m[m.length - 1].label);
    expect(lines(widgets[0])).toEqual(['MCP server gitlab', 'MCP server jira']);
    expect(lines(widgets[2])).toEqual(['MCP server gitlab running', 'MCP server gitlab desired', 'MCP server jira running', 'MCP server jira desired']);
    expect(lines(widgets[5])).toEqual(['5XX', '502', '503', '504']);
    expect(lines(widgets[7])).toEqual(['MCP server gitlab healthy', 'MCP server gitlab unhealthy', 'MCP server jira healthy', 'MCP server jira unhealthy']);
    // every line is a 60 s period
    for (const w of widgets) for (const m of w.properties.metrics) expect(m[m.length - 1].period).toBe(60);
    // the response time graph shows p99, in ECS/ALB namespaces only
    expect(widgets[6].properties.metrics.map((m: any[]) => m[m.length - 1].stat)).toEqual(['p99', 'p99']);
    expect(widgets[0].properties.metrics[0].slice(0, 2)).toEqual(['AWS/ECS', 'CPUUtilization']);
    expect(widgets[2].properties.metrics[0].slice(0, 2)).toEqual(['ECS/ContainerInsights', 'RunningTaskCount']);
  });

  test('the scaling targets and alarm thresholds are horizontal annotations (from the props and thresholds)', () => {
    const annotations = (extra: Partial<FargateMonitoringProps>) => {
      const { stack, monitoring } = monitoredStack(extra, false);
      return monitoring.widgets().map((w) => render(stack, w).properties.annotations?.horizontal?.map((a: any) => [a.label, a.value]));
    };
    const defaults = annotations({});
    expect(defaults[0]).toEqual([['scaling target', 70], ['alarm', 90]]);
    expect(defaults[1]).toEqual([['scaling target', 80], ['alarm', 90]]);
    expect(defaults[2]).toEqual([['minimum', 2]]);
    expect(defaults[6]).toEqual([['alarm', 25]]);
    const custom = annotations({
      cpuTargetUtilizationPercent: 50,
      memoryTargetUtilizationPercent: 60,
      thresholds: { cpuUtilizationPercent: 75, targetResponseTime: Duration.seconds(10) },
    });
    expect(custom[0]).toEqual([['scaling target', 50], ['alarm', 75]]);
    expect(custom[1]).toEqual([['scaling target', 60], ['alarm', 90]]);
    expect(custom[6]).toEqual([['alarm', 10]]);
  });
});

describe('FargateMonitoring: validation', () => {
  const build = (thresholds: ServiceAlarmThresholds) => () => {
    const stack = newStack();
    new FargateMonitoring(stack, segmentProps(ecsStack(stack), { thresholds }));
  };

  test.each([
    [{ cpuUtilizationPercent: 0 }, '`alarmThresholds.cpuUtilizationPercent` must be between 1 and 100, got: 0'],
    [{ cpuUtilizationPercent: 101 }, '`alarmThresholds.cpuUtilizationPercent` must be between 1 and 100, got: 101'],
    [{ memoryUtilizationPercent: 150 }, '`alarmThresholds.memoryUtilizationPercent` must be between 1 and 100, got: 150'],
    [{ memoryUtilizationPercent: NaN }, '`alarmThresholds.memoryUtilizationPercent` must be between 1 and 100, got: NaN'],
    [{ unhealthyHostCount: 0 }, '`alarmThresholds.unhealthyHostCount` must be an integer of at least 1, got: 0'],
    [{ target5xxCount: -1 }, '`alarmThresholds.target5xxCount` must be an integer of at least 0, got: -1'],
    [{ elb5xxCount: -5 }, '`alarmThresholds.elb5xxCount` must be an integer of at least 0, got: -5'],
    [{ elb5xxCount: 2.5 }, '`alarmThresholds.elb5xxCount` must be an integer of at least 0, got: 2.5'],
    [{ targetResponseTime: Duration.seconds(0) }, '`alarmThresholds.targetResponseTime` must be more than 0 and at most 4000 seconds'
      + ' (an ALB\'s longest idle timeout: no target answers later), got: 0 seconds'],
    [{ targetResponseTime: Duration.hours(2) }, '`alarmThresholds.targetResponseTime` must be more than 0 and at most 4000 seconds'
      + ' (an ALB\'s longest idle timeout: no target answers later), got: 7200 seconds'],
  ])('%j throws, naming the prop and the value', (thresholds, message) => {
    expect(build(thresholds)).toThrow(message);
  });

  test('the edges of every range are accepted', () => {
    expect(build({
      cpuUtilizationPercent: 1,
      memoryUtilizationPercent: 100,
      unhealthyHostCount: 1,
      target5xxCount: 0,
      elb5xxCount: 0,
      targetResponseTime: Duration.millis(1),
    })).not.toThrow();
    expect(build({ cpuUtilizationPercent: 100, targetResponseTime: Duration.seconds(4000) })).not.toThrow();
  });

  test('the thresholds are checked when the segment is built, before any alarm is asked for', () => {
    const stack = newStack();
    const built = ecsStack(stack);
    expect(() => new FargateMonitoring(stack, segmentProps(built, { thresholds: { cpuUtilizationPercent: 0 } }))).toThrow(/cpuUtilizationPercent/);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('two services or two target groups with one id throw, naming the id', () => {
    const stack = newStack();
    const built = ecsStack(stack);
    const props = segmentProps(built);
    expect(() => new FargateMonitoring(stack, { ...props, services: [props.services[0], { ...props.services[1], id: 'gitlab' }] }))
      .toThrow('The ids of the monitored services must be unique (they name the alarms\' constructs), got "gitlab" twice');
    expect(() => new FargateMonitoring(stack, { ...props, targets: [props.targets[1], props.targets[1]] }))
      .toThrow('The ids of the monitored targets must be unique (they name the alarms\' constructs), got "jira" twice');
  });
});

/** A compute that hands the fleet the segment over the hand-built services. */
class HandBuiltFargate implements IFleetCompute {
  public monitoring?: FargateMonitoring;

  public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    const scope = new Construct(fleet.scope, 'HandBuilt');
    const built = ecsStack(scope);
    this.monitoring = new FargateMonitoring(scope, segmentProps(built));
    return {
      servers: servers.map((s) => ({ name: s.name, endpointUrl: `http://${built.loadBalancer.loadBalancerDnsName}/${s.name}/mcp` })),
      monitoring: [this.monitoring],
    };
  }
}

describe('FargateMonitoring in a fleet: on its topic and its dashboard', () => {
  test('every alarm notifies the fleet\'s topic, and the dashboard carries the widgets', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: new HandBuiltFargate() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 13);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
    expectAlarmsCanNotify(template);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const title of ['ECS CPU Utilization (%)', 'ECS Running / Desired Tasks', 'ALB Load Balancer 5XX', 'ALB Healthy / Unhealthy Hosts']) {
      expect(body).toContain(title);
    }
  });

  test('with enableAlarms false the segment creates no alarm', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: new HandBuiltFargate(), enableAlarms: false });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});
