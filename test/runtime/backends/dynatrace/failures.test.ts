/**
 * What a person gets when Dynatrace refuses: 401 for a token of the wrong kind or none Dynatrace
 * knows, 403 for a missing scope (named), 404, 429 with Retry-After (retried, then said), and
 * query-injection attempts in filter arguments, which reach Dynatrace only quoted and escaped (or
 * are refused before any call). No answer ever shows the token.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, startDynatraceFleet, type DynatraceFleet } from './fleet';

describe('Dynatrace failures and injection attempts', () => {
  let setup: DynatraceFleet;
  let client: Client;
  let grail: Client;

  beforeAll(async () => {
    setup = await startDynatraceFleet();
    client = await setup.client('dynatrace');
    grail = await setup.client('dt-grail');
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.dt.reset());

  const requests = () => setup.dt.requests;
  const executedQuery = () => (setup.dt.platform.requests.find((r) => r.path.endsWith('query:execute'))!.body as { query: string }).query;

  it('a token of no known kind is sent as a classic token; the 401 says what it may be', async () => {
    const legacy = await setup.client('dt-legacy');
    const { isError, text } = await callTool(legacy, 'list_problems');
    expect(isError).toBe(true);
    expect(requests()[0].headers.authorization).toBe('Api-Token legacy-token-0123456789');
    expect(text).toBe('Dynatrace answered 401 for GET /api/v2/problems: Token Authentication failed '
      + '(the access token is missing, expired or revoked, or it is a platform token (dt0s16.*), which the classic API refuses)');
    expect(text).not.toContain('legacy-token-0123456789');
    // The connection check answers anyway: the token's kind, and what the probe got.
    const info = await callTool(legacy, 'get_environment_info');
    expect(info.isError).toBe(false);
    expect(info.data).toMatchObject({ token_kind: 'classic', token_format: 'unrecognised (sent as a classic access token)', probe: { ok: false, error: expect.stringMatching(/^Dynatrace answered 401 for GET \/api\/v1\/config\/clusterversion/) } });
    expect(info.text).toContain('Probe GET /api/v1/config/clusterversion: FAILED: Dynatrace answered 401');
    expect(info.text).not.toContain('legacy-token-0123456789');
  });

  it('a platform token sent to the environment host (PLATFORM_URL pointing there) gets the wrong-kind 401 hint', async () => {
    const crossed = await setup.client('dt-crossed');
    const { isError, text } = await callTool(crossed, 'verify_dql', { query: 'fetch logs' });
    expect(isError).toBe(true);
    expect(requests()[0].headers.authorization).toBe('Bearer dt0s16.CROSSED.crossed-secret-part');
    expect(text).toBe('Dynatrace answered 401 for POST /platform/storage/query/v1/query:verify: Token Authentication failed'
      + ' (the platform token is missing, expired or revoked, or it is a classic token (dt0c01.*), which the platform refuses)');
    expect(text).not.toContain('crossed-secret-part');
  });

  it('a 403 names the scope the call needs', async () => {
    const noscope = await setup.client('dt-noscope');
    const problems = await callTool(noscope, 'list_problems');
    expect(problems.text).toBe('Dynatrace answered 403 for GET /api/v2/problems: Token is missing required scope. Use one of: problems.read (Read problems) (the access token lacks the problems.read scope)');
    const entities = await callTool(noscope, 'find_entities', { entity_type: 'HOST' });
    expect(entities.text).toMatch(/\(the access token lacks the entities\.read scope\)$/);
  });

  it('a platform 403 names the storage scopes', async () => {
    setup.dt.platform.queue('POST', /query:verify$/, { status: 403, body: { error: { code: 403, message: 'Forbidden', details: { errorMessage: 'The token is missing the permission storage:logs:read' } } } });
    const { text } = await callTool(grail, 'execute_dql', { query: 'fetch logs' });
    expect(text).toMatch(/^Dynatrace answered 403 for POST \/platform\/storage\/query\/v1\/query:verify: Forbidden; The token is missing the permission storage:logs:read \(the platform token lacks a scope this query needs: storage:buckets:read plus storage:<table>:read/);
  });

  it('a 404 of an entity says it does not exist or is not visible', async () => {
    const { isError, text } = await callTool(client, 'get_entity', { entity_id: 'SERVICE-AAAAAAAAAAAAAAAA' });
    expect(isError).toBe(true);
    expect(text).toMatch(/^Dynatrace answered 404 for GET \/api\/v2\/entities\/SERVICE-AAAAAAAAAAAAAAAA: The requested entity SERVICE-AAAAAAAAAAAAAAAA could not be found \(the problem, entity or event does not exist/);
  });

  it('a 429 with Retry-After is retried after the pause Dynatrace asks for, then answered', async () => {
    setup.dt.throttle(2, 0);
    const { isError } = await callTool(client, 'list_events');
    expect(isError).toBe(false);
    expect(requests()).toHaveLength(3);
    expect(requests().map((r) => r.response?.status)).toEqual([429, 429, 200]);
  });

  it('a 429 that lasts is said, with the pause Dynatrace asked for', async () => {
    setup.dt.throttle(4, 60);
    const { isError, text } = await callTool(client, 'list_events');
    expect(isError).toBe(true);
    expect(text).toBe('Dynatrace answered 429 for GET /api/v2/events: Too Many Requests (Dynatrace is throttling: its request queue is full) (still failing after 0 retries; the API asks to retry after 60 s)');
  });

  it('a 429 on the platform is retried too (polls are GETs)', async () => {
    setup.dt.throttle(1, 0, 'platform');
    const { isError } = await callTool(grail, 'verify_dql', { query: 'fetch logs' });
    // query:verify is a POST: a 429 is refused up front, so it is retried as well.
    expect(isError).toBe(false);
    expect(setup.dt.platform.requests.map((r) => r.response?.status)).toEqual([429, 200]);
  });

  describe('injection attempts', () => {
    it('a selector value cannot close its quotes or add criteria: " and ~ are escaped with ~', async () => {
      await callTool(client, 'find_entities', { entity_type: 'SERVICE', name_contains: 'x"),type("HOST' });
      expect(requests()[0].query.entitySelector).toBe('type("SERVICE"),entityName.contains("x~"),type(~"HOST")');
      await callTool(client, 'list_problems', { management_zone: 'a~"),status("closed' });
      expect(requests()[1].query.problemSelector).toBe('status("open"),managementZones("a~~~"),status(~"closed")');
    });

    it('a DQL value cannot end its string or add a pipeline stage: \\ and " are escaped', async () => {
      await callTool(grail, 'find_entities', { entity_type: 'SERVICE', name_contains: 'x") | fieldsRemove entity.name | filter contains(id, "' });
      expect(executedQuery()).toContain('| filter contains(entity.name, "x\\") | fieldsRemove entity.name | filter contains(id, \\"", caseSensitive: false)');
      setup.dt.reset();
      await callTool(grail, 'search_logs', { text: 'a\\" or true or "' });
      expect(executedQuery()).toContain('| filter matchesPhrase(content, "a\\\\\\" or true or \\"")');
    });

    it('names that cannot be quoted are refused before any call', async () => {
      const cases: Array<[string, Record<string, unknown>]> = [
        ['find_entities', { entity_type: 'SERVICE) | fetch logs' }],
        ['get_entity', { entity_id: 'SERVICE-0123"' }],
        ['query_metrics', { metric_key: 'builtin:x:splitBy("a"):avg' }],
        ['query_metrics', { metric_key: 'dt.host.cpu.usage', split_by: ['host}) | fetch logs'] }],
        ['list_events', { event_type: 'CUSTOM") OR ("' }],
        ['search_logs', { text: 'line\n| fetch bizevents' }],
        ['list_problems', { from: 'now()-1h | fetch logs' }],
      ];
      for (const [tool, args] of cases) {
        const { isError, text } = await callTool(grail, tool, args);
        expect(isError).toBe(true);
        expect(text).toMatch(/^Input validation error/);
      }
      expect(setup.dt.platform.requests).toHaveLength(0);
      expect(requests()).toHaveLength(0);
    });

    it('the classic log query refuses " and \\ (it has no documented escape)', async () => {
      const { isError, text } = await callTool(client, 'search_logs', { text: 'x" OR status="INFO' });
      expect(isError).toBe(true);
      expect(text).toBe('text contains " or \\, which the classic log search query cannot carry; leave them out (a platform token searches with any text)');
      expect(requests()).toHaveLength(0);
    });
  });
});
