import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { environmentOf, resourcesOf } from './compute/fargate/helpers';
import { expectLeastPrivilege } from './compute/least-privilege';
import { deployedEnvironmentSize } from './deployed-environment';
import { asList, policyStatements } from './helpers';
import { buildApp as buildFargateMultiServer, FargateMultiServerStack } from '../../examples/fargate-multi-server';
import { buildApp as buildFargatePerServer, FargatePerServerStack } from '../../examples/fargate-per-server';
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

/** A secret's partial ARN (imported by name) followed by `#<field>`, whatever the stack's account and region. */
const ARN_PART = '(?:<AWS::[A-Za-z]+>|[a-z0-9-]+)';
const partialArnOf = (name: string, suffix: string) =>
  new RegExp(`^arn:${ARN_PART}:secretsmanager:${ARN_PART}:${ARN_PART}:secret:${name.replace(/\//g, '\\/')}${suffix.replace(/\?/g, '\\?')}$`);

/** Variable names a credential's value would have: the fleet passes ARNs (`*_SECRET_ARN`) only. */
const CREDENTIAL_NAME = /(TOKEN|PASSWORD|SECRET|USERNAME|EMAIL|API_KEY|PRIVATE_KEY)$/;

/** Each task definition: its container's name and environment, and its task role's logical id. */
function tasksOf(template: Template): Array<{ container: string; environment: Record<string, any>; role: string; secrets: unknown }> {
  return resourcesOf(template, 'AWS::ECS::TaskDefinition').map(([, td]) => {
    const [container] = td.Properties.ContainerDefinitions;
    return { container: container.Name, environment: environmentOf(container), role: td.Properties.TaskRoleArn['Fn::GetAtt'][0], secrets: container.Secrets };
  });
}

/** The listener rules by priority: their path patterns and the target group they forward to. */
function rulesOf(template: Template): Array<{ priority: number; paths: string[]; targetGroup: string }> {
  return resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => ({
    priority: r.Properties.Priority,
    paths: r.Properties.Conditions.flatMap((c: any) => c.PathPatternConfig?.Values ?? []),
    targetGroup: r.Properties.Actions[0].TargetGroupArn.Ref,
  })).sort((a, b) => a.priority - b.priority);
}

/** A task's environment holds settings and secret ARNs only: no credential value, nothing injected. */
function expectNothingSecret(task: { environment: Record<string, any>; secrets: unknown }): void {
  expect(task.secrets).toBeUndefined();
  expect(Object.keys(task.environment).filter((k) => CREDENTIAL_NAME.test(k))).toEqual([]);
  for (const [variable, value] of Object.entries(task.environment)) {
    // a secret's ARN, or a literal setting
    if (variable.endsWith('_SECRET_ARN')) expect(text(value)).toMatch(new RegExp(`^arn:${ARN_PART}:secretsmanager:`));
    else expect([variable, typeof value]).toEqual([variable, 'string']);
  }
}

