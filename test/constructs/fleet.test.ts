import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, gitlabFleet, newStack, twoServers } from './helpers';
import {
  FleetCompute,
  FleetComputeBinding,
  FleetServerDescription,
  IFleetContext,
  IFleetCompute,
  McpServer,
  McpServerFleet,
  ServerCredential,
} from '../../src';

/** The dashboard body with every token replaced by "X", parsed. */
function dashboardBody(template: Template): { widgets: Array<{ type: string; width: number; height: number; properties: any }> } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as any).Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'X')).join('');
  return JSON.parse(text);
}

describe('McpServerFleet: tags', () => {
  test('every resource is tagged Application=mcp-servers and Environment=<environment>', () => {
    const { template } = gitlabFleet(undefined, { environment: 'staging' });
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::ApiGateway::RestApi', 'AWS::SNS::Topic', 'AWS::KMS::Key']) {
      template.allResourcesProperties(type, {
        Tags: Match.arrayWith([{ Key: 'Application', Value: 'mcp-servers' }, { Key: 'Environment', Value: 'staging' }]),
      });
    }
  });

  test('tags extend and override the defaults', () => {
    const { template } = gitlabFleet(undefined, { tags: { Application: 'platform-mcp', CostCenter: '1234' } });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Tags: [
        { Key: 'Application', Value: 'platform-mcp' },
        { Key: 'CostCenter', Value: '1234' },
        { Key: 'Environment', Value: 'production' },
        { Key: 'Server', Value: 'gitlab' },
      ],
    });
  });
});

describe('McpServerFleet: alarm topic', () => {
  test('without a topic, an encrypted topic is created that refuses publications without TLS', () => {
    const { template, fleet } = gitlabFleet();
    expect(fleet.alarmTopic).toBeDefined();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] } });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
        })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    // (that CloudWatch may publish to it: test/constructs/observability/alarm-notifications.test.ts)
  });

  test('a given topic is used and none is created', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops');
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), alarmTopic: topic });
    const template = Template.fromStack(stack);
    expect(fleet.alarmTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Ops') }],
    });
  });
});

describe('McpServerFleet: alarms (spec A.5)', () => {
  test('each function gets the spec\'s errors, duration and throttles alarms', () => {
    // GIVEN / WHEN two servers, one function each
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    // THEN 3 alarms per function
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    const common = {
      Namespace: 'AWS/Lambda',
      Period: 60,
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('LambdaPerServer(gitlab|glinternal)Function') } }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common, MetricName: 'Errors', Statistic: 'Sum', EvaluationPeriods: 3, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common, MetricName: 'Duration', Statistic: 'Average', EvaluationPeriods: 3, Threshold: 25000, ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common, MetricName: 'Throttles', Statistic: 'Sum', EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    for (const metric of ['Errors', 'Duration', 'Throttles']) {
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metric } }))).toHaveLength(2);
    }
  });

  test('the multi-server function gets one set of alarms', () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: FleetCompute.lambdaMultiServer() });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 3);
    expect(fleet.alarms).toHaveLength(3);
  });

  test('thresholds are overridable per topology', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer({
      alarmThresholds: { errors: 10, duration: Duration.seconds(20), throttles: 3 },
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 10 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', Threshold: 20000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 3 });
  });

  test('a duration threshold the timeout never reaches is warned about', () => {
    const { stack } = gitlabFleet(FleetCompute.lambdaPerServer({ timeout: Duration.seconds(20) }));
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('can never fire'));
  });

  test('alarms can be turned off', () => {
    const { template, fleet } = gitlabFleet(undefined, { enableAlarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(fleet.alarmTopic).toBeUndefined();
    expect(fleet.alarms).toEqual([]);
  });

  test('metric methods return what the alarms watch', () => {
    const compute = FleetCompute.lambdaPerServer();
    const { stack } = gitlabFleet(compute);
    const errors = compute.metricErrors('gitlab');
    expect(errors.metricName).toBe('Errors');
    expect(errors.statistic).toBe('Sum');
    expect(errors.period.toSeconds()).toBe(60);
    expect(stack.resolve(errors.dimensions)).toEqual({ FunctionName: { Ref: expect.stringMatching(/gitlabFunction/) } });
    expect(compute.metricDuration('gitlab').statistic).toBe('Average');
    expect(compute.metricThrottles('gitlab').metricName).toBe('Throttles');
    expect(compute.metricErrors('gitlab', { period: Duration.minutes(5) }).period.toSeconds()).toBe(300);
  });
});

