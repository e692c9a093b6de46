import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DOMAIN, ZONE_ID, computeOf, fleetIn, logicalIdOf, onlyResource, refOf, resourcesOf, zoneIn } from './helpers';
import { McpServer, ServerCredential } from '../../../src';
import { FargateComputeBase } from '../../../src/compute/fargate/base';
import { LambdaMultiServerCompute } from '../../../src/compute/lambda/multi-server';
import { LambdaPerServerCompute } from '../../../src/compute/lambda/per-server';
import { FleetFailoverDomain } from '../../../src/dns/failover';
import { FleetDomain } from '../../../src/dns/fleet-domain';
import { GITLAB_SECRET_ARN, newStack } from '../helpers';

/** The failover record of a role (PRIMARY or SECONDARY). */
function recordOf(template: Template, role: 'PRIMARY' | 'SECONDARY'): any {
  const found = resourcesOf(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Failover === role);
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

describe('FleetDomain.failover: a Lambda primary (HTTP API) and a Fargate secondary', () => {
  const stack = newStack();
  const hostedZone = zoneIn(stack);
  const primary = fleetIn(stack, 'Lambda', computeOf(stack, 'lambdaMultiServer'));
  const secondary = fleetIn(stack, 'Fargate', computeOf(stack, 'fargateMultiServer'));
  const failover = FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone });
  const template = Template.fromStack(stack);
  const httpApi = (primary.compute as LambdaMultiServerCompute).httpApi!;
  const alb = (secondary.compute as FargateComputeBase).loadBalancer!;

  test('is a FleetFailoverDomain', () => {
    expect(failover).toBeInstanceOf(FleetFailoverDomain);
  });

  test('two A records of the name: PRIMARY with the primary\'s health check, SECONDARY without one', () => {
    const records = resourcesOf(template, 'AWS::Route53::RecordSet');
    expect(records).toHaveLength(2);
    const primaryRecord = recordOf(template, 'PRIMARY');
    const secondaryRecord = recordOf(template, 'SECONDARY');
    for (const record of [primaryRecord, secondaryRecord]) {
      expect(record).toMatchObject({ Name: `${DOMAIN}.`, Type: 'A', HostedZoneId: ZONE_ID });
    }
    expect(primaryRecord.HealthCheckId).toEqual(refOf(failover.healthCheck as route53.HealthCheck));
    expect(secondaryRecord.HealthCheckId).toBeUndefined();
    expect(primaryRecord.SetIdentifier).toMatch(/^FAILOVER_PRIMARY_ID_/);
    expect(secondaryRecord.SetIdentifier).toMatch(/^FAILOVER_SECONDARY_ID_/);
  });

  test('PRIMARY aliases the HTTP API\'s custom domain, SECONDARY the load balancer (evaluating target health)', () => {
    const domainId = onlyResource(template, 'AWS::ApiGatewayV2::DomainName')[0];
    // Route 53 takes failover aliases only when they evaluate their target's health
    expect(recordOf(template, 'PRIMARY').AliasTarget).toEqual({
      DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
      HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      EvaluateTargetHealth: true,
    });
    const albId = logicalIdOf(alb);
    expect(recordOf(template, 'SECONDARY').AliasTarget).toEqual({
      DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [albId, 'DNSName'] }]] },
      HostedZoneId: { 'Fn::GetAtt': [albId, 'CanonicalHostedZoneID'] },
      EvaluateTargetHealth: true,
    });
  });

  test('the health check is the primary\'s own host and /health, with the spec\'s values', () => {
    const [, check] = onlyResource(template, 'AWS::Route53::HealthCheck');
    expect(check.Properties.HealthCheckConfig).toEqual({
      Type: 'HTTPS',
      Port: 443,
      RequestInterval: 30,
      FailureThreshold: 3,
      EnableSNI: true,
      Inverted: false,
      MeasureLatency: false,
      ResourcePath: '/health',
      FullyQualifiedDomainName: { 'Fn::Join': ['', [refOf(httpApi), '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }]] },
    });
  });

  test('one certificate, presented by both: the API\'s custom domain and the load balancer\'s listener', () => {
    const [certificateId] = onlyResource(template, 'AWS::CertificateManager::Certificate');
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [{ CertificateArn: { Ref: certificateId }, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', {
      ListenerArn: refOf((secondary.compute as FargateComputeBase).httpsListener!),
      Certificates: [{ CertificateArn: { Ref: certificateId } }],
    });
  });

  test('endpointFor is the failover name\'s URL', () => {
    expect(failover.endpointFor('gl-internal')).toBe('https://mcp.example.com/gl-internal/mcp');
    expect(() => failover.endpointFor('jira')).toThrow(/jira/);
  });
});

describe('FleetDomain.failover: a REST API primary, the secondary in another region by attributes', () => {
  const stack = newStack();
  const hostedZone = zoneIn(stack);
  const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaPerServer'));
  const failover = new FleetFailoverDomain(stack, 'Domain', {
    primary,
    secondaryTarget: { dnsName: 'd-abc123def4.execute-api.eu-west-1.amazonaws.com', hostedZoneId: 'ZLY8HYME6SFDD' },
    domainName: DOMAIN,
    hostedZone,
  });
  const template = Template.fromStack(stack);

  test('SECONDARY aliases the given target, evaluating its health', () => {
    expect(recordOf(template, 'SECONDARY').AliasTarget).toEqual({
      DNSName: 'd-abc123def4.execute-api.eu-west-1.amazonaws.com',
      HostedZoneId: 'ZLY8HYME6SFDD',
      EvaluateTargetHealth: true,
    });
    expect(failover.secondary).toBeUndefined();
  });

  test('PRIMARY aliases the REST custom domain, mapped at the root, health-checked under the stage', () => {
    const domainId = onlyResource(template, 'AWS::ApiGateway::DomainName')[0];
    const primaryRecord = recordOf(template, 'PRIMARY');
    expect(primaryRecord.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
    expect(primaryRecord.HealthCheckId).toBeDefined();
    expect(onlyResource(template, 'AWS::ApiGateway::BasePathMapping')[1].Properties.BasePath).toBeUndefined();
    const api = (primary.compute as LambdaPerServerCompute).restApi!;
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        ResourcePath: '/production/gitlab/health',
        FullyQualifiedDomainName: { 'Fn::Join': ['', [refOf(api), '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }]] },
        Type: 'HTTPS',
        Port: 443,
        RequestInterval: 30,
        FailureThreshold: 3,
        EnableSNI: true,
        Inverted: false,
        MeasureLatency: false,
      },
    });
  });

  test('the other region\'s side is a FleetDomain without a record, whose alias target this one takes', () => {
    const app = new App();
    const ireland = new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const fleet = fleetIn(ireland, 'Fleet', computeOf(ireland, 'lambdaMultiServer'));
    const side = new FleetDomain(ireland, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(ireland), createRecord: false, healthCheck: false });
    const template2 = Template.fromStack(ireland);
    template2.resourceCountIs('AWS::Route53::RecordSet', 0);
    template2.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: DOMAIN });
    expect(side.aliasTargetDnsName).toBeDefined();
  });
});

