import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { expectLeastPrivilege } from './compute/least-privilege';
import { deployedEnvironmentSize } from './deployed-environment';
import { asList, policyStatements } from './helpers';
import { buildApp as buildMultiServer, LambdaMultiServerStack } from '../../examples/lambda-multi-server';
import { buildApp as buildPerServer, LambdaPerServerStack } from '../../examples/lambda-per-server';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../src/compute/lambda/environment-size';

/** The spec's five servers, as both examples name them. */
const SPEC_SERVERS = ['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'];

/** Each server's secret (by the name the examples default to) and the variables that read its fields. */
const SECRET_FIELDS: Record<string, { name: string; variables: Record<string, string> }> = {
  'gitlab': { name: 'mcp/gitlab-token', variables: { GITLAB_TOKEN_SECRET_ARN: 'token' } },
  'gitlab-internal': { name: 'mcp/gitlab-internal-token', variables: { GITLAB_INTERNAL_TOKEN_SECRET_ARN: 'token' } },
  'atlassian': { name: 'mcp/atlassian-credentials', variables: { ATLASSIAN_EMAIL_SECRET_ARN: 'email', ATLASSIAN_TOKEN_SECRET_ARN: 'token' } },
  'dynatrace': { name: 'mcp/dynatrace-token', variables: { DYNATRACE_TOKEN_SECRET_ARN: 'token' } },
  'pagerduty': { name: 'mcp/pagerduty-token', variables: { PAGERDUTY_TOKEN_SECRET_ARN: 'token' } },
  'servicenow': { name: 'mcp/servicenow-credentials', variables: { SERVICENOW_USERNAME_SECRET_ARN: 'username', SERVICENOW_PASSWORD_SECRET_ARN: 'password' } },
};

const ARNS: Record<string, string> = {
  gitlabTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-AbCdEf',
  atlassianSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/atlassian-credentials-GhIjKl',
  dynatraceTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/dynatrace-token-MnOpQr',
  pagerdutyTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/pagerduty-token-StUvWx',
  servicenowSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/servicenow-credentials-YzAbCd',
  internalTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-internal-token-EfGhIj',
};

const ISSUER = 'https://login.example.com/oauth2/default';

interface FunctionResource {
  readonly environment: Record<string, any>;
  readonly role: string;
  readonly memorySize?: number;
}

function functionsOf(template: Template): FunctionResource[] {
  return Object.values(template.findResources('AWS::Lambda::Function')).map((r: any) => ({
    environment: r.Properties.Environment.Variables,
    role: r.Properties.Role['Fn::GetAtt'][0],
    memorySize: r.Properties.MemorySize,
  }));
}

/** The literal text of a value, intrinsics shown as `<Ref>` (the partial ARN of a secret imported by name). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(text).join(join[0]);
  return `<${(value as { Ref?: string }).Ref}>`;
}

/** The resources a role may call GetSecretValue on, as text. */
function secretGrants(template: Template, role: string): string[] {
  const resources = template.toJSON().Resources;
  return policyStatements(template)
    .filter(({ policy }) => asList(resources[policy].Properties.Roles as any[]).some((r) => r.Ref === role))
    .filter(({ statement }) => asList(statement.Action).includes('secretsmanager:GetSecretValue'))
    .flatMap(({ statement }) => asList(statement.Resource).map(text));
}

function stackOf<T extends Stack>(app: App, type: new (...args: any[]) => T): T {
  return app.node.children.find((c): c is T => c instanceof type)!;
}