describe('McpServerFleet: dashboard (spec A.5)', () => {
  test('the spec\'s four Lambda widgets over every function, then API errors and latency', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const body = dashboardBody(Template.fromStack(stack));

    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).toEqual([
      'Lambda Invocations',
      'Lambda Errors',
      'Lambda Duration (ms)',
      'Lambda Concurrent Executions',
      'API 4XX / 5XX',
      'API Latency (ms)',
    ]);
    for (const widget of body.widgets) {
      expect(widget).toMatchObject({ type: 'metric', width: 12, height: 6 });
    }
    const lambdaWidgets = body.widgets.slice(0, 4);
    const expected = [['Invocations', 'Sum'], ['Errors', 'Sum'], ['Duration', 'Average'], ['ConcurrentExecutions', 'Maximum']];
    lambdaWidgets.forEach((widget, i) => {
      // one line per function, each with the spec's statistic and a 60 s period
      expect(widget.properties.metrics).toHaveLength(2);
      for (const line of widget.properties.metrics) {
        expect(line.slice(0, 3)).toEqual(['AWS/Lambda', expected[i][0], 'FunctionName']);
        // (CloudWatch's default statistic, Average, is left implicit in the body)
        expect(line[4].stat ?? 'Average').toBe(expected[i][1]);
        expect(line[4].period).toBe(60);
      }
    });
    expect(lambdaWidgets[1].properties.metrics[0][4].color).toBe('#d62728');
    const apiErrors = body.widgets[4].properties.metrics.map((m: any[]) => m[1]);
    expect(apiErrors).toEqual(expect.arrayContaining(['4XXError', '5XXError', 'Count']));
    expect(body.widgets[5].properties.metrics[0][1]).toBe('Latency');
  });

  test('the HTTP API topology charts the HTTP API metrics', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaMultiServer());
    const body = dashboardBody(template);
    const apiMetrics = body.widgets[4].properties.metrics.map((m: any[]) => m.slice(0, 2));
    expect(apiMetrics).toEqual(expect.arrayContaining([['AWS/ApiGateway', '4xx'], ['AWS/ApiGateway', '5xx']]));
  });

  test('the dashboard can be turned off', () => {
    const { template, fleet } = gitlabFleet(undefined, { enableDashboard: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(fleet.dashboard).toBeUndefined();
  });
});

