/**
 * `McpServer.pagerduty()`: its validation (each message names the prop and the value it got) and
 * the variables it renders into the function environment: the API URL (default or EU), the key
 * as a secret reference (a field of a JSON secret, one secret holding the keys of several
 * servers), FROM_EMAIL, the write switch and the tool policy.
 */
import { environments, secretResources, synthFleet, variablesOf } from './synth';
import { FleetCompute, McpServer, ServerCredential } from '../../../src';
import { PAGERDUTY_BACKEND } from '../../../src/contract';

const KEYS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/pagerduty-keys-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/pagerduty-token-GhIjKl';
const token = ServerCredential.fromSecretCompleteArn(TOKEN_ARN);

describe('McpServer.pagerduty', () => {
  describe('validation', () => {
    test('an apiUrl that is not an http(s) URL, or carries credentials or a query, is refused', () => {
      expect(() => McpServer.pagerduty({ token, apiUrl: 'api.pagerduty.com' })).toThrow(/^`apiUrl` /);
      expect(() => McpServer.pagerduty({ token, apiUrl: 'https://user:pw@api.pagerduty.com' }))
        .toThrow('`apiUrl` must not contain credentials (user:password@): give the credential as a ServerCredential (`token`)');
      expect(() => McpServer.pagerduty({ token, apiUrl: 'https://api.pagerduty.com/?token=x' }))
        .toThrow('`apiUrl` must not have a query or fragment, got: "https://api.pagerduty.com/?***"');
    });

    test.each([['alice'], ['alice@'], ['alice@example'], ['a b@example.com'], ['alice@example.com,bob@example.com'], ['']])('fromEmail %j is refused, naming the value', (fromEmail) => {
      expect(() => McpServer.pagerduty({ token, fromEmail })).toThrow(`\`fromEmail\` must be an email address, got: ${JSON.stringify(fromEmail)}`);
    });

    test('a write tool in allowTools needs allowWrites; a name that is no PagerDuty tool is refused with the list', () => {
      expect(() => McpServer.pagerduty({ token, allowTools: ['list_incidents', 'update_incidents'] }))
        .toThrow('`allowTools` names write tool(s) update_incidents, which are registered only with `allowWrites: true`');
      expect(() => McpServer.pagerduty({ token, denyTools: ['acknowledge_incident'] }))
        .toThrow(/^`denyTools` names "acknowledge_incident", which is not a PagerDuty tool; its tools: whoami, list_users, list_incidents, /);
    });

    test('the contract lists 16 read tools and 5 write tools', () => {
      expect(PAGERDUTY_BACKEND.tools.read).toHaveLength(16);
      expect(PAGERDUTY_BACKEND.tools.write).toEqual(['update_incidents', 'add_incident_note', 'create_incident', 'add_responders', 'post_status_update']);
    });
  });

  describe('variables', () => {
    test('defaults: the US API, the key by ARN, no From, writes off', () => {
      const v = variablesOf(McpServer.pagerduty({ token }));
      expect(v).toMatchObject({ PAGERDUTY_API_URL: 'https://api.pagerduty.com', PAGERDUTY_TOKEN_SECRET_ARN: TOKEN_ARN });
      expect(v).not.toHaveProperty('PAGERDUTY_FROM_EMAIL');
      expect(v).not.toHaveProperty('PAGERDUTY_ALLOW_WRITES');
      expect(v).not.toHaveProperty('PAGERDUTY_TOKEN');
    });

    test('the EU service, fromEmail, writes and a tool policy, under the server\'s own prefix', () => {
      const v = variablesOf(McpServer.pagerduty({
        name: 'pd-eu', apiUrl: 'https://api.eu.pagerduty.com', token, fromEmail: 'oncall-bot@example.com', allowWrites: true, denyTools: ['create_incident'],
      }));
      expect(v).toMatchObject({
        PD_EU_API_URL: 'https://api.eu.pagerduty.com',
        PD_EU_TOKEN_SECRET_ARN: TOKEN_ARN,
        PD_EU_FROM_EMAIL: 'oncall-bot@example.com',
        PD_EU_ALLOW_WRITES: 'true',
        PD_EU_TOOLS_DENY: 'create_incident',
      });
    });

    test('one JSON secret holds the keys of several servers: each reads its own field', () => {
      const servers = [
        McpServer.pagerduty({ name: 'pd-read', token: ServerCredential.fromSecretCompleteArn(KEYS_ARN, 'readOnlyKey') }),
        McpServer.pagerduty({ name: 'pd-write', token: ServerCredential.fromSecretCompleteArn(KEYS_ARN, 'userKey'), allowWrites: true }),
      ];
      const [one] = environments(servers, FleetCompute.lambdaMultiServer());
      expect(one).toMatchObject({
        PD_READ_TOKEN_SECRET_ARN: `${KEYS_ARN}#readOnlyKey`,
        PD_WRITE_TOKEN_SECRET_ARN: `${KEYS_ARN}#userKey`,
        PD_WRITE_ALLOW_WRITES: 'true',
        PD_READ_API_URL: 'https://api.pagerduty.com',
        PD_WRITE_API_URL: 'https://api.pagerduty.com',
      });
      const perServer = environments(servers);
      expect(perServer.map((e) => Object.keys(e).find((k) => k.endsWith('_TOKEN_SECRET_ARN')))).toEqual(expect.arrayContaining(['PD_READ_TOKEN_SECRET_ARN', 'PD_WRITE_TOKEN_SECRET_ARN']));
    });

    test('the functions may read that secret, and only it', () => {
      const { template } = synthFleet([
        McpServer.pagerduty({ name: 'pd-read', token: ServerCredential.fromSecretCompleteArn(KEYS_ARN, 'readOnlyKey') }),
        McpServer.pagerduty({ name: 'pd-write', token: ServerCredential.fromSecretCompleteArn(KEYS_ARN, 'userKey') }),
      ], FleetCompute.lambdaMultiServer());
      const resources = secretResources(template);
      expect(resources.length).toBeGreaterThan(0);
      expect(new Set(resources)).toEqual(new Set([KEYS_ARN]));
    });
  });
});
