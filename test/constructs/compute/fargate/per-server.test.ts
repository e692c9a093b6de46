import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { CredentialDelivery, FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential, ServerImage } from '../../../../src';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, newStack, policyStatements, twoServers } from '../../helpers';
import { expectLeastPrivilege } from '../least-privilege';
import { CERTIFICATE_ARN, ISSUER, certificate, containers, environmentOf, fargateFleet, resourcesOf } from './helpers';

const perServer = (props: Record<string, unknown> = {}) => (stack: any) =>
  FleetCompute.fargatePerServer({ certificate: certificate(stack), ...props });

describe('FleetCompute.fargatePerServer: cluster (spec B.1)', () => {
  test('FARGATE and FARGATE_SPOT, base 1 weight 1 / weight 3, Container Insights, Exec logging', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      Configuration: { ExecuteCommandConfiguration: { Logging: 'DEFAULT' } },
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
      DefaultCapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
  });

  test('a given cluster is used, and no VPC or cluster is created', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Mine', { maxAzs: 2 });
    const cluster = new ecs.Cluster(stack, 'MyCluster', { vpc });
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ cluster, certificate: certificate(stack) }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::ECS::Service', { Cluster: { Ref: Match.stringLikeRegexp('^MyCluster') } });
  });
});

describe('FleetCompute.fargatePerServer: task definitions (spec B.2)', () => {
  test('one per server: awsvpc, 256 CPU / 512 MiB, ARM64 Linux, its own roles', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ECS::TaskDefinition', 2);
    template.allResourcesProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExecutionRole'), 'Arn'] },
      TaskRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TaskRole'), 'Arn'] },
    });
    const roles = resourcesOf(template, 'AWS::ECS::TaskDefinition').map(([, td]) => td.Properties.TaskRoleArn['Fn::GetAtt'][0]);
    expect(new Set(roles).size).toBe(2);
  });

  test('the spec\'s Server tag on each server\'s task definition, service, log group and target group (B.2-B.4)', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    for (const type of ['AWS::ECS::TaskDefinition', 'AWS::ECS::Service', 'AWS::Logs::LogGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup']) {
      const servers = resourcesOf(template, type)
        .map(([, r]) => (r.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.find((t) => t.Key === 'Server')?.Value)
        .filter((v) => v !== undefined)
        .sort();
      expect({ type, servers }).toEqual({ type, servers: ['gitlab', 'gl-internal'] });
    }
  });

  test('the container: port 8080, health check 30/5/3/60, nofile 65536, init process, awslogs, stop timeout', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    const gitlab = containers(template)['gitlab-mcp-server'];
    expect(gitlab).toMatchObject({
      Essential: true,
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'http', AppProtocol: 'http' }],
      HealthCheck: { Command: ['CMD-SHELL', 'node /app/healthcheck.js || exit 1'], Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 60 },
      Ulimits: [{ Name: 'nofile', SoftLimit: 65536, HardLimit: 65536 }],
      LinuxParameters: { InitProcessEnabled: true },
      ReadonlyRootFilesystem: true,
      StopTimeout: 30,
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: expect.stringMatching(/gitlabLogGroup/) }, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'us-east-1' },
      },
    });
    expect(containers(template)['gl-internal-mcp-server']).toBeDefined();
  });

  test('the environment: the spec\'s variables, the server\'s settings and its secret by ARN, no secret values', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    const all = containers(template);
    expect(environmentOf(all['gitlab-mcp-server'])).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      ALLOWED_HOSTS: '*',
      LOG_LEVEL: 'info',
      ENVIRONMENT: 'production',
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: ISSUER,
      POWERTOOLS_SERVICE_NAME: 'mcp-gitlab',
      SERVER_NAME: 'gitlab',
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      GITLAB_TOKEN_SECRET_ARN: `${GITLAB_SECRET_ARN}#token`,
    });
    expect(environmentOf(all['gl-internal-mcp-server'])).toMatchObject({
      SERVER_NAME: 'gl-internal',
      SERVER_KIND: 'gitlab',
      GL_INTERNAL_ALLOW_WRITES: 'true',
      GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
    });
    expect(all['gitlab-mcp-server'].Secrets).toBeUndefined();
  });

  test('each task role reads its own server\'s secret only; the execution role none (ARN mode)', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    expectLeastPrivilege(template);
    const secretReads = policyStatements(template).filter(({ statement }) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads.map(({ policy, statement }) => [policy.replace(/[0-9A-F]{8}$/, ''), statement.Resource])).toEqual(expect.arrayContaining([
      [expect.stringMatching(/gitlabTaskRoleDefaultPolicy/), GITLAB_SECRET_ARN],
      [expect.stringMatching(/glinternalTaskRoleDefaultPolicy/), INTERNAL_SECRET_ARN],
    ]));
    expect(secretReads).toHaveLength(2);
  });

  test('CredentialDelivery.ECS_SECRET injects the values, and the execution role reads exactly those secrets', () => {
    const { template } = fargateFleet(perServer({ credentials: CredentialDelivery.ECS_SECRET }), twoServers());
    const gitlab = containers(template)['gitlab-mcp-server'];
    expect(gitlab.Secrets).toEqual([{ Name: 'GITLAB_TOKEN', ValueFrom: `${GITLAB_SECRET_ARN}:token::` }]);
    expect(environmentOf(gitlab).GITLAB_TOKEN_SECRET_ARN).toBeUndefined();
    expectLeastPrivilege(template);
    const secretReads = policyStatements(template).filter(({ statement }) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads.map(({ policy }) => policy)).toEqual([expect.stringMatching(/gitlabExecutionRole/), expect.stringMatching(/glinternalExecutionRole/)]);
  });

  test('sizes, log level and a secret cache time are honoured; a size Fargate does not offer is refused', () => {
    const { template } = fargateFleet(perServer({ cpu: 512, memoryLimitMiB: 2048, logLevel: 'debug', secretCacheTtl: Duration.minutes(2) }), twoServers());
    template.allResourcesProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '2048' });
    expect(environmentOf(containers(template)['gitlab-mcp-server'])).toMatchObject({ LOG_LEVEL: 'debug', SECRET_CACHE_TTL_SECONDS: '120' });
    expect(() => fargateFleet(perServer({ cpu: 300 }), twoServers())).toThrow(/`cpu` must be a Fargate size .* got: 300/);
    expect(() => fargateFleet(perServer({ cpu: 256, memoryLimitMiB: 4096 })
      , twoServers())).toThrow(/`memoryLimitMiB` must be 512, 1024, 2048 with `cpu` 256 .* got: 4096/);
    expect(() => fargateFleet(perServer({ cpu: 1024, memoryLimitMiB: 2500 }), twoServers())).toThrow(/2048 to 8192 in steps of 1024/);
  });
});

