import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DOMAIN, ISSUER, ZONE_ID, computeOf, fleetIn, importedCertificate, logicalIdOf, onlyResource, refOf, resourcesOf, setUp, zoneIn } from './helpers';
import { FleetAuth, McpServer, McpServerFleet, ServerCredential } from '../../../src';
import { FargateComputeBase } from '../../../src/compute/fargate/base';
import { LambdaMultiServerCompute } from '../../../src/compute/lambda/multi-server';
import { LambdaPerServerCompute } from '../../../src/compute/lambda/per-server';
import { FleetComputeBinding, IFleetCompute, IFleetContext, FleetServerDescription } from '../../../src/compute/types';
import { FleetDomain } from '../../../src/dns/fleet-domain';
import { GITLAB_SECRET_ARN, newStack } from '../helpers';

/** The health check config every front door gets (spec C.2), with its own host and path. */
const specHealthCheck = (fqdn: unknown, resourcePath: string) => ({
  HealthCheckConfig: {
    Type: 'HTTPS',
    Port: 443,
    RequestInterval: 30,
    FailureThreshold: 3,
    EnableSNI: true,
    ResourcePath: resourcePath,
    FullyQualifiedDomainName: fqdn,
    Inverted: false,
    MeasureLatency: false,
  },
});

/** `<api id>.execute-api.us-east-1.<url suffix>` as the template writes it. */
const executeApiHost = (apiRef: { Ref: string }) => ({ 'Fn::Join': ['', [apiRef, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });

describe('FleetDomain on FleetCompute.lambdaPerServer() (REST API)', () => {
  const { stack, fleet, zone } = setUp('lambdaPerServer');
  const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
  const template = Template.fromStack(stack);
  const api = (fleet.compute as LambdaPerServerCompute).restApi!;

  test('a REGIONAL custom domain name with the TLS 1.2 policy and the created certificate', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: DOMAIN,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      RegionalCertificateArn: refOf(domain.certificate),
    });
  });

  test('the certificate is for the name and validated by DNS in the zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: DOMAIN,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: DOMAIN, HostedZoneId: ZONE_ID }],
    });
  });

  test('the stage is mapped at the root: no base path, so /<server>/mcp is the stage\'s /<server>/mcp', () => {
    const [, mapping] = onlyResource(template, 'AWS::ApiGateway::BasePathMapping');
    expect(mapping.Properties).toEqual({
      DomainName: refOf(domain.restApiDomain!),
      RestApiId: refOf(api),
      Stage: refOf(api.deploymentStage),
    });
    expect(mapping.Properties.BasePath).toBeUndefined();
  });

  test('an alias A record of the name to the custom domain\'s regional name (not evaluating target health, as the spec)', () => {
    const domainId = logicalIdOf(domain.restApiDomain!);
    const [, record] = onlyResource(template, 'AWS::Route53::RecordSet');
    expect(record.Properties).toMatchObject({
      Name: `${DOMAIN}.`,
      Type: 'A',
      HostedZoneId: ZONE_ID,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
    expect(record.Properties.AliasTarget.EvaluateTargetHealth).toBeFalsy();
    expect(record.Properties.Failover).toBeUndefined();
  });

  test('the health check: the spec\'s values, on the API\'s execute-api host, the first server\'s health under the stage', () => {
    const [, check] = onlyResource(template, 'AWS::Route53::HealthCheck');
    expect(check.Properties).toEqual(specHealthCheck(executeApiHost(refOf(api)), '/production/gitlab/health'));
  });

  test('that path is a GET route of the API (stage /production, resource /gitlab/health)', () => {
    const health = resourcesOf(template, 'AWS::ApiGateway::Resource').find(([, r]) => r.Properties.PathPart === 'health'
      && JSON.stringify(r.Properties.ParentId).includes('gitlab') && !JSON.stringify(r.Properties.ParentId).includes('internal'));
    expect(health).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ResourceId: { Ref: health![0] } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'production' });
  });

  test('endpointFor is https://<domain>/<server>/mcp, and refuses a server the fleet lacks', () => {
    expect(domain.endpointFor('gitlab')).toBe('https://mcp.example.com/gitlab/mcp');
    expect(domain.endpointFor('gl-internal')).toBe('https://mcp.example.com/gl-internal/mcp');
    expect(() => domain.endpointFor('jira')).toThrow(/jira/);
  });

  test('no alarm unless asked', () => {
    expect(domain.healthCheckAlarm).toBeUndefined();
    expect(resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'AWS/Route53')).toEqual([]);
  });
});

