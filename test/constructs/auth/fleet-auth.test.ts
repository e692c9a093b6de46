import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential } from '../../../src';
import { expectLeastPrivilege } from '../compute/least-privilege';
import { GITLAB_SECRET_ARN, gitlabFleet, newStack, twoServers } from '../helpers';

const ISSUER = 'https://login.example.com/oauth2/default';
const OPEN = 'reachable only through the private API of the platform network';

type Methods = Record<string, { Properties: Record<string, any> }>;

/** The REST API methods by `<HTTP method> <path>`, the path rebuilt from the resources. */
function restMethods(template: Template): Record<string, Record<string, any>> {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: any): string => {
    if (ref['Fn::GetAtt']) return '';
    const r = resources[ref.Ref];
    return `${pathOf(r.Properties.ParentId)}/${r.Properties.PathPart}`;
  };
  const out: Record<string, Record<string, any>> = {};
  for (const method of Object.values(template.findResources('AWS::ApiGateway::Method') as Methods)) {
    out[`${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId)}`] = method.Properties;
  }
  return out;
}

/** The HTTP API routes by route key. */
function httpRoutes(template: Template): Record<string, Record<string, any>> {
  return Object.fromEntries(Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Methods)
    .map((r) => [r.Properties.RouteKey, r.Properties]));
}

function perServer(auth?: FleetAuth, origins?: string[]) {
  return gitlabFleet(FleetCompute.lambdaPerServer(), { auth, allowedOrigins: origins });
}

function multiServer(auth?: FleetAuth) {
  return gitlabFleet(FleetCompute.lambdaMultiServer(), { auth });
}

function functionVariables(template: Template): Record<string, any> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function') as Methods);
  return fn.Properties.Environment.Variables;
}

describe('Class: FleetAuth', () => {
  describe('Factories: validation', () => {
    test.each([
      ['an http issuer', () => FleetAuth.oauth({ issuer: 'http://login.example.com' }), /`issuer` must be an https:\/\/ URL, got: "http:\/\/login.example.com"/],
      ['a bad jwksUrl', () => FleetAuth.oauth({ issuer: ISSUER, jwksUrl: 'keys' }), /`jwksUrl` must be an https:\/\/ URL, got: "keys"/],
      ['an empty audience', () => FleetAuth.oauth({ issuer: ISSUER, audience: [] }), /`audience` must name at least one/],
      ['a scope with a comma', () => FleetAuth.oauth({ issuer: ISSUER, writeScopes: ['a,b'] }), /`writeScopes` entries .* got: "a,b"/],
      ['none() without a reason', () => FleetAuth.none({ reason: ' ' }), /`reason` of FleetAuth.none\(\) must say why/],
      ['a user pool without clients', () => FleetAuth.cognito({ userPool: {} as cognito.IUserPool }), /`userPoolClients` must name the app clients/],
      ['a non-loopback http callback', () => FleetAuth.cognito({ callbackUrls: ['http://app.example.com/cb'] }), /`callbackUrls` must be an https:\/\/ URL \(or http:\/\/ on localhost\)/],
    ])('%s is refused, naming the prop and value', (_what, make, message) => {
      expect(make).toThrow(message);
    });

    test('one FleetAuth protects one fleet', () => {
      const auth = FleetAuth.iam();
      const stack = newStack();
      new McpServerFleet(stack, 'A', { environment: 'production', servers: twoServers(), auth });
      expect(() => new McpServerFleet(stack, 'B', { environment: 'production', servers: twoServers(), auth })).toThrow(/one fleet only/);
    });
  });

  describe('The default', () => {
    test('a fleet without `auth` is FleetAuth.iam(): IAM on the MCP methods, AUTH_MODE=gateway', () => {
      const { fleet, template } = perServer();
      expect(fleet.auth.mode).toBe('IAM');
      const methods = restMethods(template);
      expect(methods['POST /gitlab/mcp'].AuthorizationType).toBe('AWS_IAM');
      expect(functionVariables(template).AUTH_MODE).toBe('gateway');
    });
  });

  describe('Writes need authentication', () => {
    test('allowWrites under none() is a synth-time error naming the server', () => {
      const stack = newStack();
      expect(() => new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), auth: FleetAuth.none({ reason: OPEN }) }))
        .toThrow(/Server\(s\) "gl-internal" set `allowWrites: true`, but the fleet's `auth` is FleetAuth.none\(\)/);
    });

    test.each([
      ['iam', () => FleetAuth.iam()],
      ['oauth', () => FleetAuth.oauth({ issuer: ISSUER })],
      ['cognito', () => FleetAuth.cognito()],
      ['apiKeys', () => FleetAuth.apiKeys()],
    ])('allowWrites under %s() synthesizes', (_name, auth) => {
      const stack = newStack();
      expect(() => new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), auth: auth() })).not.toThrow();
    });
  });
});