describe('FleetCompute.fargatePerServer: services and scaling (spec B.3, B.6)', () => {
  test('desired 2, circuit breaker with rollback, 200/100 %, grace 120 s, private subnets, no public IP, tags, Exec', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.allResourcesProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      LaunchType: Match.absent(),
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
      PlatformVersion: 'LATEST',
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MaximumPercent: 200, MinimumHealthyPercent: 100 },
      HealthCheckGracePeriodSeconds: 120,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1') }]),
          SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('TaskSecurityGroup'), 'GroupId'] }],
        },
      },
      EnableECSManagedTags: true,
      PropagateTags: 'SERVICE',
      EnableExecuteCommand: true,
      LoadBalancers: [{ ContainerName: Match.stringLikeRegexp('-mcp-server$'), ContainerPort: 8080, TargetGroupArn: { Ref: Match.anyValue() } }],
    });
  });

  test('target tracking on CPU 70 % and memory 80 %, 2 to 10 tasks, cooldowns out 60 s / in 300 s', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
    template.allResourcesProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs',
    });
    for (const [metric, target] of [['ECSServiceAverageCPUUtilization', 70], ['ECSServiceAverageMemoryUtilization', 80]] as const) {
      expect(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([, p]) =>
        p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType === metric)
        .map(([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration)).toEqual([
        expect.objectContaining({ TargetValue: target, ScaleOutCooldown: 60, ScaleInCooldown: 300 }),
        expect.objectContaining({ TargetValue: target, ScaleOutCooldown: 60, ScaleInCooldown: 300 }),
      ]);
    }
  });

  test('scaling and deployment settings are overridable and checked', () => {
    const { template } = fargateFleet(perServer({
      desiredCount: 3,
      maxCapacity: 6,
      cpuTargetUtilizationPercent: 60,
      memoryTargetUtilizationPercent: 75,
      scaleOutCooldown: Duration.seconds(30),
      scaleInCooldown: Duration.seconds(600),
      healthCheckGracePeriod: Duration.seconds(90),
      enableExecuteCommand: false,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
    }), twoServers());
    template.allResourcesProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      HealthCheckGracePeriodSeconds: 90,
      EnableExecuteCommand: false,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
    template.allResourcesProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60, ScaleOutCooldown: 30, ScaleInCooldown: 600 }),
    });
    // no Exec: no ssmmessages in any policy
    expect(JSON.stringify(policyStatements(template))).not.toContain('ssmmessages');
    expect(() => fargateFleet(perServer({ desiredCount: 4, maxCapacity: 3 }), twoServers())).toThrow(/`maxCapacity` must be at least `desiredCount` \(4\), got: 3/);
    expect(() => fargateFleet(perServer({ cpuTargetUtilizationPercent: 0 }), twoServers())).toThrow(/`cpuTargetUtilizationPercent` must be between 10 and 100, got: 0/);
    expect(() => fargateFleet(perServer({ desiredCount: 0 }), twoServers())).toThrow(/`desiredCount` must be an integer of at least 1, got: 0/);
    expect(() => fargateFleet(perServer({ capacityProviderStrategies: [] }), twoServers())).toThrow(/`capacityProviderStrategies` must name at least one/);
  });
});