describe('FleetDomain on FleetCompute.lambdaMultiServer() (HTTP API)', () => {
  const { stack, fleet, zone } = setUp('lambdaMultiServer');
  const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
  const template = Template.fromStack(stack);
  const compute = fleet.compute as LambdaMultiServerCompute;

  test('an HTTP API custom domain name: REGIONAL, TLS 1.2, the created certificate', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: DOMAIN,
      DomainNameConfigurations: [{ CertificateArn: refOf(domain.certificate), EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
  });

  test('the $default stage mapped at the root (no mapping key), once the stage exists', () => {
    const [, mapping] = onlyResource(template, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mapping.Properties).toEqual({
      ApiId: refOf(compute.httpApi!),
      DomainName: refOf(domain.httpApiDomain!),
      Stage: '$default',
    });
    expect(mapping.DependsOn).toContain(logicalIdOf(compute.stage!));
  });

  test('an alias A record to the custom domain\'s regional name', () => {
    const domainId = logicalIdOf(domain.httpApiDomain!);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `${DOMAIN}.`,
      Type: 'A',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
  });

  test('the health check requests the HTTP API\'s own GET /health, a route of the API', () => {
    const [, check] = onlyResource(template, 'AWS::Route53::HealthCheck');
    expect(check.Properties).toEqual(specHealthCheck(executeApiHost(refOf(compute.httpApi!)), '/health'));
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /health' });
  });
});

describe.each(['fargatePerServer', 'fargateMultiServer'] as const)('FleetDomain on FleetCompute.%s() (load balancer)', (kind) => {
  const { stack, fleet, zone } = setUp(kind);
  const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
  const template = Template.fromStack(stack);
  const compute = fleet.compute as FargateComputeBase;
  const albId = logicalIdOf(compute.loadBalancer!);

  test('the created certificate is added to the HTTPS listener (the ALB picks it by SNI)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', {
      ListenerArn: refOf(compute.httpsListener!),
      Certificates: [{ CertificateArn: refOf(domain.certificate) }],
    });
  });

  test('an alias A record to the load balancer that evaluates target health', () => {
    const [, record] = onlyResource(template, 'AWS::Route53::RecordSet');
    expect(record.Properties).toMatchObject({
      Name: `${DOMAIN}.`,
      Type: 'A',
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [albId, 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [albId, 'CanonicalHostedZoneID'] },
        EvaluateTargetHealth: true,
      },
    });
  });

  test('the health check requests the ALB\'s DNS name at /<server>/health, which its listener forwards', () => {
    const [, check] = onlyResource(template, 'AWS::Route53::HealthCheck');
    expect(check.Properties).toEqual(specHealthCheck({ 'Fn::GetAtt': [albId, 'DNSName'] }, '/gitlab/health'));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([Match.objectLike({ PathPatternConfig: { Values: Match.arrayWith(['/gitlab/*']) } })]),
    });
  });
});

describe('FleetDomain and a Fargate compute that was given the name', () => {
  test('the same name and zone: the compute\'s record is kept, no second record, certificate or listener certificate', () => {
    const stack = newStack();
    const zone = zoneIn(stack);
    const fleet = fleetIn(stack, 'Fleet', computeOf(stack, 'fargatePerServer', { certificate: undefined, domainName: DOMAIN, hostedZone: zone }));
    const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
    const template = Template.fromStack(stack);

    expect(resourcesOf(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Type === 'A')).toHaveLength(1);
    expect(domain.record!.node.path).toMatch(/FrontDoor\/AliasRecord$/);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1); // the compute's
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
    template.resourceCountIs('AWS::Route53::HealthCheck', 1);
  });

  test('the name with a certificate but no zone: the listener serves it, the construct makes the record only', () => {
    const stack = newStack();
    const zone = zoneIn(stack);
    const fleet = fleetIn(stack, 'Fleet', computeOf(stack, 'fargateMultiServer', { domainName: DOMAIN }));
    const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    expect(domain.record!.node.path).toMatch(/Domain\/AliasRecord$/);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
  });

  test('another name of the same zone: a record and a certificate of its own', () => {
    const stack = newStack();
    const zone = zoneIn(stack);
    const fleet = fleetIn(stack, 'Fleet', computeOf(stack, 'fargatePerServer', { certificate: undefined, domainName: 'alb.example.com', hostedZone: zone }));
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
    const template = Template.fromStack(stack);

    expect(resourcesOf(template, 'AWS::Route53::RecordSet').map(([, r]) => r.Properties.Name).sort()).toEqual(['alb.example.com.', 'mcp.example.com.']);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 1);
  });
});

