/**
 * The spec's fleet, all five kinds together (GitLab, Atlassian, Dynatrace, PagerDuty, ServiceNow),
 * on both Lambda topologies: what holds across kinds rather than inside one (each kind's own
 * variables are tested in test/constructs/servers/). Credentials as the spec's A.4 recommends: one
 * JSON secret per server, with the fields of several credentials in it for Atlassian
 * (`{email, token}`) and ServiceNow (`{username, password}`).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { expectLeastPrivilege } from './compute/least-privilege';
import { deployedEnvironmentSize } from './deployed-environment';
import { GITLAB_SECRET_ARN, asList, newStack, policyStatements } from './helpers';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential } from '../../src';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES, estimateEnvironmentSize } from '../../src/compute/lambda/environment-size';

const ATLASSIAN_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/atlassian-credentials-MnOpQr';
const DYNATRACE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/dynatrace-token-StUvWx';
const PAGERDUTY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/pagerduty-token-YzAbCd';
const SERVICENOW_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/servicenow-credentials-EfGhIj';

const KINDS = ['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'] as const;
type Kind = typeof KINDS[number];

/** Each server's secret and the variables naming its fields. */
const SECRETS: Record<Kind, { arn: string; variables: Record<string, string> }> = {
  gitlab: { arn: GITLAB_SECRET_ARN, variables: { GITLAB_TOKEN_SECRET_ARN: 'token' } },
  atlassian: { arn: ATLASSIAN_SECRET_ARN, variables: { ATLASSIAN_EMAIL_SECRET_ARN: 'email', ATLASSIAN_TOKEN_SECRET_ARN: 'token' } },
  dynatrace: { arn: DYNATRACE_SECRET_ARN, variables: { DYNATRACE_TOKEN_SECRET_ARN: 'token' } },
  pagerduty: { arn: PAGERDUTY_SECRET_ARN, variables: { PAGERDUTY_TOKEN_SECRET_ARN: 'token' } },
  servicenow: { arn: SERVICENOW_SECRET_ARN, variables: { SERVICENOW_USERNAME_SECRET_ARN: 'username', SERVICENOW_PASSWORD_SECRET_ARN: 'password' } },
};

/** The five servers, every secret by complete ARN; Atlassian's and ServiceNow's two credentials are fields of one secret. */
function fiveServers(): McpServer[] {
  const field = (kind: Kind, name: string) => ServerCredential.fromSecretCompleteArn(SECRETS[kind].arn, name);
  return [
    McpServer.gitlab({ token: field('gitlab', 'token') }),
    McpServer.atlassian({ url: 'https://example.atlassian.net', email: field('atlassian', 'email'), token: field('atlassian', 'token') }),
    McpServer.dynatrace({ url: 'https://abc12345.live.dynatrace.com', token: field('dynatrace', 'token') }),
    McpServer.pagerduty({ token: field('pagerduty', 'token') }),
    McpServer.servicenow({ instanceUrl: 'https://example.service-now.com', username: field('servicenow', 'username'), password: field('servicenow', 'password') }),
  ];
}

const TOPOLOGIES: Array<[string, () => IFleetCompute]> = [
  ['lambdaPerServer', () => FleetCompute.lambdaPerServer()],
  ['lambdaMultiServer', () => FleetCompute.lambdaMultiServer()],
];

function fleetOf(compute: IFleetCompute, servers: (stack: Stack) => McpServer[] = fiveServers)
  : { stack: Stack; fleet: McpServerFleet; template: () => Template } {
  const stack = newStack();
  const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: servers(stack), compute });
  return { stack, fleet, template: () => Template.fromStack(stack) };
}

type FunctionResource = { logicalId: string; environment: Record<string, any>; role: string };

function functionsOf(template: Template): FunctionResource[] {
  return Object.entries(template.findResources('AWS::Lambda::Function')).map(([logicalId, r]: [string, any]) => ({
    logicalId,
    environment: r.Properties.Environment.Variables,
    role: r.Properties.Role['Fn::GetAtt'][0],
  }));
}

/** The secret resources a role may call GetSecretValue on (each statement's resources, in order). */
function secretGrantsOf(template: Template, role: string): unknown[] {
  return policyStatements(template)
    .filter(({ policy }) => asList((template.toJSON().Resources[policy].Properties.Roles ?? []) as any[]).some((r) => r.Ref === role))
    .filter(({ statement }) => asList(statement.Action).includes('secretsmanager:GetSecretValue'))
    .flatMap(({ statement }) => asList(statement.Resource));
}