describe('examples synthesize', () => {
  test('lambda-per-server: the spec\'s five servers, one function each, behind a REST API', () => {
    // GIVEN / WHEN
    const app = buildPerServer(new App());
    const assembly = app.synth();

    // THEN
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['McpServersLambdaPerServer']);
    const stack = stackOf(app, LambdaPerServerStack);
    expect(stack.fleet.servers.map((s) => s.name)).toEqual(SPEC_SERVERS);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    // real auth: a Cognito user pool whose authorizer guards the MCP methods
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS' });
    const functions = functionsOf(template);
    expect(functions.map((f) => f.environment.SERVER_NAME).sort()).toEqual([...SPEC_SERVERS].sort());
    for (const fn of functions) {
      const server = fn.environment.SERVER_NAME as string;
      expect(fn.environment.AUTH_MODE).toBe('oauth');
      // each credential is a field of its server's one JSON secret, imported by name
      for (const [variable, field] of Object.entries(SECRET_FIELDS[server].variables)) {
        expect(text(fn.environment[variable])).toBe(`arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRET_FIELDS[server].name}#${field}`);
      }
      // ...and its role reads that secret (once, whatever the number of its fields) and no other
      expect(secretGrants(template, fn.role)).toEqual([`arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRET_FIELDS[server].name}-??????`]);
      // read-only: no server enables writes
      expect(Object.keys(fn.environment).filter((k) => k.endsWith('_ALLOW_WRITES'))).toEqual([]);
    }
    const environment = Object.assign({}, ...functions.map((f) => f.environment));
    expect(environment).toMatchObject({
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      ATLASSIAN_URL: 'https://example.atlassian.net',
      DYNATRACE_URL: 'https://abc12345.live.dynatrace.com',
      PAGERDUTY_API_URL: 'https://api.pagerduty.com',
      SERVICENOW_INSTANCE_URL: 'https://example.service-now.com',
    });
    expectLeastPrivilege(template);
  });

  test('lambda-per-server reads its secrets by complete ARN, its sites, allow-lists and origins from context', () => {
    const app = buildPerServer(new App({
      context: {
        ...ARNS,
        atlassianUrl: 'https://acme.atlassian.net',
        jiraProjects: 'OPS, PLAT',
        confluenceSpaces: 'ENG',
        dynatraceUrl: 'https://xyz98765.live.dynatrace.com',
        pagerdutyApiUrl: 'https://api.eu.pagerduty.com',
        servicenowInstanceUrl: 'https://acme.service-now.com',
        allowedOrigins: 'https://a.example.com, https://b.example.com',
        environment: 'staging',
      },
    }));
    const template = Template.fromStack(stackOf(app, LambdaPerServerStack));
    const functions = functionsOf(template);
    const byServer = Object.fromEntries(functions.map((f) => [f.environment.SERVER_NAME, f]));
    expect(byServer.gitlab.environment).toMatchObject({
      GITLAB_TOKEN_SECRET_ARN: `${ARNS.gitlabTokenSecretArn}#token`,
      ALLOWED_ORIGINS: 'https://a.example.com,https://b.example.com',
      ENVIRONMENT: 'staging',
    });
    expect(byServer.atlassian.environment).toMatchObject({
      ATLASSIAN_URL: 'https://acme.atlassian.net',
      ATLASSIAN_JIRA_PROJECTS: 'OPS,PLAT',
      ATLASSIAN_CONFLUENCE_SPACES: 'ENG',
      ATLASSIAN_EMAIL_SECRET_ARN: `${ARNS.atlassianSecretArn}#email`,
      ATLASSIAN_TOKEN_SECRET_ARN: `${ARNS.atlassianSecretArn}#token`,
    });
    expect(byServer.dynatrace.environment).toMatchObject({ DYNATRACE_URL: 'https://xyz98765.live.dynatrace.com', DYNATRACE_TOKEN_SECRET_ARN: `${ARNS.dynatraceTokenSecretArn}#token` });
    expect(byServer.pagerduty.environment).toMatchObject({ PAGERDUTY_API_URL: 'https://api.eu.pagerduty.com', PAGERDUTY_TOKEN_SECRET_ARN: `${ARNS.pagerdutyTokenSecretArn}#token` });
    expect(byServer.servicenow.environment).toMatchObject({
      SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
      SERVICENOW_USERNAME_SECRET_ARN: `${ARNS.servicenowSecretArn}#username`,
      SERVICENOW_PASSWORD_SECRET_ARN: `${ARNS.servicenowSecretArn}#password`,
    });
    // a secret by complete ARN is granted exactly, once per function
    expect(secretGrants(template, byServer.servicenow.role)).toEqual([ARNS.servicenowSecretArn]);
    expect(secretGrants(template, byServer.atlassian.role)).toEqual([ARNS.atlassianSecretArn]);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'staging' });
    expectLeastPrivilege(template);
  });

  test('lambda-multi-server: the five servers and a self-managed GitLab in one function behind an HTTP API', () => {
    const app = buildMultiServer(new App({
      context: { internalGitLabUrl: 'https://gitlab.internal.example.com/api/v4', oauthIssuer: ISSUER },
    }));
    app.synth();
    const stack = stackOf(app, LambdaMultiServerStack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Environment: {
        Variables: Match.objectLike({
          MCP_SERVERS: 'gitlab,gitlab-internal:gitlab,atlassian,dynatrace,pagerduty,servicenow',
          GITLAB_INTERNAL_API_URL: 'https://gitlab.internal.example.com/api/v4',
          GITLAB_INTERNAL_ALLOW_WRITES: 'true',
          ATLASSIAN_URL: 'https://example.atlassian.net',
          DYNATRACE_URL: 'https://abc12345.live.dynatrace.com',
          PAGERDUTY_API_URL: 'https://api.pagerduty.com',
          SERVICENOW_INSTANCE_URL: 'https://example.service-now.com',
          AUTH_MODE: 'oauth',
          AUTH_ISSUER: ISSUER,
          AUTH_WRITE_SCOPES: 'mcp:write',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: Match.objectLike({ Issuer: ISSUER }),
    });
    expect(stack.fleet.servers.map((s) => s.name)).toEqual(['gitlab', 'gitlab-internal', ...SPEC_SERVERS.slice(1)]);

    // only gitlab-internal writes
    const [fn] = functionsOf(template);
    expect(Object.keys(fn.environment).filter((k) => k.endsWith('_ALLOW_WRITES'))).toEqual(['GITLAB_INTERNAL_ALLOW_WRITES']);
    // every credential a field of its server's secret; the function reads the six secrets, each named once
    for (const { name, variables } of Object.values(SECRET_FIELDS)) {
      for (const [variable, field] of Object.entries(variables)) {
        expect(text(fn.environment[variable])).toBe(`arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}#${field}`);
      }
    }
    expect(secretGrants(template, fn.role).sort()).toEqual(Object.values(SECRET_FIELDS)
      .map(({ name }) => `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????`).sort());
    expectLeastPrivilege(template);
  });

  test('lambda-multi-server reads its secrets by complete ARN from context', () => {
    const app = buildMultiServer(new App({ context: { ...ARNS, oauthIssuer: ISSUER } }));
    const template = Template.fromStack(stackOf(app, LambdaMultiServerStack));
    const [fn] = functionsOf(template);
    expect(fn.environment).toMatchObject({
      GITLAB_TOKEN_SECRET_ARN: `${ARNS.gitlabTokenSecretArn}#token`,
      GITLAB_INTERNAL_TOKEN_SECRET_ARN: `${ARNS.internalTokenSecretArn}#token`,
      ATLASSIAN_EMAIL_SECRET_ARN: `${ARNS.atlassianSecretArn}#email`,
      ATLASSIAN_TOKEN_SECRET_ARN: `${ARNS.atlassianSecretArn}#token`,
      SERVICENOW_USERNAME_SECRET_ARN: `${ARNS.servicenowSecretArn}#username`,
      SERVICENOW_PASSWORD_SECRET_ARN: `${ARNS.servicenowSecretArn}#password`,
    });
    expect(secretGrants(template, fn.role).sort()).toEqual(Object.values(ARNS).sort());
  });

  test('lambda-multi-server enables writes, so it refuses to synthesize without an issuer', () => {
    expect(() => buildMultiServer(new App())).toThrow(/-c oauthIssuer=https:\/\/<your issuer>/);
  });
});