describe('FleetDomain.failover with a Fargate primary', () => {
  test('the PRIMARY alias evaluates the load balancer\'s target health, and the check asks /<server>/health of the ALB', () => {
    const stack = newStack();
    const primary = fleetIn(stack, 'Fargate', computeOf(stack, 'fargatePerServer'));
    const secondary = fleetIn(stack, 'Lambda', computeOf(stack, 'lambdaPerServer'));
    FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone: zoneIn(stack), healthCheckServer: 'gl-internal' });
    const template = Template.fromStack(stack);
    expect(recordOf(template, 'PRIMARY').AliasTarget.EvaluateTargetHealth).toBe(true);
    expect(recordOf(template, 'SECONDARY').AliasTarget.EvaluateTargetHealth).toBe(true);
    const albId = logicalIdOf((primary.compute as FargateComputeBase).loadBalancer!);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { FullyQualifiedDomainName: { 'Fn::GetAtt': [albId, 'DNSName'] }, ResourcePath: '/gl-internal/health', Type: 'HTTPS', Port: 443, RequestInterval: 30, FailureThreshold: 3, EnableSNI: true, Inverted: false, MeasureLatency: false },
    });
  });
});

describe('FleetDomain.failover validation', () => {
  test.each([
    ['neither', false, false, /got neither/],
    ['both', true, true, /got both/],
  ])('refuses %s of secondary and secondaryTarget', (_what, fleet, target, message) => {
    const stack = newStack();
    const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaMultiServer'));
    const secondary = fleetIn(stack, 'Secondary', computeOf(stack, 'lambdaPerServer'));
    expect(() => FleetDomain.failover(stack, 'Domain', {
      primary,
      secondary: fleet ? secondary : undefined,
      secondaryTarget: target ? { dnsName: 'd-1.execute-api.eu-west-1.amazonaws.com', hostedZoneId: 'ZLY8HYME6SFDD' } : undefined,
      domainName: DOMAIN,
      hostedZone: zoneIn(stack),
    })).toThrow(message);
  });

  test('refuses the primary as its own secondary', () => {
    const stack = newStack();
    const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaMultiServer'));
    expect(() => FleetDomain.failover(stack, 'Domain', { primary, secondary: primary, domainName: DOMAIN, hostedZone: zoneIn(stack) }))
      .toThrow(/`secondary` is the `primary` fleet \(TestStack\/Primary\)/);
  });

  test('refuses a secondary that lacks a server of the primary, naming it', () => {
    const stack = newStack();
    const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaMultiServer'));
    const secondary = fleetIn(stack, 'Secondary', computeOf(stack, 'lambdaPerServer'), {
      servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') })],
    });
    expect(() => FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone: zoneIn(stack) }))
      .toThrow(/`secondary` fleet TestStack\/Secondary lacks server\(s\) "gl-internal"/);
  });

  test('refuses a secondary fleet in another region, pointing at secondaryTarget', () => {
    const app = new App();
    const here = new Stack(app, 'Virginia', { env: { account: '123456789012', region: 'us-east-1' } });
    const there = new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const primary = fleetIn(here, 'Primary', computeOf(here, 'lambdaMultiServer'));
    const secondary = fleetIn(there, 'Secondary', computeOf(there, 'lambdaMultiServer'));
    expect(() => FleetDomain.failover(here, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone: zoneIn(here) }))
      .toThrow(/`secondary` fleet Ireland\/Secondary is in eu-west-1, this construct in us-east-1.*`secondaryTarget`/);
  });

  test('refuses a name the Fargate compute already made a simple record for, rather than a duplicate', () => {
    const stack = newStack();
    const hostedZone = zoneIn(stack);
    const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaMultiServer'));
    const secondary = fleetIn(stack, 'Fargate', computeOf(stack, 'fargatePerServer', { certificate: undefined, domainName: DOMAIN, hostedZone }));
    expect(() => FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone }))
      .toThrow(/`domainName` "mcp.example.com" already has an A record in `hostedZone` \(TestStack\/Fargate\/.*FrontDoor\/AliasRecord\/Resource\).*The Fargate compute made it/);
  });

  test('refuses a bad domain name and a compute it does not know, as FleetDomain does', () => {
    const stack = newStack();
    const primary = fleetIn(stack, 'Primary', computeOf(stack, 'lambdaMultiServer'));
    const target = { dnsName: 'd-1.execute-api.eu-west-1.amazonaws.com', hostedZoneId: 'ZLY8HYME6SFDD' };
    expect(() => FleetDomain.failover(stack, 'Bad', { primary, secondaryTarget: target, domainName: 'mcp.example.com.', hostedZone: zoneIn(stack) }))
      .toThrow(/`domainName` must be a host name/);
  });
});
