import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { certificate } from './fargate/helpers';
import { FleetAuth } from '../../../src/auth/fleet-auth';
import { FleetCompute } from '../../../src/compute/fleet-compute';
import { LambdaPerServerCompute } from '../../../src/compute/lambda/per-server';
import { ServerCredential } from '../../../src/credential';
import { McpServerFleet, McpServerFleetProps } from '../../../src/fleet';
import { McpServer } from '../../../src/server';

/** CloudFormation's quotas per stack (template from S3, where the CDK puts every template). */
const LIMITS = { resources: 500, outputs: 200, parameters: 200, templateBytes: 1_000_000 };

/** `count` GitLab servers gl-1, gl-2..., each with its own secret. */
function gitlabServers(count: number): McpServer[] {
  return Array.from({ length: count }, (_, i) => McpServer.gitlab({
    name: `gl-${i + 1}`,
    token: ServerCredential.fromSecretCompleteArn(`arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gl-${i + 1}-token-AbCdEf`, 'token'),
  }));
}

interface Fleet {
  readonly app: App;
  readonly stack: Stack;
  readonly fleet: McpServerFleet;
  readonly compute: LambdaPerServerCompute;
  readonly nested: NestedStack[];
}

function perServerFleet(count: number, props: Partial<McpServerFleetProps> = {}, serversPerStack?: number): Fleet {
  const app = new App();
  const stack = new Stack(app, 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
  const compute = FleetCompute.lambdaPerServer({ serversPerStack });
  const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: gitlabServers(count), compute, ...props });
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  return { app, stack, fleet, compute, nested };
}

/** Every template of the fleet: the stack's, then each nested stack's. */
function templates(f: Fleet): Array<{ stack: Stack; json: any }> {
  return [f.stack, ...f.nested].map((stack) => ({ stack, json: Template.fromStack(stack).toJSON() }));
}

const resourcesOf = (json: any, type: string) => Object.entries(json.Resources ?? {})
  .filter(([, r]: [string, any]) => r.Type === type) as Array<[string, any]>;