describe('examples fit Lambda\'s 4 KB environment', () => {
  const CONTEXTS: Array<[string, Record<string, string>]> = [
    ['secrets by name', { oauthIssuer: ISSUER }],
    ['secrets by complete ARN, allow-lists and origins', {
      ...ARNS,
      oauthIssuer: ISSUER,
      jiraProjects: 'OPS,PLAT,SRE',
      confluenceSpaces: 'ENG,OPS',
      allowedOrigins: 'https://app.example.com,https://agents.example.com',
    }],
  ];

  test.each(CONTEXTS)('lambda-multi-server, six servers in one function (%s)', (_name, context) => {
    const [fn] = functionsOf(Template.fromStack(stackOf(buildMultiServer(new App({ context })), LambdaMultiServerStack)));
    const size = deployedEnvironmentSize(fn.environment, 'estimate');
    // Room to spare: the six servers take less than half of the limit.
    expect(size).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES / 2);
  });

  test.each(CONTEXTS)('lambda-per-server, each function (%s)', (_name, context) => {
    for (const fn of functionsOf(Template.fromStack(stackOf(buildPerServer(new App({ context })), LambdaPerServerStack)))) {
      expect(deployedEnvironmentSize(fn.environment, 'estimate')).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES / 4);
    }
  });
});
