/**
 * `McpServer.dynatrace()`: its validation (each message names the prop and the value it got) and
 * the variables it renders into the function environment: the environment URL, the platform URL
 * and the scan limit when given, the token as a secret reference (one JSON secret holding the
 * classic and the platform token of two servers), the write switch and the tool policy.
 */
import { environments, secretResources, synthFleet, variablesOf } from './synth';
import { FleetCompute, McpServer, ServerCredential } from '../../../src';
import { DYNATRACE_BACKEND } from '../../../src/contract';

const TOKENS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/dynatrace-tokens-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/dynatrace-token-GhIjKl';
const token = ServerCredential.fromSecretCompleteArn(TOKEN_ARN);
const url = 'https://abc12345.live.dynatrace.com';

describe('McpServer.dynatrace', () => {
  describe('validation', () => {
    test('a url or platformUrl that is not an http(s) URL, or carries credentials or a query, is refused, naming the prop', () => {
      expect(() => McpServer.dynatrace({ token, url: 'abc12345.live.dynatrace.com' })).toThrow(/^`url` /);
      expect(() => McpServer.dynatrace({ token, url: 'https://u:dt0c01.x@abc12345.live.dynatrace.com' }))
        .toThrow('`url` must not contain credentials (user:password@): give the credential as a ServerCredential (`token`)');
      expect(() => McpServer.dynatrace({ token, url, platformUrl: 'https://abc12345.apps.dynatrace.com/?Api-Token=x' }))
        .toThrow('`platformUrl` must not have a query or fragment, got: "https://abc12345.apps.dynatrace.com/?***"');
    });

    test.each([[0], [-5], [10_001], [Number.NaN], [Number.POSITIVE_INFINITY]])('scanLimitGbytes %p is refused, naming the value', (scanLimitGbytes) => {
      expect(() => McpServer.dynatrace({ token, url, scanLimitGbytes }))
        .toThrow(`\`scanLimitGbytes\` must be a number of gigabytes above 0 and at most 10000, got: ${scanLimitGbytes}`);
    });

    test('a write tool in allowTools needs allowWrites; a name that is no Dynatrace tool is refused with the list', () => {
      expect(() => McpServer.dynatrace({ token, url, allowTools: ['list_problems', 'send_event'] }))
        .toThrow('`allowTools` names write tool(s) send_event, which are registered only with `allowWrites: true`');
      expect(() => McpServer.dynatrace({ token, url, denyTools: ['dt_execute_dql'] }))
        .toThrow(/^`denyTools` names "dt_execute_dql", which is not a Dynatrace tool; its tools: get_environment_info, list_problems, /);
    });

    test('the contract lists 13 read tools (nl_to_dql the last) and 3 write tools', () => {
      expect(DYNATRACE_BACKEND.tools.read).toHaveLength(13);
      expect(DYNATRACE_BACKEND.tools.read.at(-1)).toBe('nl_to_dql');
      expect(DYNATRACE_BACKEND.tools.write).toEqual(['add_problem_comment', 'send_event', 'close_problem']);
    });
  });

  describe('variables', () => {
    test('defaults: the URL, the token by ARN, no platform URL (derived at run time), no scan limit, writes off', () => {
      const v = variablesOf(McpServer.dynatrace({ url, token }));
      expect(v).toMatchObject({ DYNATRACE_URL: url, DYNATRACE_TOKEN_SECRET_ARN: TOKEN_ARN });
      for (const absent of ['DYNATRACE_PLATFORM_URL', 'DYNATRACE_SCAN_LIMIT_GBYTES', 'DYNATRACE_ALLOW_WRITES', 'DYNATRACE_TOKEN']) expect(v).not.toHaveProperty(absent);
    });

    test('platformUrl, scanLimitGbytes, writes and a tool policy, under the server\'s own prefix', () => {
      const v = variablesOf(McpServer.dynatrace({
        name: 'dt-prod', url, token, platformUrl: 'https://abc12345.apps.dynatrace.com', scanLimitGbytes: 25.5, allowWrites: true, denyTools: ['close_problem'],
      }));
      expect(v).toMatchObject({
        DT_PROD_URL: url,
        DT_PROD_PLATFORM_URL: 'https://abc12345.apps.dynatrace.com',
        DT_PROD_SCAN_LIMIT_GBYTES: '25.5',
        DT_PROD_TOKEN_SECRET_ARN: TOKEN_ARN,
        DT_PROD_ALLOW_WRITES: 'true',
        DT_PROD_TOOLS_DENY: 'close_problem',
      });
    });

    test('a Managed environment URL with its path is rendered as given', () => {
      const v = variablesOf(McpServer.dynatrace({ name: 'dt-managed', url: 'https://dynatrace.example.com/e/0a1b2c3d', token }));
      expect(v).toMatchObject({ DT_MANAGED_URL: 'https://dynatrace.example.com/e/0a1b2c3d' });
    });

    test('one JSON secret holds a classic and a platform token: each server reads its own field', () => {
      const servers = [
        McpServer.dynatrace({ name: 'dt-classic', url, token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'classicToken'), allowWrites: true }),
        McpServer.dynatrace({ name: 'dt-grail', url, token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'platformToken') }),
      ];
      const [one] = environments(servers, FleetCompute.lambdaMultiServer());
      expect(one).toMatchObject({
        DT_CLASSIC_TOKEN_SECRET_ARN: `${TOKENS_ARN}#classicToken`,
        DT_GRAIL_TOKEN_SECRET_ARN: `${TOKENS_ARN}#platformToken`,
        DT_CLASSIC_ALLOW_WRITES: 'true',
        DT_CLASSIC_URL: url,
        DT_GRAIL_URL: url,
      });
      expect(one).not.toHaveProperty('DT_GRAIL_ALLOW_WRITES');
      const perServer = environments(servers);
      expect(perServer).toHaveLength(2);
      expect(perServer.map((e) => Object.keys(e).find((k) => k.endsWith('_TOKEN_SECRET_ARN'))).sort()).toEqual(['DT_CLASSIC_TOKEN_SECRET_ARN', 'DT_GRAIL_TOKEN_SECRET_ARN']);
    });

    test('the functions may read that secret, and only it', () => {
      const { template } = synthFleet([
        McpServer.dynatrace({ name: 'dt-classic', url, token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'classicToken') }),
        McpServer.dynatrace({ name: 'dt-grail', url, token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'platformToken') }),
      ], FleetCompute.lambdaMultiServer());
      const resources = secretResources(template);
      expect(resources.length).toBeGreaterThan(0);
      expect(new Set(resources)).toEqual(new Set([TOKENS_ARN]));
    });
  });
});
