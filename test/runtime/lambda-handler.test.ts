/**
 * The Lambda handler driven with real API Gateway event shapes: REST proxy (v1) in
 * single-server mode and HTTP API (v2) in multi-server mode.
 */
import { dirname } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHandler } from '../../runtime/entrypoints/lambda';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { httpApiEvent, INITIALIZE, lambdaContext, restEvent } from '../helpers/events';
import { runLambdaInChild } from '../helpers/lambda-child';
import { ensureRealLambdaBundle } from '../helpers/real-bundle';

type Handler = ReturnType<typeof createHandler>;

const loadHandler = (env: Record<string, string>): Handler => createHandler(env);

const call = async (handler: Handler, event: Parameters<Handler>[0]) => (await handler(event, lambdaContext())) as APIGatewayProxyResult;

describe('Lambda handler', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => { gitlab = await startFakeGitLab(); });
  afterAll(() => gitlab.close());

  describe('REST API proxy events (v1), one server per function', () => {
    let handler: Handler;
    beforeAll(() => {
      handler = loadHandler({ SERVER_NAME: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: 'glpat-v1-token', LOG_LEVEL: 'SILENT', ENVIRONMENT: 'production' });
    });

    it.each(['/gitlab', '/gitlab/mcp', '/mcp', '/'])('answers initialize on POST %s', async (path) => {
      const res = await call(handler, restEvent({ path, body: INITIALIZE }));
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.result.serverInfo.name).toBe('gitlab-mcp-server');
      expect(res.headers?.['content-type']).toMatch(/application\/json/);
    });

    it('lists tools and calls one against GitLab', async () => {
      // Act
      const list = await call(handler, restEvent({ path: '/gitlab', body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } }));
      gitlab.requests.length = 0;
      const res = await call(handler, restEvent({
        path: '/gitlab',
        body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_projects', arguments: { search: 'fleet', per_page: 5 } } },
      }));
      // Assess
      expect(JSON.parse(list.body).result.tools.length).toBeGreaterThanOrEqual(12);
      const result = JSON.parse(res.body).result;
      expect(result.isError).toBeFalsy();
      expect(gitlab.requests).toHaveLength(1);
      expect(gitlab.requests[0]).toMatchObject({ method: 'GET', path: '/api/v4/projects' });
      expect(gitlab.requests[0].query).toMatchObject({ search: 'fleet', per_page: '5' });
      expect(gitlab.requests[0].headers['private-token']).toBe('glpat-v1-token');
    });

    it('answers odd events with JSON, never an invocation error', async () => {
      // no method, no path: `/` is an MCP route in single-server mode, and only POST is
      const empty = await call(handler, {} as never);
      expect(empty.statusCode).toBe(405);
      expect(JSON.parse(empty.body).error).toMatchObject({ code: -32000, message: expect.stringMatching(/^Method Not Allowed/) });
      // only multiValueHeaders, as some proxies send
      const multi = restEvent({ path: '/gitlab', body: { jsonrpc: '2.0', id: 3, method: 'ping' } }) as unknown as Record<string, unknown>;
      const headers = multi.headers as Record<string, string>;
      multi.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
      multi.headers = null;
      const res = await call(handler, multi as never);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
    });

    it.each([
      ['null', null],
      ['a string', 'GET /gitlab'],
      ['an array', [1, 2]],
      ['a body that is not a string', { ...restEvent({ path: '/gitlab' }), body: { jsonrpc: '2.0', id: 1, method: 'ping' } }],
      ['a v2 event whose http is not an object', { ...httpApiEvent({ path: '/gitlab/mcp' }), requestContext: { http: 'POST' } }],
      ['a path that is not a string', { ...restEvent({ path: '/gitlab' }), path: 42 }],
    ])('answers an event that is not an API Gateway proxy event (%s) 400 JSON', async (_what, event) => {
      const res = await call(handler, event as never);
      expect(res.statusCode).toBe(400);
      expect(res.headers?.['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/^Bad Request: the event is not an API Gateway proxy event/) } });
    });

    it('drops header names and values that HTTP does not allow, and answers the request', async () => {
      // Prepare: API Gateway passes header names through as the client sent them
      const event = restEvent({ path: '/gitlab', body: { jsonrpc: '2.0', id: 5, method: 'ping' } }) as unknown as Record<string, any>;
      event.headers = { ...event.headers, 'bad name': 'x', 'x-ok(': 'y', 'x-nul': 'a\u0000b', 'x-number': 7, 'x-list': ['a'] };
      event.multiValueHeaders = { ...event.multiValueHeaders, 'x-not-a-list': 'z', 'bad:name': ['v'] };
      // Act
      const res = await call(handler, event as never);
      // Assess
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: 5, result: {} });
    });

    it('decodes base64 bodies', async () => {
      const res = await call(handler, restEvent({ path: '/gitlab', body: { jsonrpc: '2.0', id: 9, method: 'ping' }, base64: true }));
      expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
    });

    it('answers health, notifications, GET and a preflight', async () => {
      const health = await call(handler, restEvent({ method: 'GET', path: '/gitlab/health' }));
      expect(health.statusCode).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', name: 'gitlab', configured: true });
      const note = await call(handler, restEvent({ path: '/gitlab', body: { jsonrpc: '2.0', method: 'notifications/initialized' } }));
      expect(note.statusCode).toBe(202);
      expect(note.body).toBe('');
      const get = await call(handler, restEvent({ method: 'GET', path: '/gitlab' }));
      expect(get.statusCode).toBe(405);
      expect(get.headers?.allow).toBe('POST, OPTIONS');
      const options = await call(handler, restEvent({ method: 'OPTIONS', path: '/gitlab' }));
      expect(options.statusCode).toBe(204);
      expect(options.headers?.['access-control-allow-methods']).toBe('GET,POST,OPTIONS');
    });

    it('answers malformed JSON with -32700 and never a stack trace', async () => {
      const res = await call(handler, restEvent({ path: '/gitlab', body: '{not json' }));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe(-32700);
    });
  });

  describe('a configuration that cannot work', () => {
    const BAD_URL = 'https://gitlab.example.com/api/v4?private_token=glpat-query-leak#glpat-fragment-leak';

    it('answers every caller a generic 500, with no detail of the configuration', async () => {
      // Prepare
      const handler = loadHandler({ SERVER_NAME: 'gitlab', GITLAB_API_URL: BAD_URL, LOG_LEVEL: 'SILENT' });
      // Act
      const mcp = await call(handler, restEvent({ path: '/gitlab', body: INITIALIZE }));
      const health = await call(handler, restEvent({ method: 'GET', path: '/health' }));
      // Assess
      for (const res of [mcp, health]) {
        expect(res.statusCode).toBe(500);
        expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', error: { code: -32603, message: 'Server misconfigured' }, id: null });
      }
    });

    it('logs what to fix, with the URL stripped of userinfo, query and fragment', async () => {
      // Prepare: the bundle in its own process, so its log lines can be read
      const bundle = await ensureRealLambdaBundle();
      // Act
      const run = await runLambdaInChild({
        codeDirectory: dirname(bundle),
        handler: 'index.handler',
        environment: { SERVER_NAME: 'gitlab', GITLAB_API_URL: BAD_URL, LOG_LEVEL: 'INFO' },
        events: [restEvent({ path: '/gitlab', body: INITIALIZE })],
        functionName: 'gitlab-mcp',
      });
      // Assess
      expect(run.answers[0].statusCode).toBe(500);
      expect(run.answers[0].body).not.toMatch(/glpat|private_token|GITLAB_API_URL/);
      expect(run.output).not.toMatch(/glpat|private_token/);
      const logged = run.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(logged).toContainEqual(expect.objectContaining({
        level: 'ERROR',
        message: 'invalid configuration',
        error: 'GITLAB_API_URL must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"',
      }));
    });
  });

  describe('HTTP API events (v2), several servers in one function', () => {
    let handler: Handler;
    beforeAll(() => {
      handler = loadHandler({
        MCP_SERVERS: 'gitlab,gl-internal:gitlab',
        GITLAB_API_URL: gitlab.url,
        GL_INTERNAL_API_URL: gitlab.url,
        GL_INTERNAL_TOKEN: 'glpat-internal',
        GL_INTERNAL_ALLOW_WRITES: 'true',
        LOG_LEVEL: 'SILENT',
      });
    });

    it('routes /<server>/mcp to that server with its own settings', async () => {
      // Act
      const pub = await call(handler, httpApiEvent({ path: '/gitlab/mcp', routeKey: 'POST /gitlab/{proxy+}', body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }));
      const internal = await call(handler, httpApiEvent({ path: '/gl-internal/mcp', routeKey: 'POST /gl-internal/{proxy+}', body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }));
      // Assess: writes are enabled only on gl-internal
      const names = (r: APIGatewayProxyResult) => JSON.parse(r.body).result.tools.map((t: { name: string }) => t.name);
      expect(names(pub)).not.toContain('create_issue');
      expect(names(internal)).toContain('create_issue');
    });

    it('uses each server\'s own credential', async () => {
      gitlab.requests.length = 0;
      await call(handler, httpApiEvent({ path: '/gl-internal/mcp', body: { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 'platform/fleet' } } } }));
      await call(handler, httpApiEvent({ path: '/gitlab/mcp', body: { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 'platform/fleet' } } } }));
      expect(gitlab.requests.map((r) => r.headers['private-token'])).toEqual(['glpat-internal', undefined]);
      expect(gitlab.requests[0].path).toBe('/api/v4/projects/platform%2Ffleet');
    });

    it('aggregates health over every server and 404s the single-server routes', async () => {
      const health = await call(handler, httpApiEvent({ method: 'GET', path: '/health' }));
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mode: 'multi', servers: [{ name: 'gitlab' }, { name: 'gl-internal', writesEnabled: true }] });
      const bare = await call(handler, httpApiEvent({ path: '/mcp', body: INITIALIZE }));
      expect(bare.statusCode).toBe(404);
    });
  });
});
