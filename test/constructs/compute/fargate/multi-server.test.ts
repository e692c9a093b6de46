import { Match } from 'aws-cdk-lib/assertions';
import { CredentialDelivery, FleetCompute, McpServer, ServerCredential } from '../../../../src';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, policyStatements, twoServers } from '../../helpers';
import { expectLeastPrivilege } from '../least-privilege';
import { ISSUER, certificate, containers, environmentOf, fargateFleet, resourcesOf } from './helpers';

const multiServer = (props: Record<string, unknown> = {}) => (stack: any) =>
  FleetCompute.fargateMultiServer({ certificate: certificate(stack), ...props });

/** `count` GitLab servers named gl-1, gl-2... */
function manyServers(count: number): McpServer[] {
  return Array.from({ length: count }, (_, i) => McpServer.gitlab({
    name: `gl-${i + 1}`,
    token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token'),
  }));
}

describe('FleetCompute.fargateMultiServer (spec B.6)', () => {
  test('one task of 1024 CPU / 2048 MiB hosting every server on port 8080, one service', () => {
    const { template } = fargateFleet(multiServer(), twoServers());
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const container = containers(template)['mcp-multi-server'];
    expect(container.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'http', AppProtocol: 'http' }]);
    expect(environmentOf(container)).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      ALLOWED_HOSTS: '*',
      LOG_LEVEL: 'info',
      ENVIRONMENT: 'production',
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: ISSUER,
      POWERTOOLS_SERVICE_NAME: 'mcp-servers',
      MCP_SERVERS: 'gitlab,gl-internal:gitlab',
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      GITLAB_TOKEN_SECRET_ARN: `${GITLAB_SECRET_ARN}#token`,
      GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
      GL_INTERNAL_ALLOW_WRITES: 'true',
      GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MaximumPercent: 200, MinimumHealthyPercent: 100 },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
  });

  test('spec B.6: the container\'s health check 30/10/3/60, logs under the `mcp` stream prefix; a Server tag per target group only', () => {
    const { template } = fargateFleet(multiServer(), twoServers());
    const container = containers(template)['mcp-multi-server'];
    expect(container.HealthCheck).toEqual({ Command: ['CMD-SHELL', 'node /app/healthcheck.js || exit 1'], Interval: 30, Timeout: 10, Retries: 3, StartPeriod: 60 });
    expect(container.LogConfiguration.Options['awslogs-stream-prefix']).toBe('mcp');
    const serverTag = (r: { Properties: { Tags?: Array<{ Key: string; Value: string }> } }) => r.Properties.Tags?.find((t) => t.Key === 'Server')?.Value;
    expect(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, g]) => serverTag(g)).sort()).toEqual(['gitlab', 'gl-internal']);
    // The one task and service host every server: no Server tag.
    for (const type of ['AWS::ECS::TaskDefinition', 'AWS::ECS::Service']) {
      expect(resourcesOf(template, type).map(([, r]) => serverTag(r))).toEqual([undefined]);
    }
  });

  test('a target group per server health-checking /<server>/health, rules at 100, 101, the service in every group', () => {
    const { template } = fargateFleet(multiServer(), twoServers());
    const groups = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(groups.map(([, g]) => g.Properties.HealthCheckPath).sort()).toEqual(['/gitlab/health', '/gl-internal/health']);
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      HealthCheckTimeoutSeconds: 5,
      HealthCheckIntervalSeconds: 30,
      Matcher: { HttpCode: '200' },
    });
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties).sort((a, b) => a.Priority - b.Priority);
    expect(rules.map((r) => [r.Priority, r.Conditions[0].PathPatternConfig.Values.slice(0, 2)])).toEqual([
      [100, ['/gitlab', '/gitlab/*']],
      [101, ['/gl-internal', '/gl-internal/*']],
    ]);
    const [[, service]] = resourcesOf(template, 'AWS::ECS::Service');
    expect(service.Properties.LoadBalancers).toHaveLength(2);
    expect(service.Properties.LoadBalancers.map((l: any) => [l.ContainerName, l.ContainerPort])).toEqual([['mcp-multi-server', 8080], ['mcp-multi-server', 8080]]);
    expect(new Set(service.Properties.LoadBalancers.map((l: any) => l.TargetGroupArn.Ref)).size).toBe(2);
  });

  test('past five servers (ECS attaches at most five target groups to a service) one shared group, a rule per server', () => {
    const { template } = fargateFleet(multiServer(), manyServers(6));
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health' });
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    expect(rules.map((r) => r.Priority).sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(new Set(rules.map((r) => JSON.stringify(r.Actions))).size).toBe(1);
    // five servers still get a group each
    fargateFleet(multiServer(), manyServers(5)).template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 5);
  });

  test('the task role reads every server\'s secret (one process holds them), nothing more', () => {
    const { template } = fargateFleet(multiServer(), twoServers());
    expectLeastPrivilege(template);
    const reads = policyStatements(template).filter(({ statement }) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads.map(({ policy }) => policy)).toEqual([expect.stringMatching(/ServersTaskRole/), expect.stringMatching(/ServersTaskRole/)]);
    expect(reads.map(({ statement }) => statement.Resource).sort()).toEqual([GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN].sort());
  });

  test('injected secrets, sizes and priorities are honoured', () => {
    const { template } = fargateFleet(multiServer({
      credentials: CredentialDelivery.ECS_SECRET, cpu: 2048, memoryLimitMiB: 4096, listenerPriorities: { gitlab: 200 },
    }), twoServers());
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '4096' });
    expect(containers(template)['mcp-multi-server'].Secrets).toEqual([
      { Name: 'GITLAB_TOKEN', ValueFrom: `${GITLAB_SECRET_ARN}:token::` },
      { Name: 'GL_INTERNAL_TOKEN', ValueFrom: INTERNAL_SECRET_ARN },
    ]);
    const priorities = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Priority).sort((a, b) => a - b);
    expect(priorities).toEqual([101, 200]);
    expectLeastPrivilege(template);
  });

  test('the endpoints, the handles (one service for every server), outputs', () => {
    const { stack, fleet, template } = fargateFleet(multiServer(), twoServers());
    const compute = fleet.compute as ReturnType<typeof FleetCompute.fargateMultiServer>;
    expect(compute.serviceFor('gitlab')).toBe(compute.serviceFor('gl-internal'));
    expect(compute.targetGroupFor('gitlab')).not.toBe(compute.targetGroupFor('gl-internal'));
    expect(JSON.stringify(stack.resolve(fleet.endpointFor('gl-internal')))).toContain('/gl-internal/mcp');
    expect(Object.keys(template.findOutputs('*')).some((o) => /serversServiceName/.test(o))).toBe(true);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE_SPOT', Weight: 3 }]) });
  });

  test('past the ALB\'s 100 listener rules: refused, naming the quota', () => {
    expect(() => fargateFleet(multiServer(), manyServers(101))).toThrow(/holds at most 100 listener rules .* "gl-101" would be rule 101/);
  });
});