describe('FleetDomain options', () => {
  test('a given certificate is used, none is created', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    const certificate = importedCertificate(stack, 'Given');
    const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, certificate });
    const template = Template.fromStack(stack);
    expect(domain.certificate).toBe(certificate);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { RegionalCertificateArn: certificate.certificateArn });
  });

  test('healthCheckServer picks the server whose health is checked', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheckServer: 'gl-internal' });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ ResourcePath: '/production/gl-internal/health' }),
    });
  });

  test('healthCheckAlarm: HealthCheckStatus Minimum < 1, notifying the fleet\'s topic', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheckAlarm: true });
    const template = Template.fromStack(stack);
    const topic = refOf(fleet.alarmTopic as sns.Topic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: refOf(domain.healthCheck as route53.HealthCheck) }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  test('healthCheckAlarm in an environment-agnostic stack warns that the metric is in us-east-1 only', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { fleet, zone } = setUp('lambdaMultiServer', {}, stack);
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheckAlarm: true });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('only has data in us-east-1'));
  });

  test('createRecord: false makes the custom domain and the health check, no record, and gives the alias target', () => {
    const { stack, fleet, zone } = setUp('lambdaMultiServer');
    const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, createRecord: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.resourceCountIs('AWS::Route53::HealthCheck', 1);
    expect(domain.record).toBeUndefined();
    const domainId = logicalIdOf(domain.httpApiDomain!);
    expect(stack.resolve(domain.aliasTargetDnsName)).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
    expect(stack.resolve(domain.aliasTargetHostedZoneId)).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] });
  });

  test('healthCheck: false makes none', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheck: false });
    Template.fromStack(stack).resourceCountIs('AWS::Route53::HealthCheck', 0);
  });
});

/** A compute of one's own: not a front door the DNS constructs know. */
class OwnCompute implements IFleetCompute {
  public bind(_fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    return { servers: servers.map((s) => ({ name: s.name, endpointUrl: `https://own.example.com/${s.name}/mcp` })), monitoring: [] };
  }
}

