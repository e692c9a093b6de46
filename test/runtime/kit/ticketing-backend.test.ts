/**
 * The test-only ticketing backend (fixtures/ticketing-backend.ts) through the real pipeline
 * (configuration, MCP host, upstream client), with the SDK client: tools/list, tools/call, offset
 * paging continued by cursor, Basic auth from two credentials, and an OAuth client-credentials
 * token that is exchanged once, shared, and exchanged again after the API answers 401.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ticketing } from './fixtures/ticketing-backend';
import { loadConfig } from '../../../runtime/core/config';
import { createPipeline, type Pipeline } from '../../../runtime/core/pipeline';
import { startFakeHttpApi, type FakeAnswer, type FakeHttpApi, type RecordedRequest } from '../../fakes/fake-http-api';
import { textOf } from '../../helpers/mcp-client';

const TICKETS = Array.from({ length: 5 }, (_, i) => ({ id: `T-${i + 1}`, title: `Ticket ${i + 1}`, status: i < 3 ? 'open' : 'closed', assignee: 'alice', links: {} }));
const BASIC = `Basic ${Buffer.from('alice:s3cret-password').toString('base64')}`;
const CLIENT = `Basic ${Buffer.from('fleet-client:s3cret-client').toString('base64')}`;

/** The ticketing API: a token endpoint and three routes; it accepts the user, or a token it issued and has not revoked. */
async function startTicketingApi(): Promise<FakeHttpApi & { valid: Set<string> }> {
  const valid = new Set<string>();
  let issued = 0;
  const api = await startFakeHttpApi({
    basePath: '/api',
    before: (req) => {
      if (req.path === '/api/oauth/token') return undefined;
      const authz = req.headers.authorization ?? '';
      return authz === BASIC || valid.has(authz.replace(/^Bearer /, '')) ? undefined : { status: 401, body: { error: { message: 'Unauthorized' } } };
    },
    routes: [
      {
        method: 'POST',
        path: '/api/oauth/token',
        handle: (req): FakeAnswer => {
          if (req.headers.authorization !== CLIENT || !req.text.includes('grant_type=client_credentials')) return { status: 401, body: { error: 'invalid_client' } };
          const token = `at-${++issued}`;
          valid.add(token);
          return { body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
        },
      },
      {
        method: 'GET',
        path: '/api/tickets',
        handle: ({ query, queryAll }): FakeAnswer => {
          const rows = TICKETS.filter((t) => !queryAll['statuses[]'] || queryAll['statuses[]'].includes(t.status));
          const offset = Number(query.offset ?? 0);
          const limit = Number(query.limit ?? 25);
          return { body: { tickets: rows.slice(offset, offset + limit), more: offset + limit < rows.length, total: rows.length, offset, limit } };
        },
      },
      {
        method: 'GET',
        path: /^\/api\/tickets\/([^/]+)$/,
        handle: (_req, m) => {
          const found = TICKETS.find((t) => t.id === decodeURIComponent(m[1]));
          return found ? { body: found } : { status: 404, body: { error: { message: 'Not Found' } } };
        },
      },
      { method: 'POST', path: /^\/api\/tickets\/([^/]+)\/comments$/, handle: () => ({ status: 201, body: { id: 'C-9' } }) },
      { method: 'GET', path: '/api/me', handle: () => ({ body: { name: 'alice' } }) },
    ],
  });
  return Object.assign(api, { valid });
}

/** An SDK client whose HTTP goes straight into the pipeline (no socket): what the node server and Lambda run. */
async function connect(pipeline: Pipeline, server: string): Promise<Client> {
  const viaPipeline = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => { headers[k] = v; });
    const res = await pipeline.handle({ method: req.method, path: new URL(req.url).pathname, headers, body: await req.text() });
    return new Response(res.status === 202 || res.body === '' ? null : res.body, { status: res.status, headers: res.headers });
  };
  const client = new Client({ name: 'kit-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1/${server}/mcp`), { fetch: viaPipeline }));
  return client;
}

describe('a backend written with the kit alone (ticketing)', () => {
  let api: Awaited<ReturnType<typeof startTicketingApi>>;
  let pipeline: Pipeline;
  let basic: Client;
  let oauth: Client;
  const tokenCalls = (reqs: RecordedRequest[]) => reqs.filter((r) => r.path === '/api/oauth/token').length;

  beforeAll(async () => {
    api = await startTicketingApi();
    const config = loadConfig({
      MCP_SERVERS: 'tickets:ticketing,tickets-oauth:ticketing,tickets-bad:ticketing',
      TICKETS_API_URL: api.url,
      TICKETS_USERNAME: 'alice',
      TICKETS_PASSWORD: 's3cret-password',
      TICKETS_QUEUE: ' ops ',
      TICKETS_OAUTH_API_URL: api.url,
      TICKETS_OAUTH_CLIENT_ID: 'fleet-client',
      TICKETS_OAUTH_CLIENT_SECRET: 's3cret-client',
      TICKETS_OAUTH_ALLOW_WRITES: 'true',
      TICKETS_BAD_API_URL: api.url,
      TICKETS_BAD_CLIENT_ID: 'fleet-client',
      TICKETS_BAD_CLIENT_SECRET: 'not-the-secret',
      LOG_LEVEL: 'SILENT',
    }, new Map([[ticketing.kind, ticketing]]));
    pipeline = createPipeline(config);
    basic = await connect(pipeline, 'tickets');
    oauth = await connect(pipeline, 'tickets-oauth');
    await basic.listTools();
    await oauth.listTools();
  });
  afterAll(async () => {
    await basic.close();
    await oauth.close();
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('lists its read tools, and its write tool only where writes are on', async () => {
    const ro = (await basic.listTools()).tools;
    const rw = (await oauth.listTools()).tools;
    expect(ro.map((t) => [t.name, t.annotations?.readOnlyHint])).toEqual([['list_tickets', true], ['get_ticket', true], ['whoami', true]]);
    expect(rw.map((t) => t.name)).toEqual(['list_tickets', 'get_ticket', 'whoami', 'add_comment']);
    expect(Object.keys(ro[0].inputSchema.properties ?? {}).sort()).toEqual(['cursor', 'limit', 'status']);
    expect(ro[0].description).toBe('List tickets, newest first, by status. Paged: while has_more is true, call again with cursor set to the answer\'s next_cursor.');
    expect(ro[0].outputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['items', 'has_more']) });
  });

  it('pages by offset, continued with the cursor, with Basic auth from two credentials', async () => {
    // Act
    const first = await basic.callTool({ name: 'list_tickets', arguments: {} });
    const second = await basic.callTool({ name: 'list_tickets', arguments: { cursor: (first.structuredContent as { next_cursor: string }).next_cursor } });
    const last = await basic.callTool({ name: 'list_tickets', arguments: { cursor: (second.structuredContent as { next_cursor: string }).next_cursor } });
    // Assert
    expect(api.requests.map((r) => [r.query.offset, r.query.limit, r.headers.authorization]))
      .toEqual([['0', '2', BASIC], ['2', '2', BASIC], ['4', '2', BASIC]]);
    expect(first.structuredContent).toMatchObject({ has_more: true, offset: 0, total: 5, items: [{ id: 'T-1' }, { id: 'T-2' }] });
    expect(textOf(first).split('\n')[0]).toBe(`2 results, 1 to 2 of 5. More results: call again with cursor="${(first.structuredContent as { next_cursor: string }).next_cursor}".`);
    expect(last.structuredContent).toEqual({ has_more: false, offset: 4, total: 5, items: [{ id: 'T-5', title: 'Ticket 5', status: 'closed', assignee: 'alice' }] });
    expect(textOf(last).split('\n')[0]).toBe('1 result, 5 to 5 of 5. These are the last results.');
  });

  it('repeats a query key for a list argument (statuses[]=open&statuses[]=pending)', async () => {
    await basic.callTool({ name: 'list_tickets', arguments: { status: ['open', 'pending'], limit: 10 } });
    expect(api.requests[0].queryAll['statuses[]']).toEqual(['open', 'pending']);
  });

  it('exchanges the OAuth client for a token once, shares it, and exchanges again after a 401', async () => {
    // Act: two calls with one token; then the API revokes it (as on expiry) and the next call refreshes
    await oauth.callTool({ name: 'get_ticket', arguments: { id: 'T-1' } });
    await oauth.callTool({ name: 'get_ticket', arguments: { id: 'T-2' } });
    const before = tokenCalls(api.requests);
    api.valid.clear();
    const after = await oauth.callTool({ name: 'get_ticket', arguments: { id: 'T-3' } });
    // Assert
    expect(before).toBe(1);
    expect(after.isError).toBeFalsy();
    expect(after.structuredContent).toEqual({ item: { id: 'T-3', title: 'Ticket 3', status: 'open', assignee: 'alice' } });
    const tail = api.requests.slice(-3).map((r) => [r.method, r.path, r.response?.status]);
    expect(tail).toEqual([['GET', '/api/tickets/T-3', 401], ['POST', '/api/oauth/token', 200], ['GET', '/api/tickets/T-3', 200]]);
    const bearers = api.requests.filter((r) => r.path.startsWith('/api/tickets')).map((r) => r.headers.authorization);
    expect(new Set(bearers.slice(0, -1)).size).toBe(1);
    expect(bearers.at(-1)).not.toBe(bearers[0]);
    expect(api.requests.find((r) => r.path === '/api/oauth/token')?.text).toBe('grant_type=client_credentials');
  });

  it('a token endpoint that refuses the client is a clear error that never shows the secret', async () => {
    const bad = await connect(pipeline, 'tickets-bad');
    const result = await bad.callTool({ name: 'get_ticket', arguments: { id: 'T-1' } });
    await bad.close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`Ticketing's token endpoint (${api.origin}/api/oauth/token) answered 401 to the client-credentials exchange: invalid_client `
      + '(check the client id and secret, and that the client may use the client-credentials grant)');
    expect(api.requests.some((r) => r.path.startsWith('/api/tickets'))).toBe(false);
  });

  it('writes, and words failures with its own hints', async () => {
    const written = await oauth.callTool({ name: 'add_comment', arguments: { id: 'T-1', body: 'On it' } });
    const missing = await basic.callTool({ name: 'get_ticket', arguments: { id: 'T-404' } });
    expect(written.structuredContent).toEqual({ id: 'C-9' });
    expect(textOf(written)).toBe('Added comment C-9 to ticket T-1.');
    expect(api.requests.find((r) => r.method === 'POST' && r.path.endsWith('/comments'))?.body).toEqual({ comment: { body: 'On it' } });
    expect(textOf(missing)).toBe('Ticketing answered 404 for GET /tickets/T-404: Not Found (no such ticket, or it is not yours to see)');
  });

  it('gives tools the server\'s settings, non-secret facts of its credentials, and values remembered per server', async () => {
    // Arrange: the first read of /me fails, so nothing is remembered
    api.queue('GET', '/api/me', { status: 503, body: {} });
    api.queue('GET', '/api/me', { status: 503, body: {} });
    api.queue('GET', '/api/me', { status: 503, body: {} });
    api.queue('GET', '/api/me', { status: 503, body: {} });
    const failed = await basic.callTool({ name: 'whoami', arguments: {} });
    // Act
    const first = await basic.callTool({ name: 'whoami', arguments: {} });
    const second = await basic.callTool({ name: 'whoami', arguments: {} });
    const other = await oauth.callTool({ name: 'whoami', arguments: {} });
    // Assess
    expect(failed.isError).toBe(true);
    expect(first.structuredContent).toEqual({ user: 'alice', queue: 'ops', scheme: 'basic' });
    expect(second.structuredContent).toEqual(first.structuredContent);
    expect(other.structuredContent).toEqual({ user: 'alice', scheme: 'oauth' });
    // 4 failed attempts (1 + 3 retries), then one read per server
    expect(api.requests.filter((r) => r.path === '/api/me')).toHaveLength(6);
  });
});