describe('FleetCompute.fargatePerServer: load balancer (spec B.4)', () => {
  test('internet-facing, HTTPS 443 with the TLS 1.3 policy and a JSON 404, HTTP 80 redirecting', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Type: 'application',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'application/json', MessageBody: '{"error":"Not Found"}' } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  test('a target group per server: HTTP 8080, ip, /health, 2/3, 5 s, 30 s, 200, deregistration 30 s', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      HealthCheckTimeoutSeconds: 5,
      HealthCheckIntervalSeconds: 30,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('rules at 10, 20 in server order on /<server> and below, plus the RFC 9728 metadata with bearer tokens', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties)
      .sort((a, b) => a.Priority - b.Priority);
    expect(rules.map((r) => [r.Priority, r.Conditions[0].PathPatternConfig.Values])).toEqual([
      [10, ['/gitlab', '/gitlab/*', '/.well-known/oauth-protected-resource/gitlab', '/.well-known/oauth-protected-resource/gitlab/*']],
      [20, ['/gl-internal', '/gl-internal/*', '/.well-known/oauth-protected-resource/gl-internal', '/.well-known/oauth-protected-resource/gl-internal/*']],
    ]);
    expect(rules.every((r) => r.Actions[0].Type === 'forward' && r.ListenerArn.Ref.includes('Https'))).toBe(true);
    // without bearer tokens, no metadata route
    const open = fargateFleet(perServer(), [twoServers()[0]], { auth: FleetAuth.none({ reason: 'reachable from a private network only' }) }).template;
    const openRules = resourcesOf(open, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Conditions[0].PathPatternConfig.Values);
    expect(openRules).toEqual(expect.arrayContaining([['/gitlab', '/gitlab/*']]));
  });

  test('priorities are overridable by server name, and checked', () => {
    const { template } = fargateFleet(perServer({ listenerPriorities: { 'gl-internal': 5 } }), twoServers());
    const priorities = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Priority).sort((a, b) => a - b);
    expect(priorities).toEqual([5, 10]);
    expect(() => fargateFleet(perServer({ listenerPriorities: { 'gl-internal': 10 } }), twoServers()))
      .toThrow(/servers "gitlab" and "gl-internal" both have priority 10/);
    expect(() => fargateFleet(perServer({ listenerPriorities: { jira: 30 } }), twoServers()))
      .toThrow(/`listenerPriorities` names "jira", which is not a server of the fleet; its servers: gitlab, gl-internal/);
    expect(() => fargateFleet(perServer({ listenerPriorities: { gitlab: 60000 } }), twoServers()))
      .toThrow(/`listenerPriorities.gitlab` must be between 1 and 50000, got: 60000/);
  });

  test('security groups as spec B.5: ALB 443/80 in, 8080 to the tasks only; tasks 8080 from the ALB only, 443 out', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const [albId, alb] = groups.find(([id]) => /FrontDoorSecurityGroup/.test(id))!;
    const [taskId, task] = groups.find(([id]) => /TaskSecurityGroup/.test(id))!;
    expect(alb.Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort, r.ToPort])).toEqual([['0.0.0.0/0', 443, 443], ['0.0.0.0/0', 80, 80]]);
    expect(task.Properties.SecurityGroupEgress.map((r: any) => [r.CidrIp, r.FromPort, r.ToPort])).toEqual([['0.0.0.0/0', 443, 443]]);
    expect(task.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const egress = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
    expect(ingress.map((r) => [r.GroupId['Fn::GetAtt'][0], r.SourceSecurityGroupId['Fn::GetAtt'][0], r.FromPort, r.ToPort]))
      .toEqual([[taskId, albId, 8080, 8080]]);
    expect(egress.map((r) => [r.GroupId['Fn::GetAtt'][0], r.DestinationSecurityGroupId['Fn::GetAtt'][0], r.FromPort, r.ToPort]))
      .toEqual([[albId, taskId, 8080, 8080]]);
    // The ALB's own group allows nothing else out (no inline egress rule, no allow-all).
    expect(alb.Properties.SecurityGroupEgress).toBeUndefined();
  });

  test('internal: scheme internal, in from the VPC only', () => {
    const { template } = fargateFleet(perServer({ internetFacing: false }), twoServers());
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const [, alb] = resourcesOf(template, 'AWS::EC2::SecurityGroup').find(([id]) => /FrontDoorSecurityGroup/.test(id))!;
    expect(alb.Properties.SecurityGroupIngress.map((r: any) => r.CidrIp)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/Vpc/), 'CidrBlock'] }, { 'Fn::GetAtt': [expect.stringMatching(/Vpc/), 'CidrBlock'] },
    ]);
  });

  test('a domain: a certificate validated in the zone, an alias record, the endpoints on that name', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const fleet = new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ domainName: 'mcp.example.com', hostedZone }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'mcp.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'mcp.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'mcp.example.com.', Type: 'A', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }),
    });
    expect(fleet.endpointFor('gitlab')).toBe('https://mcp.example.com/gitlab/mcp');
  });

  test('no certificate and no domain, a bad domain, a zone without a domain: refused', () => {
    expect(() => fargateFleet(() => FleetCompute.fargatePerServer(), twoServers())).toThrow(/serve HTTPS only .* give `certificate` .* or `domainName`/);
    expect(() => fargateFleet(() => FleetCompute.fargatePerServer({ domainName: 'MCP example' }), twoServers()))
      .toThrow(/`domainName` must be a lowercase DNS name such as mcp.example.com, got: "MCP example"/);
  });
});

