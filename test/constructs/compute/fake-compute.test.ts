import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  FleetComputeBinding,
  FleetServerDescription,
  IFleetCompute,
  IFleetContext,
  IFleetMonitoring,
  McpServerFleet,
} from '../../../src';
import { newStack, twoServers } from '../helpers';
import { expectAlarmsCanNotify } from '../observability/alarm-notifications';

/** A monitoring segment with one alarm and one widget, counting how often the fleet asks. */
class FakeMonitoring implements IFleetMonitoring {
  public alarmCalls = 0;
  public widgetCalls = 0;
  private alarm?: cloudwatch.Alarm;
  constructor(private readonly scope: Construct, private readonly metric: cloudwatch.Metric) {}

  public alarms(): cloudwatch.AlarmBase[] {
    this.alarmCalls++;
    this.alarm ??= new cloudwatch.Alarm(this.scope, 'FakeAlarm', { metric: this.metric, threshold: 1, evaluationPeriods: 1 });
    return [this.alarm];
  }

  public widgets(): cloudwatch.IWidget[] {
    this.widgetCalls++;
    return [new cloudwatch.GraphWidget({ title: 'Fake requests', left: [this.metric], width: 12, height: 6 })];
  }
}

/** A topology without Lambda: a log group per server stands in for what would serve it. */
class FakeCompute implements IFleetCompute {
  public monitoring?: FakeMonitoring;
  public context?: IFleetContext;

  public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    this.context = fleet;
    const root = new Construct(fleet.scope, 'Fake');
    const metric = new cloudwatch.Metric({ namespace: 'Fake', metricName: 'Requests', period: Duration.minutes(1) });
    this.monitoring = new FakeMonitoring(root, metric);
    return {
      servers: servers.map((s) => ({
        name: s.name,
        endpointUrl: `https://fake.example.com/${s.name}/mcp`,
        logGroup: new logs.LogGroup(root, `${s.name}Logs`, { retention: fleet.logRetention }),
      })),
      monitoring: [this.monitoring],
      outputs: [{ id: 'FakeId', value: 'fake-1', description: 'Fake front door', exportSuffix: 'fake-id' }],
    };
  }
}

describe('IFleetCompute: a fleet gets its alarms and widgets from the binding', () => {
  test('GIVEN a compute without Lambda WHEN the fleet is built THEN its alarm notifies the topic and its widget is on the dashboard', () => {
    // GIVEN
    const stack = newStack();
    const compute = new FakeCompute();

    // WHEN
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'staging', servers: twoServers(), compute });
    const template = Template.fromStack(stack);

    // THEN no Lambda anywhere
    template.resourceCountIs('AWS::Lambda::Function', 0);
    // THEN the segment's one alarm notifies the fleet's topic, which CloudWatch may publish to
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Fake',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
    expectAlarmsCanNotify(template);
    expect(fleet.alarms).toHaveLength(1);
    expect(fleet.monitoring).toEqual([compute.monitoring]);
    // THEN the dashboard shows exactly the segment's widget
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('Fake requests');
    expect(body.match(/\\"type\\":\\"metric\\"/g)).toHaveLength(1);
    // THEN the compute's output gets the fleet's export prefix, beside the fleet's own per-server outputs
    template.hasOutput('*', { Value: 'fake-1', Export: { Name: Match.stringLikeRegexp('^TestStack-Fleet.*-fake-id$') } });
    template.hasOutput('*', { Value: 'https://fake.example.com/gl-internal/mcp', Export: { Name: Match.stringLikeRegexp('-gl-internal-api-endpoint$') } });
    // THEN the fleet's tags reach what the compute built
    template.allResourcesProperties('AWS::Logs::LogGroup', { Tags: Match.arrayWith([{ Key: 'Environment', Value: 'staging' }]) });
    // THEN the context is narrow: settings, the scope, grants and the runtime environment
    expect(compute.context).not.toBeInstanceOf(McpServerFleet);
    expect(compute.context!.scope).toBe(fleet);
    expect(compute.context!.environment).toBe('staging');
  });

  test('with alarms and the dashboard turned off, the fleet never asks the segment', () => {
    const stack = newStack();
    const compute = new FakeCompute();
    new McpServerFleet(stack, 'Fleet', { environment: 'staging', servers: twoServers(), compute, enableAlarms: false, enableDashboard: false });
    const template = Template.fromStack(stack);

    expect(compute.monitoring!.alarmCalls).toBe(0);
    expect(compute.monitoring!.widgetCalls).toBe(0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('src/fleet.ts does not name Lambda', () => {
    const source = readFileSync(join(__dirname, '..', '..', '..', 'src', 'fleet.ts'), 'utf8');
    expect(source).not.toMatch(/aws-lambda|functionFor|metricErrors|lambdaFunction/);
    expect(source).not.toMatch(/\blambda\b/i);
  });
});