describe('FleetDomain validation', () => {
  test.each([
    ['a URL', 'https://mcp.example.com'],
    ['upper case', 'MCP.example.com'],
    ['a wildcard', '*.example.com'],
    ['a trailing dot', 'mcp.example.com.'],
    ['a path', 'mcp.example.com/gitlab'],
    ['a label ending in a hyphen', 'mcp-.example.com'],
    ['a single label', 'mcp'],
  ])('refuses a domain name that is %s, naming the prop and the value', (_what, domainName) => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName, hostedZone: zone }))
      .toThrow(new RegExp(`\`domainName\` must be a host name.*got: ${JSON.stringify(domainName).replace(/[.*/]/g, '\\$&')}`));
  });

  test('refuses a name outside the zone', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: 'mcp.example.org', hostedZone: zone }))
      .toThrow(/`domainName` must be in `hostedZone` \(example.com\): "mcp.example.org"/);
  });

  test('accepts the zone apex', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: 'example.com', hostedZone: zone })).not.toThrow();
  });

  test('refuses a zone imported by id alone (its name is needed for the records)', () => {
    const { stack, fleet } = setUp('lambdaPerServer');
    const hostedZone = route53.HostedZone.fromHostedZoneId(stack, 'ById', ZONE_ID);
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone })).toThrow(/`hostedZone` must know its name/);
  });

  test('refuses a fleet whose compute is not a built-in one, naming the compute', () => {
    const stack = newStack();
    const fleet = fleetIn(stack, 'Fleet', new OwnCompute());
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(stack) }))
      .toThrow(/`fleet`: the compute of fleet TestStack\/Fleet is a OwnCompute, whose front door the DNS constructs do not know/);
  });

  test('refuses a healthCheckServer the fleet lacks', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheckServer: 'jira' }))
      .toThrow(/`healthCheckServer` must be a server of fleet TestStack\/Fleet \(gitlab, gl-internal\), got: "jira"/);
  });

  test('refuses the alarm in a stack outside us-east-1, where Route 53 publishes no metrics', () => {
    const stack = new Stack(new App(), 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const { fleet, zone } = setUp('lambdaPerServer', {}, stack);
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheckAlarm: true }))
      .toThrow(/`healthCheckAlarm` needs a stack in us-east-1, got a stack in eu-west-1/);
  });

  test('refuses an alarm without a health check', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    expect(() => new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone, healthCheck: false, healthCheckAlarm: true }))
      .toThrow(/`healthCheckAlarm` is true but `healthCheck` is false/);
  });

  test('refuses a second record of the name in the zone', () => {
    const { stack, fleet, zone } = setUp('lambdaPerServer');
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
    const other = fleetIn(stack, 'Other', computeOf(stack, 'lambdaMultiServer'));
    expect(() => new FleetDomain(stack, 'Again', { fleet: other, domainName: DOMAIN, hostedZone: zone }))
      .toThrow(/`domainName` "mcp.example.com" already has an A record in `hostedZone` \(TestStack\/Domain\/AliasRecord\/Resource\)/);
  });
});

describe('FleetDomain and the HTTP API\'s JWT authorizer', () => {
  const audienceOf = (template: Template) => onlyResource(template, 'AWS::ApiGatewayV2::Authorizer')[1].Properties.JwtConfiguration.Audience;

  test('without an audience of the user\'s, the custom-domain endpoints join the accepted audience', () => {
    const { stack, fleet, zone } = setUp('lambdaMultiServer');
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zone });
    const audience = audienceOf(Template.fromStack(stack));
    expect(audience).toHaveLength(4);
    expect(audience.slice(2)).toEqual(['https://mcp.example.com/gitlab/mcp', 'https://mcp.example.com/gl-internal/mcp']);
    // the API's own endpoints stay accepted
    expect(JSON.stringify(audience.slice(0, 2))).toMatch(/ApiEndpoint.*\/gitlab\/mcp.*ApiEndpoint.*\/gl-internal\/mcp/);
  });

  test('an audience the user gave is left as it is', () => {
    const stack = newStack();
    const fleet = fleetIn(stack, 'Fleet', computeOf(stack, 'lambdaMultiServer'), {
      auth: FleetAuth.oauth({ issuer: ISSUER, audience: ['api://mcp-servers'] }),
    });
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(stack) });
    expect(audienceOf(Template.fromStack(stack))).toEqual(['api://mcp-servers']);
  });
});

describe('FleetDomain and the REST API\'s Cognito answer to a missing token', () => {
  test('with one server, the 401 names the metadata on the custom name', () => {
    const build = (withDomain: boolean) => {
      const stack = newStack();
      const fleet = new McpServerFleet(stack, 'Fleet', {
        environment: 'production',
        servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') })],
        compute: computeOf(stack, 'lambdaPerServer'),
        auth: FleetAuth.cognito(),
      });
      if (withDomain) new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(stack) });
      const template = Template.fromStack(stack);
      return {
        header: resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')
          .find(([, r]) => r.Properties.ResponseType === 'UNAUTHORIZED')![1].Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate'],
        deployment: onlyResource(template, 'AWS::ApiGateway::Deployment')[0],
      };
    };
    const without = build(false);
    const withDomain = build(true);
    // without the domain: the API's own host
    expect(JSON.stringify(without.header)).toMatch(/execute-api.*\/production\/\.well-known\/oauth-protected-resource\/gitlab\/mcp/);
    expect(withDomain.header).toBe('\'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/gitlab/mcp"\'');
    // and a new deployment carries the changed answer to the stage
    expect(withDomain.deployment).not.toBe(without.deployment);
  });
});