describe.each(TOPOLOGIES)('The spec\'s five servers on FleetCompute.%s()', (name, compute) => {
  test('every server is served under its kind\'s name, with its variables only in the function that hosts it', () => {
    // GIVEN / WHEN
    const { fleet, template: synth } = fleetOf(compute());
    const template = synth();

    // THEN
    expect(fleet.servers.map((s) => s.name)).toEqual([...KINDS]);
    const functions = functionsOf(template);
    expect(functions).toHaveLength(name === 'lambdaPerServer' ? 5 : 1);
    for (const kind of KINDS) {
      const prefix = kind.toUpperCase();
      const hosts = functions.filter((f) => Object.keys(f.environment).some((key) => key.startsWith(`${prefix}_`)));
      expect(hosts).toHaveLength(1);
      const [host] = hosts;
      if (name === 'lambdaPerServer') {
        expect(host.environment.SERVER_NAME).toBe(kind);
        expect(host.environment).not.toHaveProperty('SERVER_KIND'); // the name is the kind
        // nothing of another server leaks into this one's function
        const foreign = Object.keys(host.environment).filter((key) => KINDS.some((k) => k !== kind && key.startsWith(`${k.toUpperCase()}_`)));
        expect(foreign).toEqual([]);
      } else {
        expect(host.environment.MCP_SERVERS).toBe('gitlab,atlassian,dynatrace,pagerduty,servicenow');
      }
      // each credential by the complete ARN of its secret, with its JSON field
      for (const [variable, field] of Object.entries(SECRETS[kind].variables)) {
        expect(host.environment[variable]).toBe(`${SECRETS[kind].arn}#${field}`);
      }
    }
  });

  test('the URL variable of each kind is the one its contract names', () => {
    const template = fleetOf(compute()).template();
    const environment = Object.assign({}, ...functionsOf(template).map((f) => f.environment));
    expect(environment).toMatchObject({
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      ATLASSIAN_URL: 'https://example.atlassian.net',
      DYNATRACE_URL: 'https://abc12345.live.dynatrace.com',
      PAGERDUTY_API_URL: 'https://api.pagerduty.com',
      SERVICENOW_INSTANCE_URL: 'https://example.service-now.com',
    });
    // read-only: no server has writes on unless asked
    expect(Object.keys(environment).filter((key) => key.endsWith('_ALLOW_WRITES'))).toEqual([]);
  });

  test('least privilege across the five: GetSecretValue only, on exactly the five secrets, each granted once', () => {
    const template = fleetOf(compute()).template();
    expectLeastPrivilege(template);

    const grants = functionsOf(template).map((f) => ({ f, secrets: secretGrantsOf(template, f.role) }));
    for (const { f, secrets } of grants) {
      // a secret two credentials read (Atlassian's email and token) is one resource of one statement
      expect(new Set(secrets.map((s) => JSON.stringify(s))).size).toBe(secrets.length);
      if (name === 'lambdaPerServer') {
        // each function reads its own server's secret, and no other
        expect(secrets).toEqual([SECRETS[f.environment.SERVER_NAME as Kind].arn]);
      }
    }
    expect(grants.flatMap((g) => g.secrets).sort()).toEqual(KINDS.map((k) => SECRETS[k].arn).sort());
  });

  test('one secret imported once for two credentials (fromSecret): read by both variables, granted once', () => {
    // GIVEN Atlassian's JSON secret imported by name once, both credentials fields of it
    const template = fleetOf(compute(), (stack) => {
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'AtlassianCredentials', 'mcp/atlassian-credentials');
      return [
        McpServer.atlassian({
          url: 'https://example.atlassian.net',
          email: ServerCredential.fromSecret(secret, 'email'),
          token: ServerCredential.fromSecret(secret, 'token'),
        }),
        McpServer.pagerduty({ token: ServerCredential.fromSecretCompleteArn(PAGERDUTY_SECRET_ARN, 'token') }),
      ];
    }).template();

    // THEN the function reads the secret by its partial ARN for each field
    const partialArn = ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:123456789012:secret:mcp/atlassian-credentials'];
    const host = functionsOf(template).find((f) => 'ATLASSIAN_URL' in f.environment)!;
    const withField = (field: string) => ({ 'Fn::Join': ['', [...partialArn.slice(0, 2), `${partialArn[2]}#${field}`]] });
    expect(host.environment.ATLASSIAN_EMAIL_SECRET_ARN).toEqual(withField('email'));
    expect(host.environment.ATLASSIAN_TOKEN_SECRET_ARN).toEqual(withField('token'));
    // ...and its role may read it once, with the random suffix only
    const atlassianGrants = secretGrantsOf(template, host.role).filter((r) => JSON.stringify(r).includes('atlassian-credentials'));
    expect(atlassianGrants).toEqual([{ 'Fn::Join': ['', [...partialArn.slice(0, 2), `${partialArn[2]}-??????`]] }]);
    expectLeastPrivilege(template);
  });

  test('one secret for two servers (ServiceNow username and password, Atlassian email and token) is granted once per role', () => {
    // GIVEN one JSON secret holding the fields of both servers (a shared integration account)
    const template = fleetOf(compute(), (stack) => {
      const shared = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Shared', SERVICENOW_SECRET_ARN);
      const field = (f: string) => ServerCredential.fromSecret(shared, f);
      return [
        McpServer.atlassian({ url: 'https://example.atlassian.net', email: field('email'), token: field('token') }),
        McpServer.servicenow({ instanceUrl: 'https://example.service-now.com', username: field('username'), password: field('password') }),
      ];
    }).template();

    // THEN each role names the secret once, whatever the number of credentials it reads from it
    for (const f of functionsOf(template)) expect(secretGrantsOf(template, f.role)).toEqual([SERVICENOW_SECRET_ARN]);
    expectLeastPrivilege(template);
  });

  test('grantSecretsRead of one server gives its one secret, not the fleet\'s others', () => {
    const { stack, fleet } = fleetOf(compute());
    const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantSecretsRead(auditor, 'servicenow');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Auditor') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SERVICENOW_SECRET_ARN }] },
    });
  });
});

