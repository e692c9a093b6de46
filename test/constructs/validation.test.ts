import { App, CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { GITLAB_SECRET_ARN, gitlabFleet, newStack, twoServers } from './helpers';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet, McpServerFleetProps, ServerCredential } from '../../src';

function fleet(props: Partial<McpServerFleetProps>, compute?: IFleetCompute): McpServerFleet {
  return new McpServerFleet(newStack(), 'Fleet', {
    environment: 'production',
    servers: [McpServer.gitlab()],
    compute,
    ...props,
  });
}

/** `count` GitLab servers with a token each, named gitlab-00, gitlab-01... */
function manyServers(count: number, token: (i: number) => ServerCredential): McpServer[] {
  return Array.from({ length: count }, (_, i) => McpServer.gitlab({
    name: `gitlab-${String(i).padStart(2, '0')}`,
    apiUrl: `https://gitlab-${i}.example.com/api/v4`,
    token: token(i),
  }));
}

describe('McpServerFleet validation', () => {
  test('an unknown environment is refused, naming the allowed values', () => {
    expect(() => fleet({ environment: 'prod' })).toThrow('`environment` must be one of development, staging, production, got: "prod"');
  });

  test('an empty server list is refused', () => {
    expect(() => fleet({ servers: [] })).toThrow(/`servers` must list at least one server, got: \[\]/);
  });

  test('duplicate server names are refused', () => {
    expect(() => fleet({ servers: [McpServer.gitlab(), McpServer.gitlab()] })).toThrow(/`servers` must have unique names, got "gitlab" twice/);
  });

  test.each([
    ['GitLab'],
    ['1gitlab'],
    ['git_lab'],
    ['-gitlab'],
    ['gitlab/mcp'],
    [''],
    ['a'.repeat(64)],
  ])('server name %j is refused', (name) => {
    expect(() => McpServer.gitlab({ name })).toThrow(new RegExp(`\`name\` of a server must be lowercase letters.*got: ${JSON.stringify(JSON.stringify(name)).slice(1, -1)}`));
  });

  test('a 63-character name with digits and hyphens is accepted', () => {
    expect(McpServer.gitlab({ name: `g${'-1'.repeat(31)}` }).name).toHaveLength(63);
  });

  test('an apiUrl with credentials or a query is refused (the runtime would refuse it, and the template would hold the password)', () => {
    expect(() => McpServer.gitlab({ apiUrl: 'https://oauth2:glpat-secret@gitlab.example.com/api/v4' }))
      .toThrow('`apiUrl` must not contain credentials (user:password@): give the credential as a ServerCredential (`token`)');
    expect(() => McpServer.gitlab({ apiUrl: 'https://gitlab.example.com/api/v4?private_token=x' }))
      .toThrow('`apiUrl` must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"');
  });

  test.each([['health'], ['mcp']])('server name %j is refused: the runtime routes it itself', (name) => {
    expect(() => McpServer.gitlab({ name })).toThrow(`\`name\` of a server cannot be "${name}": /${name} is a route of the runtime itself`);
  });

  test.each([
    ['gitlab.com/api/v4', 'must be an absolute http(s) URL, got: "gitlab.com/api/v4"'],
    ['ftp://gitlab.com', 'must be an http(s) URL, got: "ftp://gitlab.com"'],
    ['not a url', 'must be an absolute http(s) URL, got: "not a url"'],
  ])('apiUrl %j is refused', (apiUrl, message) => {
    expect(() => McpServer.gitlab({ apiUrl })).toThrow(`\`apiUrl\` ${message}`);
  });

  test.each([
    [['https://app.example.com/']],
    [['app.example.com']],
    [['https://app.example.com/path']],
    [['https://a.example.com,https://b.example.com']],
  ])('allowedOrigins %j is refused', (allowedOrigins) => {
    expect(() => fleet({ allowedOrigins })).toThrow(/`allowedOrigins` entries must be `\*` or an origin/);
  });

  test('`*` cannot be mixed with origins', () => {
    expect(() => fleet({ allowedOrigins: ['*', 'https://app.example.com'] })).toThrow(/must be \['\*'\] alone/);
  });
});

describe('ServerCredential validation', () => {
  test('a partial ARN is not a complete ARN', () => {
    expect(() => ServerCredential.fromSecretCompleteArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token'))
      .toThrow(/`secretCompleteArn` must be the complete ARN .* got: arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp\/gitlab-token$/);
    expect(() => ServerCredential.fromSecretCompleteArn('mcp/gitlab-token')).toThrow(/secretCompleteArn/);
  });

  test.each([[''], ['a#b'], ['a,b']])('jsonField %j is refused', (jsonField) => {
    expect(() => ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, jsonField)).toThrow(/`jsonField` must be a non-empty field name/);
  });
});

