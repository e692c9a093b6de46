import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FleetAuthMode, FleetServerDescription } from '../../../src';
import { CredentialDelivery, renderAuthVariables, renderRuntimeEnvironment } from '../../../src/compute/runtime-environment';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, newStack, twoServers } from '../helpers';

/** The two test servers, described as a compute receives them. */
function descriptions(): FleetServerDescription[] {
  const stack = newStack();
  return twoServers().map((server) => server._bind(stack));
}

const FLEET = { environment: 'production', allowedOrigins: ['https://app.example.com'] };

describe('Function: renderRuntimeEnvironment', () => {
  test('one server: the shared variables, SERVER_NAME/SERVER_KIND, its settings and its secret ARN', () => {
    // Prepare
    const [, internal] = descriptions();

    // Act
    const { variables, secrets } = renderRuntimeEnvironment(FLEET, [internal], { logLevel: 'DEBUG', secretCacheTtl: Duration.minutes(2) });

    // Assess
    expect(variables).toEqual({
      LOG_LEVEL: 'debug',
      ENVIRONMENT: 'production',
      ALLOWED_ORIGINS: 'https://app.example.com',
      AUTH_MODE: 'none', // settings without auth (a fleet always passes its own)
      SECRET_CACHE_TTL_SECONDS: '120',
      POWERTOOLS_SERVICE_NAME: 'mcp-gl-internal',
      SERVER_NAME: 'gl-internal',
      SERVER_KIND: 'gitlab',
      GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
      GL_INTERNAL_ALLOW_WRITES: 'true',
      GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
    });
    expect(secrets).toEqual({});
  });

  test('several servers: MCP_SERVERS (the contract\'s encoding) and each server\'s arn#field', () => {
    const { variables } = renderRuntimeEnvironment({ environment: 'staging', allowedOrigins: [] }, descriptions());
    expect(variables).toEqual({
      LOG_LEVEL: 'info',
      ENVIRONMENT: 'staging',
      AUTH_MODE: 'none',
      POWERTOOLS_SERVICE_NAME: 'mcp-servers',
      MCP_SERVERS: 'gitlab,gl-internal:gitlab',
      GITLAB_API_URL: 'https://gitlab.com/api/v4',
      GITLAB_TOKEN_SECRET_ARN: `${GITLAB_SECRET_ARN}#token`,
      GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
      GL_INTERNAL_ALLOW_WRITES: 'true',
      GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
    });
  });

  test('one server can be rendered for a multi-server process', () => {
    const [gitlab] = descriptions();
    const { variables } = renderRuntimeEnvironment(FLEET, [gitlab], { multiServer: true });
    expect(variables).toMatchObject({ MCP_SERVERS: 'gitlab' });
    expect(variables.SERVER_NAME).toBeUndefined();
  });

  test('ECS secrets: each credential is injected as its own variable, with the JSON field, and has no _SECRET_ARN', () => {
    // Prepare
    const stack = newStack();
    const [gitlab, internal] = twoServers().map((server) => server._bind(stack));

    // Act
    const { variables, secrets } = renderRuntimeEnvironment(FLEET, [gitlab, internal], { credentials: CredentialDelivery.ECS_SECRET });

    // Assess: ecs.Secret.fromSecretsManager(secret, field) names `<arn>:<field>::` for a JSON field
    expect(Object.keys(secrets)).toEqual(['GITLAB_TOKEN', 'GL_INTERNAL_TOKEN']);
    expect(stack.resolve(secrets.GITLAB_TOKEN.arn)).toBe(`${GITLAB_SECRET_ARN}:token::`);
    expect(stack.resolve(secrets.GL_INTERNAL_TOKEN.arn)).toBe(INTERNAL_SECRET_ARN);
    expect(Object.keys(variables).filter((k) => k.endsWith('_SECRET_ARN'))).toEqual([]);
    expect(variables).toMatchObject({ GITLAB_API_URL: 'https://gitlab.com/api/v4', MCP_SERVERS: 'gitlab,gl-internal:gitlab' });
    // ... and grants read of exactly its secret to whoever ECS gives it (the task's execution role)
    const role = new iam.Role(stack, 'Execution', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    secrets.GL_INTERNAL_TOKEN.grantRead(role);
    const statements = stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON()).Statement;
    expect(statements).toEqual([expect.objectContaining({ Resource: INTERNAL_SECRET_ARN })]);
  });

  test('a secret created in the app renders as a token reference', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Token');
    const [server] = descriptions();
    const withSecret: FleetServerDescription = { ...server, credentials: [{ variableName: 'GITLAB_TOKEN', secret, jsonField: 'token' }] };
    const arnMode = renderRuntimeEnvironment(FLEET, [withSecret]);
    expect(stack.resolve(arnMode.variables.GITLAB_TOKEN_SECRET_ARN)).toEqual({ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^Token/) }, '#token']] });
  });

  test('several servers without multiServer, or none, are refused', () => {
    expect(() => renderRuntimeEnvironment(FLEET, descriptions(), { multiServer: false }))
      .toThrow('A single-server runtime environment hosts one server, got 2: gitlab, gl-internal (set multiServer for MCP_SERVERS)');
    expect(() => renderRuntimeEnvironment(FLEET, [])).toThrow(/at least one server/);
  });
});

describe('Function: renderAuthVariables', () => {
  const ISSUER = 'https://login.example.com/oauth2/default';

  test.each([
    [FleetAuthMode.IAM, 'gateway'],
    [FleetAuthMode.API_KEYS, 'gateway'],
    [FleetAuthMode.NONE, 'none'],
  ])('%s: AUTH_MODE=%s and nothing else', (mode, expected) => {
    expect(renderAuthVariables({ mode, requiredScopes: [], writeScopes: [] })).toEqual({ AUTH_MODE: expected });
  });

  test('oauth: every setting, lists in the contract\'s encoding', () => {
    expect(renderAuthVariables({
      mode: FleetAuthMode.OAUTH,
      issuer: ISSUER,
      audience: ['api://a', 'api://b'],
      requiredScopes: ['mcp:read'],
      writeScopes: ['mcp:write', 'mcp:admin'],
      jwksUrl: `${ISSUER}/keys`,
      authorizationServers: [ISSUER],
    })).toEqual({
      AUTH_MODE: 'oauth',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: 'api://a,api://b',
      AUTH_REQUIRED_SCOPES: 'mcp:read',
      AUTH_WRITE_SCOPES: 'mcp:write,mcp:admin',
      AUTH_JWKS_URL: `${ISSUER}/keys`,
      AUTH_AUTHORIZATION_SERVERS: ISSUER,
    });
  });

  test('oauth with defaults: only the mode and the issuer (the runtime derives the rest)', () => {
    expect(renderAuthVariables({ mode: FleetAuthMode.COGNITO, issuer: ISSUER, requiredScopes: [], writeScopes: [] }))
      .toEqual({ AUTH_MODE: 'oauth', AUTH_ISSUER: ISSUER });
  });

  test('the fleet\'s auth is part of every process\'s environment (and so of the 4 KB check)', () => {
    const { variables } = renderRuntimeEnvironment(
      { ...FLEET, auth: { mode: FleetAuthMode.OAUTH, issuer: ISSUER, requiredScopes: ['mcp:read'], writeScopes: [] } },
      descriptions(),
    );
    expect(variables).toMatchObject({ AUTH_MODE: 'oauth', AUTH_ISSUER: ISSUER, AUTH_REQUIRED_SCOPES: 'mcp:read' });
  });
});
