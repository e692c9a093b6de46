/**
 * ServiceNow's authentication (Basic, OAuth client credentials with the token cached and renewed
 * after a 401) and the failures a person has to act on: 401, an empty-body ACL 403, 404, 429 with
 * Retry-After and the rate-limit headers, the Change Management plugin missing. No message
 * carries a password, secret or token.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, startServiceNowFleet, type ServiceNowFleet } from './fleet';
import { describeServiceNowFailure } from '../../../../runtime/backends/servicenow';
import { SN_CLIENT_ID, SN_CLIENT_SECRET, SN_PASSWORD, SN_USERNAME, rateLimited, sid, type FakeServiceNow } from '../../../fakes/fake-servicenow';

describe('ServiceNow authentication and failures', () => {
  let setup: ServiceNowFleet;
  let sn: FakeServiceNow;
  let basic: Client;
  let oauth: Client;
  let badPassword: Client;
  let badClient: Client;
  let hr: Client;

  beforeAll(async () => {
    setup = await startServiceNowFleet({
      MCP_SERVERS: 'servicenow,sn-oauth:servicenow,sn-badpw:servicenow,sn-badclient:servicenow,sn-hr:servicenow',
      SERVICENOW_USERNAME: SN_USERNAME,
      SERVICENOW_PASSWORD: SN_PASSWORD,
      // OAuth wins over Basic when both are configured.
      SN_OAUTH_CLIENT_ID: SN_CLIENT_ID,
      SN_OAUTH_CLIENT_SECRET: SN_CLIENT_SECRET,
      SN_OAUTH_USERNAME: SN_USERNAME,
      SN_OAUTH_PASSWORD: SN_PASSWORD,
      SN_BADPW_USERNAME: SN_USERNAME,
      SN_BADPW_PASSWORD: 'wrong-pa55word',
      SN_BADCLIENT_CLIENT_ID: SN_CLIENT_ID,
      SN_BADCLIENT_CLIENT_SECRET: 'not-the-secret',
      SN_HR_USERNAME: SN_USERNAME,
      SN_HR_PASSWORD: SN_PASSWORD,
      SN_HR_TABLES: 'incident,sn_hr_core_case',
      UPSTREAM_TIMEOUT_MS: '2000',
      REQUEST_BUDGET_MS: '8000',
    });
    sn = setup.sn;
    basic = await setup.connect('servicenow');
    oauth = await setup.connect('sn-oauth');
    badPassword = await setup.connect('sn-badpw');
    badClient = await setup.connect('sn-badclient');
    hr = await setup.connect('sn-hr');
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    sn.requests.length = 0;
  });

  describe('OAuth client credentials', () => {
    it('exchanges the client id and secret at /oauth_token.do once, then sends the token as Bearer', async () => {
      const before = sn.issuedTokens.length;
      await call(oauth, 'sn_search_incidents', { limit: 1 });
      await call(oauth, 'sn_search_problems', { limit: 1 });
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /oauth_token.do', 'GET /api/now/table/incident', 'GET /api/now/table/problem']);
      const form = new URLSearchParams(sn.requests[0].text);
      expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', client_id: SN_CLIENT_ID, client_secret: SN_CLIENT_SECRET });
      expect(sn.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
      const token = sn.issuedTokens[before];
      expect(sn.requests[1].headers.authorization).toBe(`Bearer ${token}`);
      expect(sn.requests[2].headers.authorization).toBe(`Bearer ${token}`);
    });

    it('after a 401 the token is dropped, a new one exchanged, and the call retried once', async () => {
      await call(oauth, 'sn_count', { table: 'incident' });
      sn.requests.length = 0;
      sn.queue('GET', '/api/now/stats/incident', { status: 401, body: { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' } });
      const { isError, data } = await call(oauth, 'sn_count', { table: 'incident' });
      expect(isError).toBe(false);
      expect(data.total).toBe(5);
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/now/stats/incident', 'POST /oauth_token.do', 'GET /api/now/stats/incident']);
      expect(sn.requests[2].headers.authorization).toBe(`Bearer ${sn.issuedTokens.at(-1)}`);
      expect(sn.requests[2].headers.authorization).not.toBe(sn.requests[0].headers.authorization);
    });

    it('a refused exchange says so, names the token endpoint, and never shows the secret', async () => {
      const { isError, text } = await call(badClient, 'sn_search_incidents', {});
      expect(isError).toBe(true);
      expect(text).toContain(`ServiceNow's token endpoint (${sn.origin}/oauth_token.do) answered 401 to the client-credentials exchange: access_denied`);
      expect(text).toContain('check the client id and secret');
      expect(text).not.toContain('not-the-secret');
      expect(sn.requests.map((r) => r.path)).toEqual(['/oauth_token.do']);
    });
  });

  it('401: the wrong password is named as the likely cause, and is not in the message', async () => {
    const { isError, text } = await call(badPassword, 'sn_search_incidents', {});
    expect(isError).toBe(true);
    expect(text).toBe('ServiceNow answered 401 for GET /api/now/table/incident: User Not Authenticated: Required to provide Auth information '
      + '(the user name or password, or the OAuth client id or secret, is wrong, or the user is locked out or may not use web services)');
    expect(text).not.toContain('wrong-pa55word');
  });

  it('403 with an empty body (an ACL): the message still says what is missing, for which table', async () => {
    const { isError, text } = await call(hr, 'sn_query_table', { table: 'sn_hr_core_case' });
    expect(sn.requests[0]).toMatchObject({ method: 'GET', path: '/api/now/table/sn_hr_core_case' });
    expect(sn.requests[0].text).toBe('');
    expect(isError).toBe(true);
    expect(text).toBe('ServiceNow answered 403 for GET /api/now/table/sn_hr_core_case (ServiceNow gave no reason, which is how an ACL denial looks: '
      + 'the integration user lacks a role or an ACL to read table sn_hr_core_case; ask the instance\'s admin to grant it)');
  });

  it('404: ServiceNow\'s own words, and that an ACL may hide the record', async () => {
    const missing = sid('incident:nope');
    const { isError, text } = await call(basic, 'sn_get_incident', { incident: missing });
    expect(isError).toBe(true);
    expect(text).toBe(`ServiceNow answered 404 for GET /api/now/table/incident/${missing}: No Record found: Record doesn't exist or ACL restricts the record retrieval `
      + '(no such record, or an ACL hides it from the integration user)');
  });

  it('429 with Retry-After: the read is retried after the pause and then answers', async () => {
    sn.queue('GET', '/api/now/table/incident', rateLimited(0));
    const { isError, data } = await call(basic, 'sn_search_incidents', { limit: 1 });
    expect(isError).toBe(false);
    expect(data.items).toHaveLength(1);
    expect(sn.requests).toHaveLength(2);
    expect(sn.requests[0].response?.status).toBe(429);
    expect(sn.requests[1].response?.status).toBe(200);
  });

  it('429 asking for a pause longer than the request may wait: the rate limit is named with the wait', async () => {
    sn.queue('GET', '/api/now/table/incident', rateLimited(3600));
    const { isError, text } = await call(basic, 'sn_search_incidents', {});
    expect(isError).toBe(true);
    expect(sn.requests).toHaveLength(1);
    // The user name is a credential: the upstream client redacts it wherever it appears.
    expect(text).toBe('ServiceNow answered 429 for GET /api/now/table/incident: Rate limit exceeded: The user [REDACTED] exceeded the rate limit of 100 requests per hour '
      + '(a REST rate limit rule of the instance (sys_rate_limit_rules) was hit for this user; its count resets each hour) '
      + '(still failing after 0 retries; the API asks to retry after 3600 s)');
  });

  it('the Change Management plugin missing is named, with the Table API as the way round', async () => {
    sn.queue('GET', '/api/sn_chg_rest/change', { status: 400, body: { error: { message: 'Requested URI does not represent any resource', detail: null }, status: 'failure' } });
    const { isError, text } = await call(basic, 'sn_search_changes', {});
    expect(isError).toBe(true);
    expect(text).toBe('ServiceNow answered 400 for GET /api/sn_chg_rest/change: Requested URI does not represent any resource '
      + '(the Change Management REST API (plugin sn_chg_rest) is not active on this instance; sn_query_table can read change_request through the Table API)');
  });

  it('an unknown table is ServiceNow\'s 400 "Invalid table" with a hint', () => {
    expect(describeServiceNowFailure({ status: 400, method: 'GET', path: '/api/now/table/u_gone', body: { error: { message: 'Invalid table u_gone', detail: null }, status: 'failure' } }))
      .toBe('ServiceNow answered 400 for GET /api/now/table/u_gone: Invalid table u_gone (ServiceNow refused the request: check the table, field names and choice values)');
  });

  it('a write refused by an ACL with a body quotes it and says it needs write access', () => {
    expect(describeServiceNowFailure({
      status: 403,
      method: 'PATCH',
      path: `/api/now/table/incident/${sid('incident:1')}`,
      body: { error: { message: 'Operation Failed', detail: 'ACL Exception Update Failed due to security constraints' }, status: 'failure' },
    })).toBe(`ServiceNow answered 403 for PATCH /api/now/table/incident/${sid('incident:1')}: Operation Failed: ACL Exception Update Failed due to security constraints `
      + '(the integration user lacks a role or an ACL to change table incident; ask the instance\'s admin to grant it)');
  });
});