describe('Lambda compute validation', () => {
  test.each([[64], [127], [10241]])('memorySize %d is refused', (memorySize) => {
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ memorySize })))
      .toThrow(`\`memorySize\` must be between 128 and 10240, got: ${memorySize}`);
    expect(() => fleet({}, FleetCompute.lambdaMultiServer({ memorySize }))).toThrow(`\`memorySize\` must be between 128 and 10240, got: ${memorySize}`);
  });

  test('a fractional memorySize or timeout is refused with the value', () => {
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ memorySize: 200.5 }))).toThrow('`memorySize` must be an integer of at least 128, got: 200.5');
    expect(() => fleet({}, FleetCompute.lambdaMultiServer({ timeout: Duration.millis(29_500) })))
      .toThrow('`timeout` must be a whole number of seconds (Lambda counts in seconds), got: 29.5 seconds');
  });

  test('timeout beyond 29 s is refused behind the REST API', () => {
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ timeout: Duration.seconds(30) })))
      .toThrow('`timeout` must be between 1 and 29 seconds behind the REST API (its integration timeout), got: 30 seconds');
  });

  test('timeout beyond 30 s is refused behind the HTTP API', () => {
    expect(() => fleet({}, FleetCompute.lambdaMultiServer({ timeout: Duration.seconds(31) })))
      .toThrow(/`timeout` must be between 1 and 30 seconds behind the HTTP API .*got: 31 seconds/);
  });

  test('other numeric props name themselves and the value', () => {
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ logLevel: 'verbose' }))).toThrow(/`logLevel` must be one of debug, info, warn, error, silent, got: "verbose"/);
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ reservedConcurrency: -1 }))).toThrow(/`reservedConcurrency` must be an integer of at least 0, got: -1/);
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ monthlyQuota: 0 }))).toThrow(/`monthlyQuota` must be an integer of at least 1, got: 0/);
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ throttlingRateLimit: 1.5 }))).toThrow(/`throttlingRateLimit`.*got: 1.5/);
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ ephemeralStorageSize: Size.mebibytes(256) })))
      .toThrow(/`ephemeralStorageSize` must be between 512 and 10240, got: 256/);
    expect(() => fleet({}, FleetCompute.lambdaPerServer({ alarmThresholds: { errors: -1 } }))).toThrow(/`alarmThresholds.errors`.*got: -1/);
  });

  test('unresolved tokens are not validated', () => {
    // GIVEN values only known at deploy time
    const stack = newStack();
    const memory = new CfnParameter(stack, 'Memory', { type: 'Number' }).valueAsNumber;
    const timeout = new CfnParameter(stack, 'Timeout', { type: 'Number' }).valueAsNumber;
    const environment = new CfnParameter(stack, 'Environment').valueAsString;

    // WHEN / THEN
    expect(() => new McpServerFleet(stack, 'Fleet', {
      environment,
      servers: twoServers(),
      compute: FleetCompute.lambdaPerServer({ memorySize: memory, timeout: Duration.seconds(timeout) }),
    })).not.toThrow();
  });
});

describe('Lambda environment size (4 KB)', () => {
  test('a multi-server function whose variables pass 4096 bytes is refused, naming the fleet and the size', () => {
    const servers = manyServers(30, (i) => ServerCredential.fromSecretCompleteArn(
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-${i}-token-AbCdEf`, 'token'));
    expect(() => fleet({ servers }, FleetCompute.lambdaMultiServer()))
      .toThrow(/McpServerFleet TestStack\/Fleet: the environment of MCP servers gitlab-00, .* is about \d{4} bytes, over Lambda's 4096-byte limit/);
  });

  test('the same servers fit one function each', () => {
    const servers = manyServers(30, (i) => ServerCredential.fromSecretCompleteArn(
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-${i}-token-AbCdEf`, 'token'));
    expect(() => fleet({ servers }, FleetCompute.lambdaPerServer())).not.toThrow();
  });

  test('secret ARNs that are tokens are counted at their real length', () => {
    // GIVEN secrets created in the app: their ARNs are tokens until deployment (counted as 100 bytes)
    const stack = newStack();
    const servers = manyServers(26, (i) => ServerCredential.fromSecret(new secretsmanager.Secret(stack, `S${i}`)));

    // THEN 26 servers x (52 bytes of URL + 26 of name + 100 for the ARN) pass the limit
    expect(() => new McpServerFleet(stack, 'Fleet', { environment: 'production', servers, compute: FleetCompute.lambdaMultiServer() }))
      .toThrow(/over Lambda's 4096-byte limit \(values known only at deployment, such as secret ARNs, estimated at their real length\)/);
  });

  test('partition, region and account tokens are counted at their real length, not as whole ARNs', () => {
    // GIVEN an environment-agnostic stack and secrets imported by name: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
    const stack = new Stack(new App(), 'Agnostic');
    const servers = manyServers(16, (i) => ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, `S${i}`, `mcp/t${i}`)));

    // THEN 16 servers x about 150 bytes fit (300 bytes per ARN would not)
    expect(() => new McpServerFleet(stack, 'Fleet', { environment: 'production', servers, compute: FleetCompute.lambdaMultiServer() })).not.toThrow();
  });

  test('five servers, the spec\'s fleet, fit one function', () => {
    const servers = manyServers(5, (i) => ServerCredential.fromSecretCompleteArn(
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-${i}-token-AbCdEf`, 'token'));
    expect(() => fleet({ servers }, FleetCompute.lambdaMultiServer())).not.toThrow();
  });
});

describe('validation errors do not depend on the topology', () => {
  test('a valid fleet builds with both topologies', () => {
    expect(() => gitlabFleet(FleetCompute.lambdaPerServer())).not.toThrow();
    expect(() => gitlabFleet(FleetCompute.lambdaMultiServer())).not.toThrow();
  });
});