describe('a 100-server lambdaPerServer fleet', () => {
  // One synthesis for the assertions that only read (it is the slow part).
  let f: Fleet;
  let all: Array<{ stack: Stack; json: any }>;
  beforeAll(() => {
    f = perServerFleet(100);
    all = templates(f);
  });

  test('synthesizes into the stack and 7 nested stacks of 15 servers (the last 10)', () => {
    const assembly = f.app.synth();
    expect(f.nested.map((s) => s.node.id)).toEqual(['Servers1', 'Servers2', 'Servers3', 'Servers4', 'Servers5', 'Servers6', 'Servers7']);
    const functions = all.map(({ json }) => resourcesOf(json, 'AWS::Lambda::Function').length);
    expect(functions).toEqual([0, 15, 15, 15, 15, 15, 15, 10]);
    // THEN the files CloudFormation gets are the ones measured below
    for (const nested of f.nested) expect(readFileSync(join(assembly.directory, nested.templateFile), 'utf8').length).toBeGreaterThan(0);
  });

  test('every template is within CloudFormation\'s limits (resources, outputs, parameters, bytes)', () => {
    const assembly = f.app.synth();
    const files = [assembly.getStackArtifact(f.stack.artifactId).templateFullPath, ...f.nested.map((s) => join(assembly.directory, s.templateFile))];
    const figures = files.map((file) => {
      const text = readFileSync(file, 'utf8');
      const json = JSON.parse(text);
      return {
        resources: Object.keys(json.Resources ?? {}).length,
        outputs: Object.keys(json.Outputs ?? {}).length,
        parameters: Object.keys(json.Parameters ?? {}).length,
        templateBytes: Buffer.byteLength(text),
      };
    });
    expect(figures).toHaveLength(8);
    for (const figure of figures) {
      expect(figure.resources).toBeLessThan(LIMITS.resources);
      expect(figure.outputs).toBeLessThan(LIMITS.outputs);
      expect(figure.parameters).toBeLessThan(LIMITS.parameters);
      expect(figure.templateBytes).toBeLessThan(LIMITS.templateBytes);
    }
    // THEN the whole fleet is far over one stack's limits: the split is what keeps each one in
    expect(figures.reduce((sum, x) => sum + x.resources, 0)).toBeGreaterThan(2 * LIMITS.resources);
  });

  test('every server has its function, role, log group, routes and alarms exactly once, in its nested stack', () => {
    const names = Array.from({ length: 100 }, (_, i) => `gl-${i + 1}`);
    const functionsByServer = new Map<string, number>();
    const pathsByServer = new Map<string, number>();
    const alarmsByServer = new Map<string, number>();
    all.forEach(({ json }, index) => {
      const inThisStack = index === 0 ? [] : names.slice((index - 1) * 15, index * 15);
      for (const [, fn] of resourcesOf(json, 'AWS::Lambda::Function')) {
        const server = fn.Properties.Environment.Variables.SERVER_NAME;
        expect(inThisStack).toContain(server);
        functionsByServer.set(server, (functionsByServer.get(server) ?? 0) + 1);
      }
      for (const [, resource] of resourcesOf(json, 'AWS::ApiGateway::Resource')) {
        const part = resource.Properties.PathPart;
        if (names.includes(part)) {
          expect(inThisStack).toContain(part);
          pathsByServer.set(part, (pathsByServer.get(part) ?? 0) + 1);
        }
      }
      for (const [, alarm] of resourcesOf(json, 'AWS::CloudWatch::Alarm')) {
        const server = /MCP server (gl-\d+) /.exec(alarm.Properties.AlarmDescription)![1];
        expect(inThisStack).toContain(server);
        alarmsByServer.set(server, (alarmsByServer.get(server) ?? 0) + 1);
        // THEN each alarm notifies the fleet's topic (in the parent, passed as a parameter)
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^referenceto.*AlarmTopic.*Ref$/) }]);
      }
      if (index > 0) {
        // 5 methods a server: POST and OPTIONS on /<server> and /<server>/mcp, GET /<server>/health
        expect(resourcesOf(json, 'AWS::ApiGateway::Method')).toHaveLength(5 * inThisStack.length);
        expect(resourcesOf(json, 'AWS::Lambda::Permission')).toHaveLength(5 * inThisStack.length);
        expect(resourcesOf(json, 'AWS::Logs::LogGroup')).toHaveLength(inThisStack.length);
        expect(resourcesOf(json, 'AWS::IAM::Role')).toHaveLength(inThisStack.length);
      }
    });
    expect(Object.fromEntries(functionsByServer)).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
    expect(Object.fromEntries(pathsByServer)).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
    expect(Object.fromEntries(alarmsByServer)).toEqual(Object.fromEntries(names.map((n) => [n, 3])));
    expect(f.fleet.alarms).toHaveLength(300);
    expect(f.compute.functionFor('gl-57')).toBe(f.compute.functionFor('gl-57'));
  });

  test('the fleet\'s stack keeps the one API, its deployment, stage and usage plan; the methods use that API', () => {
    const parent = Template.fromStack(f.stack);
    parent.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    parent.resourceCountIs('AWS::ApiGateway::Deployment', 1);
    parent.resourceCountIs('AWS::ApiGateway::Stage', 1);
    parent.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    parent.resourceCountIs('AWS::CloudFormation::Stack', 7);
    parent.resourceCountIs('AWS::Lambda::Function', 0);
    for (const { json } of all.slice(1)) {
      expect(resourcesOf(json, 'AWS::ApiGateway::RestApi')).toHaveLength(0);
      for (const [, method] of resourcesOf(json, 'AWS::ApiGateway::Method')) {
        expect(method.Properties.RestApiId).toEqual({ Ref: expect.stringMatching(/^referenceto.*Api.*Ref$/) });
      }
      // THEN the invoke permissions name the stage, not any stage
      for (const [, permission] of resourcesOf(json, 'AWS::Lambda::Permission')) {
        expect(JSON.stringify(permission.Properties.SourceArn)).toMatch(/\/production\/(POST|OPTIONS|GET)\/gl-\d+/);
      }
    }
  });

  test('the deployment waits for every nested stack', () => {
    const parent = Template.fromStack(f.stack).toJSON();
    const [[, deployment]] = resourcesOf(parent, 'AWS::ApiGateway::Deployment');
    const nestedIds = resourcesOf(parent, 'AWS::CloudFormation::Stack').map(([id]) => id);
    expect(nestedIds).toHaveLength(7);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(nestedIds));
  });

  test('every endpoint resolves, and each server\'s outputs are in its nested stack under the same export names', () => {
    const stack3 = f.nested[2]; // gl-31 .. gl-45
    const outputs = Template.fromStack(stack3).findOutputs('*');
    const byId = (suffix: string) => Object.entries(outputs).filter(([id]) => id.includes(suffix)).map(([, o]) => o);
    const [endpoint] = byId('gl40ApiEndpoint');
    expect(endpoint.Value).toEqual({
      'Fn::Join': ['', [
        'https://', { Ref: expect.stringMatching(/^referenceto.*Api.*Ref$/) }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' },
        '/production/gl-40/mcp',
      ]],
    });
    expect(endpoint.Export.Name).toMatch(/^Scale-Fleet-[0-9A-F]+-gl-40-api-endpoint$/);
    expect(byId('gl40LogGroupName')[0].Export.Name).toMatch(/-gl-40-log-group$/);
    expect(byId('gl40FunctionArn')[0].Export.Name).toMatch(/-gl-40-function-arn$/);
    // THEN the fleet's stack has the API's outputs only, far below 200
    const parentOutputs = Object.keys(Template.fromStack(f.stack).findOutputs('*'));
    expect(parentOutputs).toEqual([expect.stringMatching(/ApiEndpoint/), expect.stringMatching(/ApiId/)]);
    // THEN the fleet's lookups give the same URL, resolved in the fleet's stack
    expect(f.stack.resolve(f.fleet.endpointFor('gl-100'))['Fn::Join'][1]).toContain('/production/gl-100/mcp');
    expect(f.fleet.servers).toHaveLength(100);
  });

  test('the dashboard keeps one line per function on the four Lambda widgets (within CloudWatch\'s 500 metrics a graph)', () => {
    const parent = Template.fromStack(f.stack).toJSON();
    const [[, dashboard]] = resourcesOf(parent, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Lambda Invocations', 'Lambda Errors', 'Lambda Duration (ms)', 'Lambda Concurrent Executions']) {
      expect(body.split(`\\"title\\":\\"${title}\\"`)).toHaveLength(2);
    }
    expect(body.match(/MCP server gl-\d+\\"/g)).toHaveLength(400);
  });

  test('API Gateway\'s quota of 300 resources per REST API is named at synthesis (100 servers are 301 with the root)', () => {
    Annotations.fromStack(f.stack).hasWarning('*', Match.stringLikeRegexp('301 resources for 100 servers.*quota of 300 resources per REST API'));
  });
});