describe('Front door: REST API (FleetCompute.lambdaPerServer)', () => {
  test('cognito(): a user pool (no self sign-up, MFA), resource server mcp with read/write, a PKCE client, the authorizer with scopes', () => {
    const { template } = perServer(FleetAuth.cognito());

    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'mcp',
      Scopes: [{ ScopeName: 'read', ScopeDescription: Match.anyValue() }, { ScopeName: 'write', ScopeDescription: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid',
        { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('ResourceServer') }, '/read']] },
        { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('ResourceServer') }, '/write']] }],
      CallbackURLs: ['http://localhost:6274/oauth/callback'],
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'Arn'] }],
    });

    const methods = restMethods(template);
    for (const key of ['POST /gitlab', 'POST /gitlab/mcp']) {
      expect(methods[key]).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: ['mcp/read'], AuthorizerId: { Ref: expect.stringMatching(/Authorizer/) } });
    }
    for (const key of ['GET /gitlab/health', 'GET /.well-known/oauth-protected-resource/gitlab', 'GET /.well-known/oauth-protected-resource/gitlab/mcp', 'OPTIONS /gitlab/mcp']) {
      expect(methods[key].AuthorizationType).toBe('NONE');
      expect(methods[key].AuthorizerId).toBeUndefined();
    }

    const variables = functionVariables(template);
    expect(variables).toMatchObject({
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/UserPool/), 'ProviderName'] }]] },
      AUTH_AUDIENCE: { Ref: expect.stringMatching(/UserPoolClient/) },
      AUTH_REQUIRED_SCOPES: 'mcp/read',
      AUTH_WRITE_SCOPES: 'mcp/write',
    });
    // a missing token gets a 401 naming the metadata, so MCP clients find the authorization server
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': Match.anyValue() },
    });
  });

  test('cognito({ userPool, userPoolClients }): no pool created, the given pool authorizes, its clients are the audience', () => {
    const stack = newStack();
    const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbCdEfGhI');
    const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client123');
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [McpServer.gitlab()],
      auth: FleetAuth.cognito({ userPool: pool, userPoolClients: [client], requiredScopes: ['gitlab/read'] }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(restMethods(template)['POST /gitlab/mcp'].AuthorizationScopes).toEqual(['gitlab/read']);
    expect(functionVariables(template)).toMatchObject({ AUTH_AUDIENCE: 'client123', AUTH_REQUIRED_SCOPES: 'gitlab/read' });
    expect(functionVariables(template).AUTH_WRITE_SCOPES).toBeUndefined();
  });

  test('oauth(): the runtime checks the token (AUTH_MODE=oauth and the issuer settings); metadata routed without auth', () => {
    const { template } = perServer(FleetAuth.oauth({
      issuer: ISSUER,
      audience: ['api://mcp'],
      requiredScopes: ['mcp:read'],
      writeScopes: ['mcp:write'],
      jwksUrl: `${ISSUER}/v1/keys`,
      authorizationServers: [ISSUER, 'https://backup.example.com'],
    }));
    const methods = restMethods(template);
    expect(methods['POST /gitlab/mcp'].AuthorizationType).toBe('NONE');
    expect(methods['GET /.well-known/oauth-protected-resource/gitlab/mcp'].AuthorizationType).toBe('NONE');
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    expect(functionVariables(template)).toMatchObject({
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: 'api://mcp',
      AUTH_REQUIRED_SCOPES: 'mcp:read',
      AUTH_WRITE_SCOPES: 'mcp:write',
      AUTH_JWKS_URL: `${ISSUER}/v1/keys`,
      AUTH_AUTHORIZATION_SERVERS: `${ISSUER},https://backup.example.com`,
    });
  });

  test('apiKeys(): a key on the MCP methods only; the usage plan carries the stage; AUTH_MODE=gateway', () => {
    const { template } = perServer(FleetAuth.apiKeys());
    const methods = restMethods(template);
    expect(methods['POST /gitlab'].ApiKeyRequired).toBe(true);
    expect(methods['POST /gitlab/mcp'].ApiKeyRequired).toBe(true);
    expect(methods['GET /gitlab/health'].ApiKeyRequired).toBeFalsy();
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { ApiStages: [Match.objectLike({ Stage: Match.anyValue() })] });
    expect(functionVariables(template).AUTH_MODE).toBe('gateway');
    expect(Object.keys(methods).filter((k) => k.includes('.well-known'))).toEqual([]);
  });

  test('iam(): AWS_IAM on the MCP methods, not on health; grantInvoke gives execute-api:Invoke on exactly the MCP routes', () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [McpServer.gitlab()], auth: FleetAuth.iam() });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantInvoke(role);
    const template = Template.fromStack(stack);
    const methods = restMethods(template);
    expect(methods['POST /gitlab/mcp'].AuthorizationType).toBe('AWS_IAM');
    expect(methods['GET /gitlab/health'].AuthorizationType).toBe('NONE');

    const policy = Object.values(template.findResources('AWS::IAM::Policy') as Methods)
      .find((p) => JSON.stringify(p.Properties.Roles).includes('Caller'))!;
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement.Action).toBe('execute-api:Invoke');
    const resources = JSON.stringify(statement.Resource);
    expect(statement.Resource).toHaveLength(2);
    expect(resources).toContain('/POST/gitlab"');
    expect(resources).toContain('/POST/gitlab/mcp"');
    expect(resources).not.toContain('*');
  });

  test('none(): no authorization anywhere, a warning at synthesis, AUTH_MODE=none', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN) })],
      auth: FleetAuth.none({ reason: OPEN }),
    });
    const template = Template.fromStack(stack);
    expect(restMethods(template)['POST /gitlab/mcp']).toMatchObject({ AuthorizationType: 'NONE' });
    expect(functionVariables(template).AUTH_MODE).toBe('none');
    Annotations.fromStack(stack).hasWarning('/TestStack/Fleet', Match.stringLikeRegexp(`accept calls without a credential.*${OPEN}`));
  });

  test('grantInvoke outside iam() says why', () => {
    const { stack, fleet } = perServer(FleetAuth.apiKeys());
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => fleet.grantInvoke(role)).toThrow(/grantInvoke needs FleetAuth.iam\(\) \(fleet TestStack\/Fleet uses API_KEYS\)/);
  });
});