describe('FleetCompute.fargatePerServer: network (spec B.5)', () => {
  test('a VPC at the spec\'s addresses: 10.0.0.0/16, public 10.0.1-3.0/24, private 10.0.10-12.0/24, one NAT, flow logs', () => {
    const { template } = fargateFleet(perServer(), twoServers());
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const cidrs = resourcesOf(template, 'AWS::EC2::Subnet').map(([, s]) => s.Properties.CidrBlock).sort();
    expect(cidrs).toEqual(['10.0.1.0/24', '10.0.10.0/24', '10.0.11.0/24', '10.0.12.0/24', '10.0.2.0/24', '10.0.3.0/24']);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  test('the spec\'s endpoints by default: S3 gateway, ECR api/dkr, Secrets Manager, Logs; NAT gateways as asked', () => {
    const { template } = fargateFleet(perServer({ natGateways: 3 }), twoServers());
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    const services = resourcesOf(template, 'AWS::EC2::VPCEndpoint').map(([, e]) => JSON.stringify(e.Properties.ServiceName));
    for (const name of ['s3', 'ecr.api', 'ecr.dkr', 'secretsmanager', 'logs']) {
      expect(services.some((s) => s.includes(`.${name}`))).toBe(true);
    }
    expect(services).toHaveLength(5);
    // Interface endpoints answer with private DNS, so the SDKs in the task need no other endpoint URL.
    for (const [, e] of resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(([, x]) => x.Properties.VpcEndpointType === 'Interface')) {
      expect(e.Properties.PrivateDnsEnabled).toBe(true);
    }
    // Their security groups admit HTTPS from the tasks' private subnets only.
    const endpointGroups = resourcesOf(template, 'AWS::EC2::SecurityGroup').filter(([id]) => /Network.*(EcrApi|EcrDocker|SecretsManager|Logs)/.test(id));
    expect(endpointGroups).toHaveLength(4);
    for (const [, g] of endpointGroups) {
      expect(g.Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort, r.ToPort]).sort())
        .toEqual([['10.0.10.0/24', 443, 443], ['10.0.11.0/24', 443, 443], ['10.0.12.0/24', 443, 443]]);
    }
  });

  test('vpcEndpoints: false leaves them out (their calls go through the NAT gateway)', () => {
    const { template } = fargateFleet(perServer({ vpcEndpoints: false }), twoServers());
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('a given VPC is used; vpc with cluster, or VPC shaping props with a VPC, are refused', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Mine', { maxAzs: 2 });
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ vpc, certificate: certificate(stack) }),
    });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
    const other = newStack();
    const cluster = new ecs.Cluster(other, 'C', { vpc: new ec2.Vpc(other, 'V') });
    expect(() => fargateFleet((s) => FleetCompute.fargatePerServer({ vpc: new ec2.Vpc(s, 'V2'), cluster, certificate: certificate(s) }), twoServers()))
      .toThrow(/`vpc` and `cluster` are exclusive/);
    expect(() => fargateFleet((s) => FleetCompute.fargatePerServer({ vpc: new ec2.Vpc(s, 'V2'), natGateways: 2, certificate: certificate(s) }), twoServers()))
      .toThrow(/`natGateways` and `vpcEndpoints` shape the VPC the compute creates/);
  });
});