describe('the threshold: serversPerStack', () => {
  test('15 servers (the default): no nested stack, the servers in the fleet\'s stack', () => {
    const f = perServerFleet(15);
    expect(f.nested).toHaveLength(0);
    Template.fromStack(f.stack).resourceCountIs('AWS::Lambda::Function', 15);
    Template.fromStack(f.stack).resourceCountIs('AWS::CloudFormation::Stack', 0);
  });

  test('16 servers: nested stacks of 15 and 1', () => {
    const f = perServerFleet(16);
    expect(f.nested).toHaveLength(2);
    expect(f.nested.map((s) => Template.fromStack(s).findResources('AWS::Lambda::Function')).map((r) => Object.keys(r).length)).toEqual([15, 1]);
    Template.fromStack(f.stack).resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a size of your own: 5 servers by 2 are 3 nested stacks; 2 servers by 2 none', () => {
    expect(perServerFleet(5, {}, 2).nested).toHaveLength(3);
    expect(perServerFleet(2, {}, 2).nested).toHaveLength(0);
  });

  test.each([0, 19, 2.5, -1])('serversPerStack %p is refused, naming the prop and the value', (value) => {
    expect(() => perServerFleet(1, {}, value)).toThrow(new RegExp(`\`serversPerStack\` must be .*got: ${String(value).replace('.', '\\.')}`));
  });

  test('the deployment is replaced when a method of a nested stack changes', () => {
    // GIVEN three identical split fleets (a synthesized app is cached: each is changed before it is read)
    const [a, b, c] = [perServerFleet(20), perServerFleet(20), perServerFleet(20)];
    const deploymentId = (f: Fleet) => resourcesOf(Template.fromStack(f.stack).toJSON(), 'AWS::ApiGateway::Deployment')[0][0];

    // WHEN one method of the second nested stack of c changes (nothing of the fleet's stack does)
    const method = c.nested[1].node.findAll().find((x) => x.node.id === 'POST')!.node.defaultChild as any;
    method.addPropertyOverride('OperationName', 'renamed');

    // THEN the same fleet gives the same deployment, the changed one another logical id: a new deployment
    expect(deploymentId(b)).toEqual(deploymentId(a));
    expect(deploymentId(c)).not.toEqual(deploymentId(a));
  });

  test('bearer tokens: the shared metadata resource stays in the fleet\'s stack, each server\'s metadata routes in its nested stack', () => {
    const f = perServerFleet(20, { auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }) });
    const parent = Template.fromStack(f.stack);
    parent.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'oauth-protected-resource' });
    const nested = Template.fromStack(f.nested[0]).toJSON();
    // 3 + 2 resources a server, 7 methods
    expect(resourcesOf(nested, 'AWS::ApiGateway::Resource')).toHaveLength(15 * 5);
    expect(resourcesOf(nested, 'AWS::ApiGateway::Method')).toHaveLength(15 * 7);
    expect(Object.keys(nested.Resources).length).toBeLessThan(LIMITS.resources);
  });
});

