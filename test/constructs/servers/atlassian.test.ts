/**
 * `McpServer.atlassian()`: its validation (each message names the prop and the value it got) and
 * the variables it renders into the function environment: the site URL, the cloud id and gateway
 * for scoped tokens, the allow-lists, the edit tier, and the email and token as secret references,
 * from one JSON secret with both fields or from two secrets.
 */
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { environments, secretResources, synthFleet, variablesOf } from './synth';
import { FleetCompute, McpServer, ServerCredential } from '../../../src';
import { ATLASSIAN_BACKEND, ATLASSIAN_EDIT_TOOLS } from '../../../src/contract';

const JSON_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/atlassian-AbCdEf';
const EMAIL_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/atlassian-email-GhIjKl';
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/atlassian-token-MnOpQr';
const url = 'https://acme.atlassian.net';
const email = ServerCredential.fromSecretCompleteArn(JSON_ARN, 'email');
const separate = () => ({ email: ServerCredential.fromSecretCompleteArn(EMAIL_ARN), token: ServerCredential.fromSecretCompleteArn(TOKEN_ARN) });
const token = ServerCredential.fromSecretCompleteArn(JSON_ARN, 'token');
const CLOUD_ID = 'a436116f-02ce-4520-8fbb-7301462a1674';

describe('McpServer.atlassian', () => {
  describe('validation', () => {
    test('a url that is not an http(s) URL, carries credentials or a query, or is not the site root is refused, naming the prop and the value', () => {
      expect(() => McpServer.atlassian({ url: 'acme.atlassian.net', email, token })).toThrow('`url` must be an absolute http(s) URL, got: "acme.atlassian.net"');
      expect(() => McpServer.atlassian({ url: 'https://ann:ATATT@acme.atlassian.net', email, token }))
        .toThrow('`url` must not contain credentials (user:password@): give the credential as a ServerCredential (`token`)');
      expect(() => McpServer.atlassian({ url: 'https://acme.atlassian.net/?token=x', email, token })).toThrow('`url` must not have a query or fragment, got: "https://acme.atlassian.net/?***"');
      expect(() => McpServer.atlassian({ url: 'https://acme.atlassian.net/wiki', email, token }))
        .toThrow('`url` must be the site\'s root URL (e.g. "https://your-domain.atlassian.net"; the server adds /rest/api/3 and /wiki itself), got: "https://acme.atlassian.net/wiki" with path /wiki');
      expect(() => McpServer.atlassian({ url: 'https://acme.atlassian.net/', email, token })).not.toThrow();
    });

    test('a cloudId that is not a UUID is refused; gatewayUrl needs a cloudId and is checked as a URL', () => {
      expect(() => McpServer.atlassian({ url, email, token, cloudId: 'acme' }))
        .toThrow('`cloudId` must be the site\'s cloud id, a UUID such as "a436116f-02ce-4520-8fbb-7301462a1674", got: "acme"');
      expect(() => McpServer.atlassian({ url, email, token, gatewayUrl: 'https://gw.example.com' }))
        .toThrow('`gatewayUrl` applies only with `cloudId` (calls go through the gateway only then), got gatewayUrl "https://gw.example.com" without a cloudId');
      expect(() => McpServer.atlassian({ url, email, token, cloudId: CLOUD_ID, gatewayUrl: 'ftp://gw.example.com' })).toThrow('`gatewayUrl` must be an http(s) URL, got: "ftp://gw.example.com"');
    });

    test('allow-lists must be literal keys of the right form, not empty, without duplicates', () => {
      expect(() => McpServer.atlassian({ url, email, token, jiraProjects: [] })).toThrow('`jiraProjects` must name at least one entry, got: [] (leave it out for no restriction)');
      expect(() => McpServer.atlassian({ url, email, token, jiraProjects: ['ops'] }))
        .toThrow('`jiraProjects` entries must be Jira project keys (uppercase letters, digits and underscores, starting with a letter), got: "ops"');
      expect(() => McpServer.atlassian({ url, email, token, jiraProjects: ['OPS', 'OPS'] })).toThrow('`jiraProjects` names "OPS" twice');
      expect(() => McpServer.atlassian({ url, email, token, confluenceSpaces: ['ENG,OPS'] }))
        .toThrow('`confluenceSpaces` entries must be Confluence space keys (letters and digits; `~` first for a personal space), got: "ENG,OPS"');
    });

    test('allowEdits needs allowWrites; a write tool in allowTools needs allowWrites, an edit in place allowEdits; an unknown tool is refused with the list', () => {
      expect(() => McpServer.atlassian({ url, email, token, allowEdits: true }))
        .toThrow('`allowEdits` needs `allowWrites: true`: jira_update_issue, jira_link_issues, confluence_update_page are write tools, registered only where writes are allowed');
      expect(() => McpServer.atlassian({ url, email, token, allowTools: ['jira_search', 'jira_add_comment'] }))
        .toThrow('`allowTools` names write tool(s) jira_add_comment, which are registered only with `allowWrites: true`');
      // An edit in place in allowTools needs allowEdits too (it would never be offered otherwise).
      expect(() => McpServer.atlassian({ url, email, token, allowWrites: true, allowTools: ['jira_search', 'jira_update_issue', 'confluence_update_page'] }))
        .toThrow('`allowTools` names jira_update_issue, confluence_update_page, which are offered only with `allowEdits: true` on McpServer.atlassian');
      expect(() => McpServer.atlassian({ url, email, token, allowWrites: true, allowEdits: true, allowTools: ['jira_search', 'jira_update_issue'] })).not.toThrow();
      expect(() => McpServer.atlassian({ url, email, token, denyTools: ['get_issue'] }))
        .toThrow(/^`denyTools` names "get_issue", which is not a Atlassian tool; its tools: jira_search, jira_count, /);
    });

    test('the contract lists 13 read tools and 8 write tools, 3 of them edits in place', () => {
      expect(ATLASSIAN_BACKEND.tools.read).toHaveLength(13);
      expect(ATLASSIAN_BACKEND.tools.write).toHaveLength(8);
      for (const tool of ATLASSIAN_EDIT_TOOLS) expect(ATLASSIAN_BACKEND.tools.write).toContain(tool);
    });
  });

  describe('rendering', () => {
    test('a site with one JSON secret: the URL, and email and token as fields of the same secret', () => {
      const v = variablesOf(McpServer.atlassian({ url, email, token }));
      expect(v).toMatchObject({
        ATLASSIAN_URL: url,
        ATLASSIAN_EMAIL_SECRET_ARN: `${JSON_ARN}#email`,
        ATLASSIAN_TOKEN_SECRET_ARN: `${JSON_ARN}#token`,
      });
      for (const absent of ['CLOUD_ID', 'GATEWAY_URL', 'JIRA_PROJECTS', 'CONFLUENCE_SPACES', 'ALLOW_EDITS', 'ALLOW_WRITES']) expect(v).not.toHaveProperty(`ATLASSIAN_${absent}`);
    });

    test('an imported JSON secret (ServerCredential.fromSecret with fields) works the same way', () => {
      const v = variablesOf((stack) => {
        const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Creds', JSON_ARN);
        return McpServer.atlassian({ url, email: ServerCredential.fromSecret(secret, 'email'), token: ServerCredential.fromSecret(secret, 'token') });
      });
      expect(v).toMatchObject({ ATLASSIAN_EMAIL_SECRET_ARN: `${JSON_ARN}#email`, ATLASSIAN_TOKEN_SECRET_ARN: `${JSON_ARN}#token` });
    });

    test('two separate secrets: each variable names its own secret, without a field', () => {
      const v = variablesOf(McpServer.atlassian({ url, ...separate() }));
      expect(v).toMatchObject({ ATLASSIAN_EMAIL_SECRET_ARN: EMAIL_ARN, ATLASSIAN_TOKEN_SECRET_ARN: TOKEN_ARN });
    });

    test('a scoped-token server with allow-lists and edits, beside a plain one, in one multi-server function', () => {
      const servers = [
        McpServer.atlassian({
          name: 'jira-ops',
          url,
          email,
          token,
          cloudId: CLOUD_ID,
          gatewayUrl: 'https://gw.example.com',
          jiraProjects: ['OPS', 'PLAT'],
          confluenceSpaces: ['ENG', '~ann'],
          allowWrites: true,
          allowEdits: true,
        }),
        McpServer.atlassian({ url, ...separate() }),
      ];
      const [one] = environments(servers, FleetCompute.lambdaMultiServer());
      expect(one).toMatchObject({
        JIRA_OPS_URL: url,
        JIRA_OPS_CLOUD_ID: CLOUD_ID,
        JIRA_OPS_GATEWAY_URL: 'https://gw.example.com',
        JIRA_OPS_JIRA_PROJECTS: 'OPS,PLAT',
        JIRA_OPS_CONFLUENCE_SPACES: 'ENG,~ann',
        JIRA_OPS_ALLOW_WRITES: 'true',
        JIRA_OPS_ALLOW_EDITS: 'true',
        JIRA_OPS_EMAIL_SECRET_ARN: `${JSON_ARN}#email`,
        JIRA_OPS_TOKEN_SECRET_ARN: `${JSON_ARN}#token`,
        ATLASSIAN_URL: url,
        ATLASSIAN_EMAIL_SECRET_ARN: EMAIL_ARN,
        ATLASSIAN_TOKEN_SECRET_ARN: TOKEN_ARN,
      });
      expect(one).not.toHaveProperty('ATLASSIAN_ALLOW_EDITS');
      expect(environments(servers)).toHaveLength(2);
    });

    test('the functions may read the secrets they name, and only those', () => {
      const { template } = synthFleet([
        McpServer.atlassian({ url, email, token }),
        McpServer.atlassian({ name: 'wiki', url, ...separate() }),
      ], FleetCompute.lambdaMultiServer());
      const resources = secretResources(template);
      expect(new Set(resources)).toEqual(new Set([JSON_ARN, EMAIL_ARN, TOKEN_ARN]));
    });
  });
});