describe('FleetCompute.fargatePerServer: the fleet', () => {
  test('endpoints on the ALB, log groups with the fleet\'s retention, handles, outputs', () => {
    const stack = newStack();
    const compute = FleetCompute.fargatePerServer({ certificate: certificate(stack) });
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute, auth: FleetAuth.oauth({ issuer: ISSUER }) });
    const template = Template.fromStack(stack);
    expect(stack.resolve(fleet.endpointFor('gitlab'))).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/LoadBalancer/), 'DNSName'] }, '/gitlab/mcp']] });
    expect(compute.serviceFor('gitlab')).not.toBe(compute.serviceFor('gl-internal'));
    expect(compute.targetGroupFor('gitlab')).toBeDefined();
    expect(compute.taskDefinitionFor('gitlab').family).toBeDefined();
    expect(compute.loadBalancer).toBeDefined();
    expect(compute.cluster).toBeDefined();
    expect(() => compute.serviceFor('jira')).toThrow(/serves no server named "jira"; its servers: gitlab, gl-internal/);
    expect(() => FleetCompute.fargatePerServer().serviceFor('gitlab')).toThrow(/is not bound to a fleet yet/);
    expect(fleet.logGroupFor('gitlab')).toBeDefined();
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const outputs = Object.keys(template.findOutputs('*'));
    for (const id of ['LoadBalancerDnsName', 'LoadBalancerHostedZoneId', 'ClusterName', 'gitlabServiceName', 'glinternalServiceName', 'gitlabApiEndpoint']) {
      expect(outputs.some((o) => o.includes(id))).toBe(true);
    }
    expect(() => new McpServerFleet(stack, 'Second', { environment: 'production', servers: twoServers(), compute, auth: FleetAuth.oauth({ issuer: ISSUER }) }))
      .toThrow(/can serve one fleet only; create one with FleetCompute.fargatePerServer\(\)/);
  });

  test('FleetAuth.iam() and apiKeys() are refused: an ALB cannot enforce them', () => {
    expect(() => fargateFleet(perServer(), twoServers(), { auth: FleetAuth.iam() })).toThrow(/cannot enforce FleetAuth.iam\(\)/);
    expect(() => fargateFleet(perServer(), twoServers(), { auth: FleetAuth.apiKeys() })).toThrow(/cannot enforce FleetAuth.apiKeys\(\)/);
    expect(() => fargateFleet(perServer(), twoServers(), { auth: undefined as any })).toThrow(/cannot enforce FleetAuth.iam\(\)/);
  });

  test('an image from ECR: pull on that repository only', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'mcp-servers/runtime');
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') })],
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ certificate: certificate(stack), image: ServerImage.fromEcrRepository(repository, '1.4.2') }),
    });
    const template = Template.fromStack(stack);
    expect(JSON.stringify(containers(template)['gitlab-mcp-server'].Image)).toContain('mcp-servers/runtime:1.4.2');
    const pulls = policyStatements(template).filter(({ statement }) => [statement.Action].flat().includes('ecr:BatchGetImage'));
    expect(pulls).toHaveLength(1);
    expect(JSON.stringify(pulls[0].statement.Resource)).toContain('repository/mcp-servers/runtime');
    expectLeastPrivilege(template);
  });
});

describe('FleetCompute.fargatePerServer: size', () => {
  test('past 23 servers (CloudFormation\'s 500 resources) refused, naming the alternatives', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => McpServer.gitlab({
      name: `gl-${i + 1}`, token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token'),
    }));
    expect(() => fargateFleet(perServer(), many(24))).toThrow(/serves at most 23 servers in one stack .* got 24; use fargateMultiServer\(\)/);
    const { template } = fargateFleet(perServer(), many(23));
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(500);
  });
});

test('every security group description uses only the characters EC2 accepts', () => {
  // EC2 GroupDescription: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (an apostrophe fails the create).
  for (const compute of [perServer(), (stack: any) => FleetCompute.fargateMultiServer({ certificate: certificate(stack) })]) {
    const { template } = fargateFleet(compute, twoServers());
    const descriptions = resourcesOf(template, 'AWS::EC2::SecurityGroup').map(([, g]) => g.Properties.GroupDescription);
    expect(descriptions.length).toBeGreaterThan(1);
    for (const d of descriptions) expect(d).toMatch(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/);
  }
});