describe('Fargate examples synthesize', () => {
  const context = { oauthIssuer: ISSUER };

  test('fargate-per-server: the spec\'s five servers, a service, task definition, target group and rule (10..50) each', () => {
    const app = buildFargatePerServer(new App({ context }));
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual(['McpServersFargatePerServer']);
    const stack = stackOf(app, FargatePerServerStack);
    // a region (us-east-1 unless CDK_DEFAULT_REGION says otherwise), so the ALB can log
    expect(stack.region).toBe(process.env.CDK_DEFAULT_REGION ?? 'us-east-1');
    expect(stack.fleet.servers.map((s) => s.name)).toEqual(SPEC_SERVERS);
    const template = Template.fromStack(stack);
    for (const type of ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::ListenerRule']) {
      template.resourceCountIs(type, 5);
    }
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    // the certificate is created for the default name, and the endpoints are on it
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'mcp.example.com' });
    expect(stack.fleet.endpointFor('gitlab')).toBe('https://mcp.example.com/gitlab/mcp');

    const tasks = tasksOf(template);
    expect(tasks.map((t) => t.environment.SERVER_NAME).sort()).toEqual([...SPEC_SERVERS].sort());
    for (const task of tasks) {
      const server = task.environment.SERVER_NAME as string;
      expect(task.container).toBe(`${server}-mcp-server`);
      expect(task.environment).toMatchObject({ PORT: '8080', HOST: '0.0.0.0', AUTH_MODE: 'oauth', AUTH_ISSUER: ISSUER, AUTH_REQUIRED_SCOPES: 'mcp:read', ENVIRONMENT: 'production' });
      // its own credentials, each a field of its server's JSON secret; no other server's
      const own = SECRET_FIELDS[server].variables;
      expect(Object.keys(task.environment).filter((k) => k.endsWith('_SECRET_ARN')).sort()).toEqual(Object.keys(own).sort());
      for (const [variable, field] of Object.entries(own)) expect(text(task.environment[variable])).toMatch(partialArnOf(SECRET_FIELDS[server].name, `#${field}`));
      expectNothingSecret(task);
      // its task role reads its own secret (once) and no other
      const grants = secretGrants(template, task.role);
      expect(grants).toHaveLength(1);
      expect(grants[0]).toMatch(partialArnOf(SECRET_FIELDS[server].name, '-??????'));
      expect(Object.keys(task.environment).filter((k) => k.endsWith('_ALLOW_WRITES'))).toEqual([]);
    }
    expect(Object.assign({}, ...tasks.map((t) => t.environment))).toMatchObject({
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      ATLASSIAN_URL: 'https://example.atlassian.net',
      DYNATRACE_URL: 'https://abc12345.live.dynatrace.com',
      PAGERDUTY_API_URL: 'https://api.pagerduty.com',
      SERVICENOW_INSTANCE_URL: 'https://example.service-now.com',
    });

    // one rule per server, 10, 20... 50 in server order, each forwarding to its own target group (/health)
    const rules = rulesOf(template);
    expect(rules.map((r) => [r.priority, r.paths.slice(0, 2)])).toEqual(SPEC_SERVERS.map((s, i) => [10 * (i + 1), [`/${s}`, `/${s}/*`]]));
    expect(new Set(rules.map((r) => r.targetGroup)).size).toBe(5);
    const groups = Object.fromEntries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    for (const rule of rules) expect(groups[rule.targetGroup].Properties).toMatchObject({ HealthCheckPath: '/health', Port: 8080 });
    // each service is registered with its server's group only
    const services = resourcesOf(template, 'AWS::ECS::Service').map(([, s]) => s.Properties.LoadBalancers);
    for (const lbs of services) expect(lbs).toHaveLength(1);
    expect(services.map((lbs) => lbs[0].TargetGroupArn.Ref).sort()).toEqual(rules.map((r) => r.targetGroup).sort());
    expectLeastPrivilege(template);
  });

  test('fargate-multi-server: the five servers in one service, a target group and rule (100..104) each', () => {
    const app = buildFargateMultiServer(new App({ context }));
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual(['McpServersFargateMultiServer']);
    const stack = stackOf(app, FargateMultiServerStack);
    expect(stack.fleet.servers.map((s) => s.name)).toEqual(SPEC_SERVERS);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 5);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048' });

    const [task] = tasksOf(template);
    expect(task.container).toBe('mcp-multi-server');
    expect(task.environment).toMatchObject({ MCP_SERVERS: SPEC_SERVERS.join(','), PORT: '8080', AUTH_MODE: 'oauth', AUTH_ISSUER: ISSUER });
    const variables = SPEC_SERVERS
      .flatMap((s) => Object.entries(SECRET_FIELDS[s].variables).map(([v, f]) => ({ v, f, name: SECRET_FIELDS[s].name })));
    expect(Object.keys(task.environment).filter((k) => k.endsWith('_SECRET_ARN')).sort()).toEqual(variables.map((x) => x.v).sort());
    for (const { v, f, name } of variables) expect(text(task.environment[v])).toMatch(partialArnOf(name, `#${f}`));
    expectNothingSecret(task);
    // the task role reads the five secrets, each once
    const grants = secretGrants(template, task.role);
    expect(grants).toHaveLength(5);
    for (const server of SPEC_SERVERS) expect(grants.filter((g) => partialArnOf(SECRET_FIELDS[server].name, '-??????').test(g))).toHaveLength(1);

    const rules = rulesOf(template);
    expect(rules.map((r) => [r.priority, r.paths.slice(0, 2)])).toEqual(SPEC_SERVERS.map((s, i) => [100 + i, [`/${s}`, `/${s}/*`]]));
    const groups = Object.fromEntries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(rules.map((r) => groups[r.targetGroup].Properties.HealthCheckPath)).toEqual(SPEC_SERVERS.map((s) => `/${s}/health`));
    // the one service is registered with every group
    const [service] = resourcesOf(template, 'AWS::ECS::Service').map(([, s]) => s.Properties);
    expect(service.LoadBalancers.map((lb: any) => lb.TargetGroupArn.Ref).sort()).toEqual(rules.map((r) => r.targetGroup).sort());
    expectLeastPrivilege(template);
  });

  test.each([
    ['fargate-per-server', buildFargatePerServer, FargatePerServerStack],
    ['fargate-multi-server', buildFargateMultiServer, FargateMultiServerStack],
  ] as const)('%s reads its name, hosted zone, secrets by complete ARN, sites and audience from context', (_name, build, type) => {
    const app = build(new App({
      context: {
        ...ARNS,
        oauthIssuer: ISSUER,
        oauthAudience: 'api://mcp-fleet',
        domainName: 'mcp.acme.example',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        zoneName: 'acme.example',
        atlassianUrl: 'https://acme.atlassian.net',
        dynatraceUrl: 'https://xyz98765.live.dynatrace.com',
        pagerdutyApiUrl: 'https://api.eu.pagerduty.com',
        servicenowInstanceUrl: 'https://acme.service-now.com',
        environment: 'staging',
      },
    }));
    const stack = stackOf(app, type as new (...args: any[]) => Stack & { fleet: any });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'mcp.acme.example',
      DomainValidationOptions: [{ DomainName: 'mcp.acme.example', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.acme.example.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(stack.fleet.endpointFor('servicenow')).toBe('https://mcp.acme.example/servicenow/mcp');
    const environment = Object.assign({}, ...tasksOf(template).map((t) => t.environment));
    expect(environment).toMatchObject({
      GITLAB_TOKEN_SECRET_ARN: `${ARNS.gitlabTokenSecretArn}#token`,
      ATLASSIAN_EMAIL_SECRET_ARN: `${ARNS.atlassianSecretArn}#email`,
      SERVICENOW_PASSWORD_SECRET_ARN: `${ARNS.servicenowSecretArn}#password`,
      ATLASSIAN_URL: 'https://acme.atlassian.net',
      DYNATRACE_URL: 'https://xyz98765.live.dynatrace.com',
      PAGERDUTY_API_URL: 'https://api.eu.pagerduty.com',
      SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
      AUTH_AUDIENCE: 'api://mcp-fleet',
      ENVIRONMENT: 'staging',
    });
    const granted = tasksOf(template).flatMap((t) => secretGrants(template, t.role));
    expect(granted.sort()).toEqual(Object.entries(ARNS).filter(([k]) => k !== 'internalTokenSecretArn').map(([, v]) => v).sort());
    expectLeastPrivilege(template);
  });

  test.each([
    ['fargate-per-server', buildFargatePerServer],
    ['fargate-multi-server', buildFargateMultiServer],
  ] as const)('%s takes a certificate by ARN instead of creating one', (_name, build) => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    const template = Template.fromStack(build(new App({ context: { ...context, certificateArn } })).node.children[0] as Stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: certificateArn }] });
  });

  test.each([
    ['fargate-per-server', buildFargatePerServer],
    ['fargate-multi-server', buildFargateMultiServer],
  ] as const)('%s refuses to synthesize without an issuer, or with half a hosted zone', (_name, build) => {
    expect(() => build(new App())).toThrow(/-c oauthIssuer=https:\/\/<your issuer>/);
    expect(() => build(new App({ context: { ...context, hostedZoneId: 'Z0123456789ABCDEFGHIJ' } })))
      .toThrow('Give both -c hostedZoneId= and -c zoneName= (the zone\'s id and its name), or neither; got hostedZoneId="Z0123456789ABCDEFGHIJ", zoneName=undefined');
  });
});

describe('examples/README.md', () => {
  test.each([
    ['fargate-per-server', buildFargatePerServer],
    ['fargate-multi-server', buildFargateMultiServer],
  ] as const)('the %s row counts about as many resources as the template has', (name, build) => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'examples', 'README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith(`| [${name}.ts]`));
    const stated = Number(/about (\d+) resources \|$/.exec(row ?? '')?.[1]);
    const stack = build(new App({ context: { oauthIssuer: ISSUER } })).node.children[0] as Stack;
    const actual = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    // "about": within 5 %, so a new alarm needs no edit but a new service does
    expect(Math.abs(actual - stated) / actual).toBeLessThan(0.05);
  });
});
