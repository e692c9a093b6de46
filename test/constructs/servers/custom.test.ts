import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerArtifact, ServerCredential } from '../../../src';
import { certificate, containers, environmentOf, ISSUER, resourcesOf } from '../compute/fargate/helpers';
import { expectLeastPrivilege } from '../compute/least-privilege';
import { GITLAB_SECRET_ARN, newStack, policyStatements, twoServers } from '../helpers';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/acme-token-QrStUv';
const LAMBDA_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'lambda');

function acme(artifact: ServerArtifact, extra: Partial<Parameters<typeof McpServer.custom>[0]> = {}): McpServer {
  return McpServer.custom({
    name: 'acme',
    artifact,
    variables: { ACME_URL: 'https://acme.example.com/api' },
    credentials: { ACME_TOKEN: ServerCredential.fromSecretCompleteArn(SECRET_ARN, 'token') },
    ...extra,
  });
}

describe('McpServer.custom', () => {
  test('on fargatePerServer: its own image, port and health path; its variables; its secret injected for the execution role alone', () => {
    const stack = newStack();
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/acme/mcp-server:2.1.0');
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [...twoServers(), acme(ServerArtifact.fromContainerImage(image), { containerPort: 3000, healthCheckPath: '/healthz' })],
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ certificate: certificate(stack) }),
    });
    const template = Template.fromStack(stack);
    const container = containers(template)['acme-mcp-server'];
    expect(container.Image).toBe('public.ecr.aws/acme/mcp-server:2.1.0');
    expect(container.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 3000 })]);
    expect(container.HealthCheck).toBeUndefined();
    expect(environmentOf(container)).toEqual({
      PORT: '3000',
      HOST: '0.0.0.0',
      ALLOWED_HOSTS: '*',
      LOG_LEVEL: 'info',
      ENVIRONMENT: 'production',
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: ISSUER,
      POWERTOOLS_SERVICE_NAME: 'mcp-acme',
      SERVER_NAME: 'acme',
      ACME_URL: 'https://acme.example.com/api',
    });
    expect(container.Secrets).toEqual([{ Name: 'ACME_TOKEN', ValueFrom: `${SECRET_ARN}:token::` }]);
    const group = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, g]) => g.Properties).find((g) => g.Port === 3000);
    expect(group).toMatchObject({ HealthCheckPath: '/healthz', TargetType: 'ip' });
    const rule = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties).find((r) => r.Priority === 30);
    expect(rule.Conditions[0].PathPatternConfig.Values.slice(0, 2)).toEqual(['/acme', '/acme/*']);
    // the tasks' group admits the load balancer on the custom port too
    const ports = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties.FromPort);
    expect(ports).toEqual(expect.arrayContaining([3000, 8080]));
    expectLeastPrivilege(template);
    const reads = policyStatements(template).filter(({ statement }) => statement.Resource === SECRET_ARN);
    expect(reads.map(({ policy }) => policy)).toEqual([expect.stringMatching(/acmeExecutionRole/)]);
  });

  test('on lambdaPerServer: its own code and handler, its secret by ARN, the REST routes', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') }),
        acme(ServerArtifact.fromLambdaCode(lambda.Code.fromAsset(LAMBDA_DIR), { handler: 'main.handler', runtime: lambda.Runtime.PYTHON_3_13 }))],
      compute: FleetCompute.lambdaPerServer(),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'main.handler',
      Runtime: 'python3.13',
      Environment: { Variables: { SERVER_NAME: 'acme', ACME_URL: 'https://acme.example.com/api', ACME_TOKEN_SECRET_ARN: `${SECRET_ARN}#token`, AUTH_MODE: 'gateway', LOG_LEVEL: 'info', ENVIRONMENT: 'production', POWERTOOLS_SERVICE_NAME: 'mcp-acme' } },
    });
    const paths = resourcesOf(template, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['acme', 'mcp', 'health']));
    expectLeastPrivilege(template);
    // an image: Lambda's FROM_IMAGE handler and runtime
    const other = newStack();
    new McpServerFleet(other, 'Fleet', {
      environment: 'production',
      servers: [acme(ServerArtifact.fromLambdaCode(lambda.Code.fromEcrImage(
        ecr.Repository.fromRepositoryName(other, 'Repo', 'acme/mcp'), { tagOrDigest: '2.1.0' })))],
      compute: FleetCompute.lambdaPerServer(),
    });
    const [[, fn]] = resourcesOf(Template.fromStack(other), 'AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ PackageType: 'Image' });
    expect(fn.Properties.Handler).toBeUndefined();
    expect(fn.Properties.Runtime).toBeUndefined();
    expect(JSON.stringify(fn.Properties.Code.ImageUri)).toContain('acme/mcp:2.1.0');
  });

  test('refused where it cannot run: the multi-server topologies, the wrong kind of artifact', () => {
    const build = (compute: any, server: McpServer) => {
      const stack = newStack();
      return () => new McpServerFleet(stack, 'Fleet', {
        environment: 'production', servers: [...twoServers(), server], auth: FleetAuth.oauth({ issuer: ISSUER }), compute: compute(stack),
      });
    };
    const image = ServerArtifact.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/acme/mcp-server:2.1.0'));
    const code = ServerArtifact.fromLambdaCode(lambda.Code.fromAsset(LAMBDA_DIR));
    expect(build(() => FleetCompute.lambdaMultiServer(), acme(code))).toThrow(/Custom server\(s\) "acme" run their own artifact and cannot share/);
    expect(build((s: any) => FleetCompute.fargateMultiServer({ certificate: certificate(s) }), acme(image))).toThrow(/cannot share the bundled runtime's process/);
    expect(build(() => FleetCompute.lambdaPerServer(), acme(image))).toThrow(/Custom server "acme" has a container artifact; a Lambda topology runs Lambda code/);
    expect(build((s: any) => FleetCompute.fargatePerServer({ certificate: certificate(s) }), acme(code))).toThrow(/has a lambda artifact; a Fargate topology runs container images/);
  });

  test('its options are checked, naming the value', () => {
    const image = ServerArtifact.fromAsset(path.join(__dirname, '..', '..', '..', 'assets', 'server'));
    expect(() => acme(image, { variables: { 'acme-url': 'x' } })).toThrow(/variable names must be upper-case .* got: "acme-url"/);
    expect(() => acme(image, { variables: { PORT: '9000' } })).toThrow(/PORT is set by the fleet itself/);
    expect(() => acme(image, { variables: { AUTH_ISSUER: 'x' } })).toThrow(/AUTH_ISSUER is set by the fleet itself/);
    expect(() => acme(image, { variables: { ACME_TOKEN: 'x' } })).toThrow(/ACME_TOKEN is given twice/);
    expect(() => acme(image, { containerPort: 70000 })).toThrow(/`containerPort` must be between 1 and 65535, got: 70000/);
    expect(() => acme(image, { healthCheckPath: 'health' })).toThrow(/`healthCheckPath` of custom server "acme" must be a path such as \/health, got: "health"/);
    expect(() => acme(image, { name: 'Acme' })).toThrow(/`name` of a server must be lowercase/);
    expect(() => McpServer.custom({ name: 'acme' } as any)).toThrow(/`artifact` of custom server "acme" is required/);
    expect(acme(image).kind).toBe('custom');
  });
});