describe('Front door: HTTP API (FleetCompute.lambdaMultiServer)', () => {
  test('oauth(): a JWT authorizer (issuer; every server\'s resource URI as audience) on the MCP routes only', () => {
    const { template } = multiServer(FleetAuth.oauth({ issuer: ISSUER, requiredScopes: ['mcp:read'] }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: ISSUER,
        Audience: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('HttpApi'), 'ApiEndpoint'] }, '/gitlab/mcp']] }],
      },
    });
    const routes = httpRoutes(template);
    for (const key of ['POST /gitlab', 'POST /gitlab/{proxy+}']) {
      expect(routes[key]).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['mcp:read'], AuthorizerId: expect.anything() });
    }
    for (const key of ['GET /health', 'GET /gitlab/health', 'GET /.well-known/oauth-protected-resource',
      'GET /.well-known/oauth-protected-resource/gitlab', 'GET /.well-known/oauth-protected-resource/gitlab/mcp']) {
      expect(routes[key]).toBeDefined();
      expect(routes[key].AuthorizationType ?? 'NONE').toBe('NONE');
    }
    expect(functionVariables(template)).toMatchObject({ AUTH_MODE: 'oauth', AUTH_ISSUER: ISSUER, AUTH_REQUIRED_SCOPES: 'mcp:read' });
    expect(functionVariables(template).AUTH_AUDIENCE).toBeUndefined();
  });

  test('oauth({ audience }): the JWT authorizer takes the given audience', () => {
    const { template } = multiServer(FleetAuth.oauth({ issuer: ISSUER, audience: ['api://mcp'] }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { JwtConfiguration: { Issuer: ISSUER, Audience: ['api://mcp'] } });
    expect(functionVariables(template).AUTH_AUDIENCE).toBe('api://mcp');
  });

  test('cognito(): a JWT authorizer with the pool\'s issuer and the app client as audience', () => {
    const { template } = multiServer(FleetAuth.cognito());
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'ProviderName'] }]] },
        Audience: [{ Ref: Match.stringLikeRegexp('UserPoolClient') }],
      },
    });
    expect(httpRoutes(template)['POST /gitlab/{proxy+}']).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['mcp/read'] });
  });

  test('iam(): the IAM authorizer on the MCP routes; grantInvoke on exactly them', () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', {
      environment: 'production', servers: twoServers(), compute: FleetCompute.lambdaMultiServer(), auth: FleetAuth.iam(),
    });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantInvoke(role, 'gitlab');
    const template = Template.fromStack(stack);
    const routes = httpRoutes(template);
    expect(routes['POST /gitlab'].AuthorizationType).toBe('AWS_IAM');
    expect(routes['POST /gitlab/{proxy+}'].AuthorizationType).toBe('AWS_IAM');
    expect(routes['GET /gitlab/health'].AuthorizationType ?? 'NONE').toBe('NONE');
    expect(routes['GET /.well-known/oauth-protected-resource']).toBeUndefined();

    const policy = Object.values(template.findResources('AWS::IAM::Policy') as Methods)
      .find((p) => JSON.stringify(p.Properties.Roles).includes('Caller'))!;
    const resources = JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource);
    expect(resources).toContain('/$default/POST/gitlab"');
    expect(resources).toContain('/$default/POST/gitlab/*"');
    expect(resources).not.toContain('gl-internal');
  });

  test('apiKeys() is a synth-time error naming the prop and the way out', () => {
    expect(() => multiServer(FleetAuth.apiKeys()))
      .toThrow(/`auth` of fleet TestStack\/Fleet is FleetAuth.apiKeys\(\), but FleetCompute.lambdaMultiServer\(\) serves through an HTTP API, which cannot require API keys: use FleetCompute.lambdaPerServer\(\)/);
  });

  test('none(): no authorizer, AUTH_MODE=none', () => {
    const { template } = multiServer(FleetAuth.none({ reason: OPEN }));
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(functionVariables(template).AUTH_MODE).toBe('none');
  });
});

const COMPUTES: Array<[string, () => IFleetCompute]> = [
  ['lambdaPerServer', () => FleetCompute.lambdaPerServer()],
  ['lambdaMultiServer', () => FleetCompute.lambdaMultiServer()],
];

describe.each(COMPUTES)('Least privilege with every FleetAuth: %s', (_name, compute) => {
  test.each([
    ['iam', () => FleetAuth.iam()],
    ['oauth', () => FleetAuth.oauth({ issuer: ISSUER })],
    ['cognito', () => FleetAuth.cognito()],
  ])('%s', (_auth, auth) => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute(), auth: auth() });
    expectLeastPrivilege(Template.fromStack(stack));
  });
});
