import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { twoServers } from './helpers';
import { buildApp as buildFargateMultiServer } from '../../examples/fargate-multi-server';
import { buildApp as buildFargatePerServer } from '../../examples/fargate-per-server';
import { buildApp as buildMultiServer } from '../../examples/lambda-multi-server';
import { buildApp as buildPerServer } from '../../examples/lambda-per-server';
import { FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet } from '../../src';

/** Every acknowledgement recorded in the tree: rule id -> reason, with the construct path. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}

function findings(app: App, ignoreAcknowledgements = false): string[] {
  const checks = new AwsSolutionsChecks(undefined, { verbose: true });
  // To list what the acknowledgements cover, look once as if nothing were acknowledged.
  if (ignoreAcknowledgements) (checks as any).isAcknowledged = () => false;
  const report = checks.validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

const ISSUER = { oauthIssuer: 'https://login.example.com/oauth2/default' };

const EXAMPLES: Array<[string, (app: App) => App]> = [
  ['lambda-per-server', buildPerServer],
  ['lambda-multi-server', (app) => buildMultiServer(app)],
  ['fargate-per-server', buildFargatePerServer],
  ['fargate-multi-server', buildFargateMultiServer],
];

const CONTEXTS: Array<[string, Record<string, string>]> = [
  ['no allowed origins', ISSUER],
  ['allowed origins', { ...ISSUER, allowedOrigins: 'https://app.example.com' }],
];

describe('cdk-nag AwsSolutions', () => {
  test('the examples checked are fleets of the spec\'s five servers', () => {
    const kinds = (app: App) => app.node.findAll().filter((c): c is McpServerFleet => c instanceof McpServerFleet)
      .flatMap((fleet) => fleet.servers.map((s) => s.name));
    expect(kinds(buildPerServer(new App()))).toEqual(['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow']);
    expect(kinds(buildMultiServer(new App({ context: ISSUER })))).toEqual(['gitlab', 'gitlab-internal', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow']);
    expect(kinds(buildFargatePerServer(new App({ context: ISSUER })))).toEqual(['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow']);
    expect(kinds(buildFargateMultiServer(new App({ context: ISSUER })))).toEqual(['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow']);
  });

  describe.each(EXAMPLES)('%s', (_name, build) => {
    test.each(CONTEXTS)('zero unacknowledged findings (%s)', (_context, context) => {
      // GIVEN the example app
      const app = build(new App({ context }));

      // WHEN AwsSolutions checks it
      const unacknowledged = findings(app);

      // THEN nothing is left
      expect(unacknowledged).toEqual([]);
    });

    test('each acknowledgement states its reason and answers a real finding', () => {
      const app = build(new App({ context: ISSUER }));
      const acks = acknowledgements(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);

      // every acknowledged rule is one the checks raise when acknowledgements are ignored
      const raised = new Set(findings(app, true).map((f) => f.split(' at ')[0]));
      for (const ack of acks) expect(raised).toContain(ack.id);
    });
  });

  test('the acknowledged rules are exactly the expected ones', () => {
    const perServer = new Set(acknowledgements(buildPerServer(new App())).map((a) => a.id));
    expect([...perServer].sort()).toEqual([
      'AwsSolutions-APIG3',
      'AwsSolutions-APIG4', // health and CORS preflight methods only (see below)
      'AwsSolutions-COG4',
      'AwsSolutions-COG8',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
    const multiServer = new Set(acknowledgements(buildMultiServer(new App({ context: ISSUER }))).map((a) => a.id));
    expect([...multiServer].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
    // Fargate: the internet-facing ALB's open 443/80, the task definition's environment (settings and
    // secret ARNs, no credential), the access-log bucket's own logging, and the actions without resources
    for (const build of [buildFargatePerServer, buildFargateMultiServer]) {
      const fargate = new Set(acknowledgements(build(new App({ context: ISSUER }))).map((a) => a.id));
      expect([...fargate].sort()).toEqual([
        'AwsSolutions-EC23',
        'AwsSolutions-ECS2',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-S1',
      ]);
    }
  });
});

const COMPUTES: Array<[string, () => IFleetCompute]> = [
  ['lambdaPerServer', () => FleetCompute.lambdaPerServer()],
  ['lambdaMultiServer', () => FleetCompute.lambdaMultiServer()],
];

const AUTHS: Array<[string, () => FleetAuth]> = [
  ['iam', () => FleetAuth.iam()],
  ['oauth', () => FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' })],
  ['cognito', () => FleetAuth.cognito()],
  ['apiKeys', () => FleetAuth.apiKeys()],
  ['none', () => FleetAuth.none({ reason: 'reachable only through the private API of the platform network' })],
];

/** Routes that take no credential in every mode: health, CORS preflight, RFC 9728 metadata. */
const PUBLIC_ROUTE = /(\/health\/GET|\/\.well-known\/oauth-protected-resource\/.*\/GET|\/OPTIONS)$|\/GET--(health|\.well-known--oauth-protected-resource|[a-z-]+--health)/;

function fleetApp(compute: IFleetCompute, auth: FleetAuth): App {
  const app = new App();
  const stack = new Stack(app, 'Nag', { env: { account: '123456789012', region: 'us-east-1' } });
  const none = auth.mode === 'NONE';
  new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: none ? [McpServer.gitlab()] : twoServers(), compute, auth });
  return app;
}

describe.each(COMPUTES)('cdk-nag: %s with every FleetAuth', (computeName, compute) => {
  test.each(AUTHS)('%s: zero unacknowledged findings; authorization findings acknowledged only where they should be', (authName, auth) => {
    if (computeName === 'lambdaMultiServer' && authName === 'apiKeys') return; // refused at synthesis (fleet-auth.test.ts)
    const app = fleetApp(compute(), auth());
    expect(findings(app)).toEqual([]);

    const authAcks = acknowledgements(app).filter((a) => a.id === 'AwsSolutions-APIG4' || a.id === 'AwsSolutions-COG4');
    if (authName === 'none') {
      // none(): the user's reason, on the fleet
      expect(authAcks).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'Nag/Fleet', id: 'AwsSolutions-APIG4', reason: expect.stringContaining('private API') })]));
      return;
    }
    // anywhere else, APIG4 (no authorization at all) is acknowledged only on public routes, or on MCP
    // methods whose credential API Gateway checks without an authorizer (API keys) or the runtime checks (oauth on REST)
    for (const ack of authAcks.filter((a) => a.id === 'AwsSolutions-APIG4')) {
      const mcpMethod = /\/POST$/.test(ack.path);
      if (mcpMethod) {
        expect([computeName, authName]).toEqual(expect.arrayContaining([expect.stringMatching(/^(apiKeys|oauth)$/)]));
        expect(computeName).toBe('lambdaPerServer');
      } else {
        expect(ack.path).toMatch(PUBLIC_ROUTE);
      }
    }
    expect(authAcks.some((a) => a.path === 'Nag/Fleet')).toBe(false);
  });
});