describe('The five-server multi-server function fits Lambda\'s 4 KB environment', () => {
  test.each([
    ['secrets by complete ARN', () => fiveServers()],
    ['secrets imported by name (partial ARNs of the stack\'s partition, region and account)', (stack: Stack) => {
      const byName = (id: string, secretName: string, f: string) =>
        ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, id, secretName), f);
      return [
        McpServer.gitlab({ token: byName('GitLab', 'mcp/gitlab-token', 'token') }),
        McpServer.atlassian({ url: 'https://example.atlassian.net', email: byName('Atlassian', 'mcp/atlassian-credentials', 'email'), token: byName('Atlassian2', 'mcp/atlassian-credentials', 'token') }),
        McpServer.dynatrace({ url: 'https://abc12345.live.dynatrace.com', token: byName('Dynatrace', 'mcp/dynatrace-token', 'token') }),
        McpServer.pagerduty({ token: byName('PagerDuty', 'mcp/pagerduty-token', 'token') }),
        McpServer.servicenow({ instanceUrl: 'https://example.service-now.com', username: byName('ServiceNow', 'mcp/servicenow-credentials', 'username'), password: byName('ServiceNow2', 'mcp/servicenow-credentials', 'password') }),
      ];
    }],
  ])('%s', (_name, servers) => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic'); // environment-agnostic: partition, region and account stay tokens
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: servers(stack), compute: FleetCompute.lambdaMultiServer() });
    const [fn] = functionsOf(Template.fromStack(stack));

    const size = deployedEnvironmentSize(fn.environment, 'refuse');
    // well inside the limit: room for several more servers of these kinds in the same function
    expect(size).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES / 2);
    // ...and the construct's own check, which refuses to synthesize past the limit, counts the same
    expect(estimateEnvironmentSize(withTokens(stack, fn.environment))).toBe(size);
  });
});

/** The template's variables back as strings with tokens, as the construct's check sees them. */
function withTokens(stack: Stack, environment: Record<string, any>): Record<string, string> {
  const pseudo: Record<string, string> = { 'AWS::Partition': stack.partition, 'AWS::Region': stack.region, 'AWS::AccountId': stack.account };
  const valueOf = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v['Fn::Join']) return v['Fn::Join'][1].map(valueOf).join(v['Fn::Join'][0]);
    return pseudo[v.Ref];
  };
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, valueOf(v)]));
}