describe('the split with every authentication, CORS and a VPC', () => {
  const variants: Array<[string, Partial<McpServerFleetProps>, Record<string, unknown>]> = [
    ['cognito()', { auth: FleetAuth.cognito() }, { AuthorizationType: 'COGNITO_USER_POOLS' }],
    ['apiKeys()', { auth: FleetAuth.apiKeys() }, { ApiKeyRequired: true }],
    ['iam() and allowed origins', { allowedOrigins: ['https://app.example.com'] }, { AuthorizationType: 'AWS_IAM' }],
  ];

  test.each(variants)('%s: 20 servers synthesize, each POST authenticates as the fleet says, zero cdk-nag findings', (_name, props, post) => {
    const f = perServerFleet(20, props);
    expect(f.nested).toHaveLength(2);
    for (const nested of f.nested) {
      const template = Template.fromStack(nested);
      const posts = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }));
      expect(posts.length).toBe(2 * Object.keys(template.findResources('AWS::Lambda::Function')).length);
      for (const method of posts) expect(method.Properties).toEqual(expect.objectContaining(post));
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(LIMITS.resources);
    }
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(f.app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });

  test('in a VPC: the one security group stays in the fleet\'s stack, every function of every nested stack uses it', () => {
    const app = new App();
    const stack = new Stack(app, 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1 });
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: gitlabServers(20), compute: FleetCompute.lambdaPerServer({ vpc }) });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroup', 1);
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    expect(nested).toHaveLength(2);
    for (const n of nested) {
      Template.fromStack(n).allResourcesProperties('AWS::Lambda::Function', {
        VpcConfig: Match.objectLike({ SecurityGroupIds: [{ Ref: Match.stringLikeRegexp('^referenceto.*SecurityGroup.*GroupId$') }] }),
      });
    }
  });

  test('cognito(): the one authorizer stays in the fleet\'s stack, the nested methods name it', () => {
    const f = perServerFleet(20, { auth: FleetAuth.cognito() });
    Template.fromStack(f.stack).resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    for (const nested of f.nested) {
      Template.fromStack(nested).resourceCountIs('AWS::ApiGateway::Authorizer', 0);
      Template.fromStack(nested).hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST', AuthorizerId: { Ref: Match.stringLikeRegexp('^referenceto.*Authorizer.*Ref$') },
      });
    }
  });
});

describe('cdk-nag AwsSolutions on a split fleet', () => {
  test('zero unacknowledged findings on a 100-server lambdaPerServer app', () => {
    const f = perServerFleet(100);
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(f.app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});

describe('the other topologies at 100 servers: within the limits, or refused naming the limit', () => {
  test('lambdaMultiServer is refused: one function\'s environment cannot hold 100 servers (Lambda\'s 4 KB)', () => {
    expect(() => perServerFleetOf(FleetCompute.lambdaMultiServer())).toThrow(/environment of MCP servers gl-1, .*lambdaPerServer\(\)/s);
  });

  test('fargateMultiServer synthesizes, one log group output for the servers sharing it (100 servers x 2 outputs would pass 200)', () => {
    const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: gitlabServers(100),
      compute: FleetCompute.fargateMultiServer({ certificate: certificate(stack) }),
      auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
    });
    const json = Template.fromStack(stack).toJSON();
    const outputs = Object.keys(json.Outputs);
    expect(outputs.length).toBeLessThan(LIMITS.outputs);
    expect(Object.keys(json.Resources).length).toBeLessThan(LIMITS.resources);
    expect(outputs.filter((id) => /ApiEndpoint/.test(id))).toHaveLength(100);
    const logGroups = Object.entries(json.Outputs).filter(([id]) => /LogGroupName/.test(id)) as Array<[string, any]>;
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0][1].Description).toBe('CloudWatch log group of MCP servers gl-1 to gl-100 (100 servers)');
  });

  test('below the outputs limit a multi-server fleet keeps one log group output per server', () => {
    const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: gitlabServers(50),
      compute: FleetCompute.fargateMultiServer({ certificate: certificate(stack) }),
      auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
    });
    const outputs = Object.keys(Template.fromStack(stack).findOutputs('*'));
    expect(outputs.filter((id) => /LogGroupName/.test(id))).toHaveLength(50);
  });

  test('fargatePerServer past 23 servers is refused naming CloudFormation\'s 500 resources and the alternatives', () => {
    const fargateFleet = (count: number) => {
      const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
      new McpServerFleet(stack, 'Fleet', {
        environment: 'production',
        servers: gitlabServers(count),
        compute: FleetCompute.fargatePerServer({ certificate: certificate(stack) }),
        auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
      });
      return stack;
    };
    for (const count of [24, 50, 100]) {
      expect(() => fargateFleet(count)).toThrow(new RegExp(`serves at most 23 servers in one stack .*CloudFormation's 500.*got ${count}; use fargateMultiServer\\(\\)`));
    }
    expect(() => Template.fromStack(fargateFleet(23))).not.toThrow();
  });
});

function perServerFleetOf(compute: ReturnType<typeof FleetCompute.lambdaMultiServer>): McpServerFleet {
  const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
  return new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: gitlabServers(100), compute });
}