describe('McpServerFleet: outputs', () => {
  test('function ARN, endpoint and log group per server, and the API id', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    template.hasOutput('*', { Description: 'API Gateway ID', Value: { Ref: Match.stringLikeRegexp('LambdaPerServerApi') } });
    for (const name of ['gitlab', 'gl-internal']) {
      template.hasOutput('*', {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] },
        Export: { Name: Match.stringLikeRegexp(`-${name}-function-arn$`) },
      });
      template.hasOutput('*', { Export: { Name: Match.stringLikeRegexp(`-${name}-api-endpoint$`) } });
      template.hasOutput('*', {
        Value: { Ref: Match.stringLikeRegexp('LogGroup') },
        Export: { Name: Match.stringLikeRegexp(`-${name}-log-group$`) },
      });
    }
    template.hasOutput('*', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['/gitlab/mcp'])] },
      Export: { Name: Match.stringLikeRegexp('-gitlab-api-endpoint$') },
    });
  });

  function exportNames(...stacks: Stack[]): string[] {
    return stacks.flatMap((s) => Object.values(Template.fromStack(s).findOutputs('*')).map((o: any) => o.Export?.Name).filter(Boolean));
  }

  test('export names do not collide for two fleets in one stack', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Blue', { environment: 'production', servers: twoServers() });
    new McpServerFleet(stack, 'Green', { environment: 'production', servers: twoServers(), compute: FleetCompute.lambdaMultiServer() });
    const names = exportNames(stack);
    expect(names.length).toBe(2 * 7);
    expect(new Set(names).size).toBe(names.length);
  });

  test('exportPrefix starts every export name, for imports by a stable name (nested stacks too)', () => {
    // Prepare: past serversPerStack, servers' outputs move into nested stacks
    const stack = newStack();
    const servers = [...twoServers(), McpServer.gitlab({ name: 'gl-third' })];
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers, exportPrefix: 'mcp-production', compute: FleetCompute.lambdaPerServer({ serversPerStack: 2 }) });
    // Assess
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    const names = exportNames(stack, ...nested);
    expect(names).toEqual(expect.arrayContaining(['mcp-production-gitlab-api-endpoint', 'mcp-production-gitlab-function-arn', 'mcp-production-gl-third-log-group']));
    for (const name of names) expect(name.startsWith('mcp-production-')).toBe(true);
  });

  test.each(['', 'mcp production', 'mcp_prod', 'x'.repeat(129)])('refuses exportPrefix %j, naming the prop', (exportPrefix) => {
    expect(() => new McpServerFleet(newStack(), 'Fleet', { environment: 'production', servers: twoServers(), exportPrefix }))
      .toThrow(`\`exportPrefix\` must be 1 to 128 letters, digits, \`-\` or \`:\` (it starts CloudFormation export names), got: ${JSON.stringify(exportPrefix)}`);
  });

  test('export names do not collide for fleets of the same id in two stacks', () => {
    const app = new App();
    const stacks = ['McpA', 'McpB'].map((id) => new Stack(app, id));
    for (const stack of stacks) new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const names = exportNames(...stacks);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9:-]{1,255}$/);
  });
});

describe('McpServerFleet: after construction', () => {
  test('servers, endpoints, functions and log groups by name', () => {
    const stack = newStack();
    const compute = FleetCompute.lambdaPerServer();
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute });

    expect(fleet.servers.map((s) => s.name)).toEqual(['gitlab', 'gl-internal']);
    expect(stack.resolve(compute.functionFor('gitlab').functionName)).toEqual({ Ref: expect.stringMatching(/LambdaPerServergitlabFunction/) });
    expect(compute.functionFor('gitlab')).not.toBe(compute.functionFor('gl-internal'));
    expect(fleet.logGroupFor('gl-internal')).toBe(fleet.servers[1].logGroup);
    expect(stack.resolve(fleet.endpointFor('gitlab'))).toEqual({
      'Fn::Join': ['', [
        'https://', { Ref: expect.stringMatching(/LambdaPerServerApi/) }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/',
        { Ref: expect.stringMatching(/DeploymentStageproduction/) }, '/gitlab/mcp',
      ]],
    });
    expect(fleet.environment).toBe('production');
    expect(fleet.logRetention).toBe(logs.RetentionDays.ONE_MONTH);
  });

  test('an unknown server name is an error that lists the servers', () => {
    const compute = FleetCompute.lambdaPerServer();
    const { fleet } = gitlabFleet(compute);
    expect(() => fleet.endpointFor('jira')).toThrow(/no server named "jira"; its servers: gitlab/);
    expect(() => fleet.logGroupFor('jira')).toThrow(/jira/);
    expect(() => compute.functionFor('jira')).toThrow(/serves no server named "jira"; its servers: gitlab/);
    expect(() => FleetCompute.lambdaMultiServer().functionFor('gitlab')).toThrow(/not bound to a fleet yet/);
  });

  test('log retention is a prop', () => {
    const { template } = gitlabFleet(undefined, { logRetention: logs.RetentionDays.ONE_YEAR });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('grantSecretsRead gives another principal exactly a server\'s secrets', () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const role = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantSecretsRead(role, 'gl-internal');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Auditor') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: INTERNAL_SECRET_ARN }] },
    });
  });
});

