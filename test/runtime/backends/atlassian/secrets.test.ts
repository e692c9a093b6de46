/**
 * Atlassian's two credentials from AWS Secrets Manager (spec A.4): one JSON secret holding both
 * (`<arn>#email`, `<arn>#token`) or a secret each, both sent as one Basic header; and a scoped
 * token from a secret going through the gateway.
 */
import { basic, callTool, startAtlassianFleet, type AtlassianFleet } from './fleet';
import { FAKE_CLOUD_ID } from '../../../fakes/fake-atlassian';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../../fakes/fake-secrets-manager';

describe('Atlassian credentials from Secrets Manager', () => {
  let sm: FakeSecretsManager;
  let setup: AtlassianFleet;

  beforeAll(async () => {
    sm = await startFakeSecretsManager();
    // The AWS SDK client is created by Powertools on first use, from the process environment.
    Object.assign(process.env, sm.env());
    const json = sm.put('mcp/atlassian', JSON.stringify({ email: 'ops-bot@example.com', token: 'ATATT3xFfGF0-json-secret-token' }));
    const email = sm.put('mcp/atlassian-email', 'wiki-bot@example.com');
    const token = sm.put('mcp/atlassian-token', 'ATATT3xFfGF0-separate-secret-token');
    const scoped = sm.put('mcp/atlassian-scoped', JSON.stringify({ email: 'scoped-bot@example.com', token: 'ATATT3xFfGF0-scoped-secret-token' }));
    setup = await startAtlassianFleet({
      ...sm.env(),
      MCP_SERVERS: 'json:atlassian,separate:atlassian,scoped:atlassian',
      // the fleet helper sets direct EMAIL/TOKEN variables; these servers read secrets instead
      JSON_EMAIL: '',
      JSON_TOKEN: '',
      SEPARATE_EMAIL: '',
      SEPARATE_TOKEN: '',
      SCOPED_EMAIL: '',
      SCOPED_TOKEN: '',
      JSON_EMAIL_SECRET_ARN: `${json}#email`,
      JSON_TOKEN_SECRET_ARN: `${json}#token`,
      SEPARATE_EMAIL_SECRET_ARN: email,
      SEPARATE_TOKEN_SECRET_ARN: token,
      SCOPED_EMAIL_SECRET_ARN: `${scoped}#email`,
      SCOPED_TOKEN_SECRET_ARN: `${scoped}#token`,
      SCOPED_CLOUD_ID: FAKE_CLOUD_ID,
    });
  });
  afterAll(async () => {
    await setup.close();
    await sm.close();
  });

  it.each([
    ['json', 'ops-bot@example.com', 'ATATT3xFfGF0-json-secret-token', '/rest/api/3/issue/OPS-3'],
    ['separate', 'wiki-bot@example.com', 'ATATT3xFfGF0-separate-secret-token', '/rest/api/3/issue/OPS-3'],
    ['scoped', 'scoped-bot@example.com', 'ATATT3xFfGF0-scoped-secret-token', `/ex/jira/${FAKE_CLOUD_ID}/rest/api/3/issue/OPS-3`],
  ])('server %s sends Basic <email>:<token> from its secret(s)', async (server, email, token, path) => {
    setup.site.reset();
    const { isError, data } = await callTool(await setup.connect(server), 'jira_get_issue', { issue_key: 'OPS-3' });
    expect(isError).toBe(false);
    expect(data.item.key).toBe('OPS-3');
    expect(setup.site.requests).toHaveLength(1);
    expect(setup.site.requests[0].path).toBe(path);
    expect(setup.site.requests[0].headers.authorization).toBe(basic(email, token));
  });
});