describe('McpServerFleet: secrets and keys', () => {
  test('a secret with a customer managed key adds kms:Decrypt through Secrets Manager only', () => {
    // GIVEN a secret imported with its key
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Token', { secretCompleteArn: GITLAB_SECRET_ARN, encryptionKey: key });

    // WHEN
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [McpServer.gitlab({ token: ServerCredential.fromSecret(secret) })] });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: GITLAB_SECRET_ARN },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  test('a secret created in the app is named by its ARN and read by exactly that ARN', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Token');
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [McpServer.gitlab({ token: ServerCredential.fromSecret(secret, 'token') })] });
    const template = Template.fromStack(stack);
    const secretRef = { Ref: Match.stringLikeRegexp('^Token') };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretRef }]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ GITLAB_TOKEN_SECRET_ARN: { 'Fn::Join': ['', [secretRef, '#token']] } }) },
    });
  });

  test('a secret imported by name is read by its partial ARN, and the policy adds the random suffix', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'mcp/gitlab-token');
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [McpServer.gitlab({ token: ServerCredential.fromSecret(secret) })] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token-??????']] },
        }]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GITLAB_TOKEN_SECRET_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token']] },
        }),
      },
    });
  });

  test('a server without a token has no secret variable and no secret permission', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'development', servers: [McpServer.gitlab()] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ GITLAB_API_URL: 'https://gitlab.com/api/v4', GITLAB_TOKEN_SECRET_ARN: Match.absent() }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.some((s: any) => String(s.Action).startsWith('secretsmanager:'))).toBe(false);
  });
});

describe('IFleetCompute: a topology of your own', () => {
  test('the fleet hands it resolved servers and adds outputs around what it returns', () => {
    // GIVEN a compute that records what it was given and serves nothing with Lambda
    class ExternalCompute implements IFleetCompute {
      public seen: FleetServerDescription[] = [];
      public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
        this.seen = servers;
        const role = new iam.Role(fleet.scope, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
        for (const server of servers) fleet.grantSecretsRead(role, server.name);
        return { servers: servers.map((s) => ({ name: s.name, endpointUrl: `https://mcp.example.com/${s.name}/mcp` })), monitoring: [] };
      }
    }
    const stack = newStack();
    const compute = new ExternalCompute();

    // WHEN
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute });
    const template = Template.fromStack(stack);

    // THEN it saw plain descriptions of the servers
    expect(compute.seen.map((s) => [s.name, s.kind, s.variablePrefix])).toEqual([['gitlab', 'gitlab', 'GITLAB'], ['gl-internal', 'gitlab', 'GL_INTERNAL']]);
    expect(compute.seen[1].variables).toEqual({ GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4', GL_INTERNAL_ALLOW_WRITES: 'true' });
    expect(compute.seen[0].credentials.map((c) => [c.variableName, c.jsonField, c.secret.secretFullArn])).toEqual([['GITLAB_TOKEN', 'token', GITLAB_SECRET_ARN]]);
    // THEN endpoints come from it; no functions, so no alarms and no dashboard
    expect(fleet.endpointFor('gl-internal')).toBe('https://mcp.example.com/gl-internal/mcp');
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.hasOutput('*', { Value: 'https://mcp.example.com/gitlab/mcp' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: GITLAB_SECRET_ARN },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: INTERNAL_SECRET_ARN },
        ],
      },
    });
  });

  test('a compute that drops a server is refused', () => {
    const stack = newStack();
    const broken: IFleetCompute = {
      bind: (_fleet: IFleetContext, servers: FleetServerDescription[]) => ({ servers: [{ name: servers[0].name, endpointUrl: 'https://x/' }], monitoring: [] }),
    };
    expect(() => new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: broken }))
      .toThrow(/one FleetServerEndpoint per server/);
  });
});
