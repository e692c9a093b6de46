/**
 * The HTTP pipeline through the node server: routing, health, CORS, Origin, and the answers to
 * malformed requests (each with its exact status and JSON-RPC error code).
 */
import { request } from 'node:http';
import { startFleetServer, type FleetServer } from '../../runtime/entrypoints/server';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { connectClient } from '../helpers/mcp-client';

const MCP_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };
const PING = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });
const INITIALIZE = (protocolVersion: string) => ({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'batcher', version: '0.1' } } });

describe('node server pipeline', () => {
  let fleet: FleetServer;

  beforeAll(async () => {
    fleet = await startFleetServer({
      port: 0,
      env: { MCP_SERVERS: 'gitlab', GITLAB_API_URL: 'http://127.0.0.1:9/api/v4', ALLOWED_ORIGINS: 'https://console.example.com', MAX_BODY_BYTES: '4096', LOG_LEVEL: 'SILENT' },
    });
  });
  afterAll(() => fleet.close(1000));

  const post = (path: string, body: string, headers: Record<string, string> = MCP_HEADERS) =>
    fetch(`${fleet.url}${path}`, { method: 'POST', headers, body });

  describe('malformed requests', () => {
    // Each row: what is wrong, the request, the HTTP status, the JSON-RPC error code (undefined: not a JSON-RPC error).
    const rows: Array<[string, () => Promise<Response>, number, number | undefined, RegExp]> = [
      ['invalid JSON', () => post('/gitlab/mcp', '{"jsonrpc": "2.0", "id": 1,'), 400, -32700, /Parse error/],
      ['a JSON body that is not JSON-RPC', () => post('/gitlab/mcp', '{"hello":"world"}'), 400, -32600, /Invalid Request/],
      ['an empty batch', () => post('/gitlab/mcp', '[]'), 400, -32600, /Invalid Request/],
      ['a request whose id is an object', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":{},"method":"ping"}'), 400, -32600, /Invalid Request/],
      ['an unknown method', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":7,"method":"tools/explode"}'), 200, -32601, /Method not found/],
      ['tools/call without a name', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{}}'), 200, -32602, /Invalid/],
      ['an oversized body', () => post('/gitlab/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5000) } })), 413, -32000, /Payload Too Large/],
      ['a wrong Content-Type', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":1,"method":"ping"}', { ...MCP_HEADERS, 'content-type': 'text/plain' }), 415, -32000, /Unsupported Media Type/],
      ['a wrong Accept', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":1,"method":"ping"}', { ...MCP_HEADERS, accept: 'text/html' }), 406, -32000, /Not Acceptable/],
      ['a disallowed Origin', () => post('/gitlab/mcp', '{"jsonrpc":"2.0","id":1,"method":"ping"}', { ...MCP_HEADERS, origin: 'https://evil.example.net' }), 403, -32000, /Origin https:\/\/evil\.example\.net is not allowed/],
      ['GET on the MCP path', () => fetch(`${fleet.url}/gitlab/mcp`, { headers: { accept: 'text/event-stream' } }), 405, -32000, /Method Not Allowed/],
      ['DELETE on the MCP path', () => fetch(`${fleet.url}/gitlab/mcp`, { method: 'DELETE' }), 405, -32000, /Method Not Allowed/],
      ['an unknown path', () => post('/nowhere/at/all', '{}'), 404, undefined, /No route/],
      ['an unknown server', () => post('/jira/mcp', '{}'), 404, undefined, /No MCP server named "jira"/],
      ['a batch under protocol 2025-06-18 (batches were removed)', () => post('/gitlab/mcp', JSON.stringify([PING(1), PING(2)]), { ...MCP_HEADERS, 'mcp-protocol-version': '2025-06-18' }),
        400, -32600, /^Invalid Request: JSON-RPC batches are not part of MCP protocol version 2025-06-18 \(they were removed in 2025-06-18\); send one message per POST$/],
      ['a batch under a later protocol version', () => post('/gitlab/mcp', JSON.stringify([PING(1)]), { ...MCP_HEADERS, 'mcp-protocol-version': '2025-11-25' }),
        400, -32600, /batches are not part of MCP protocol version 2025-11-25/],
      ['a batch whose initialize asks for 2025-06-18', () => post('/gitlab/mcp', JSON.stringify([INITIALIZE('2025-06-18'), PING(2)])),
        400, -32600, /batches are not part of MCP protocol version 2025-06-18/],
      ['a batch of 11 under protocol 2025-03-26', () => post('/gitlab/mcp', JSON.stringify(Array.from({ length: 11 }, (_, i) => PING(i))), { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' }),
        400, -32600, /^Invalid Request: a batch may hold at most 10 messages, got 11; send them in smaller batches or one per POST$/],
    ];

    it.each(rows)('%s', async (_what, send, status, code, message) => {
      // Act
      const res = await send();
      const text = await res.text();
      // Assess
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = JSON.parse(text);
      if (code !== undefined) {
        expect(body.jsonrpc).toBe('2.0');
        expect(body.error.code).toBe(code);
        expect(body.error.message).toMatch(message);
      } else {
        expect(body.message).toMatch(message);
      }
      expect(text).not.toMatch(/at .*\.(js|ts):\d+/); // never a stack trace
    });

    it('answers a batch whose request is cancelled in the same POST, instead of waiting forever', async () => {
      const res = await post('/gitlab/mcp', JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      ]));
      expect(res.status).toBe(200);
      // (the SDK's transport answers a batch holding one request with that request's answer)
      expect([await res.json()].flat()).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    });

    describe('batches (protocol versions before 2025-06-18)', () => {
      const OLD = { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' };

      it('answers a batch of 10, every element, as an array in the batch\'s order', async () => {
        // Act
        const res = await post('/gitlab/mcp', JSON.stringify(Array.from({ length: 10 }, (_, i) => PING(`p${i}`))), OLD);
        // Assess
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(Array.from({ length: 10 }, (_, i) => ({ jsonrpc: '2.0', id: `p${i}`, result: {} })));
      });

      it('answers a batch without a protocol version header as 2025-03-26 (the transport\'s default)', async () => {
        const res = await post('/gitlab/mcp', JSON.stringify([PING(1), PING(2)]));
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }, { jsonrpc: '2.0', id: 2, result: {} }]);
      });

      it('answers a nameless tools/call in a batch with -32602, and the other elements with their results', async () => {
        // Act
        const res = await post('/gitlab/mcp', JSON.stringify([
          PING(1),
          { jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} },
          { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'drop_database', arguments: {} } },
        ]), OLD);
        // Assess
        expect(res.status).toBe(200);
        const answers = await res.json();
        expect(answers.map((a: { id: unknown }) => a.id)).toEqual([1, 2, 3]);
        expect(answers[0].result).toEqual({});
        expect(answers[1].error.code).toBe(-32602);
        expect(answers[1].error.message).toMatch(/^Invalid params: tools\/call needs params\.name/);
        expect(answers[2].result.isError).toBe(true);
      });

      it('answers every request of a batch whose ids repeat', async () => {
        // Act
        const res = await post('/gitlab/mcp', JSON.stringify([PING(7), { jsonrpc: '2.0', id: 7, method: 'tools/list' }, PING(7)]), OLD);
        // Assess
        expect(res.status).toBe(200);
        const answers = await res.json();
        expect(answers).toHaveLength(3);
        expect(answers.map((a: { id: unknown }) => a.id)).toEqual([7, 7, 7]);
        expect(answers[0].result).toEqual({});
        expect(answers[1].result.tools.length).toBeGreaterThan(5);
        expect(answers[2].result).toEqual({});
      });

      it('answers 202 to a batch of notifications only', async () => {
        const res = await post('/gitlab/mcp', JSON.stringify([{ jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', method: 'tools/call', params: {} }]), OLD);
        expect(res.status).toBe(202);
        expect(await res.text()).toBe('');
      });
    });

    it('answers 413 to a declared Content-Length over the limit without waiting for the body', async () => {
      const { port } = new URL(fleet.url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/gitlab/mcp', method: 'POST', headers: { ...MCP_HEADERS, 'content-length': String(100 * 1024 * 1024) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('{"jsonrpc":"2.0",'); // and never the rest
      });
      expect(status).toBe(413);
    });

    // Tool-level problems are answered as the SDK's McpServer answers them: HTTP 200, a JSON-RPC
    // result (no error code) with isError: true and a message naming the tool.
    const toolRows: Array<[string, string, RegExp]> = [
      ['an unknown tool', '{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"drop_database","arguments":{}}}', /^Tool drop_database not found$/],
      ['bad arguments', '{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"get_issue","arguments":{"project_id":42,"issue_iid":"three"}}}',
        /^Input validation error: Invalid arguments for tool get_issue: .*issue_iid/s],
      ['a write tool where writes are off', '{"jsonrpc":"2.0","id":23,"method":"tools/call","params":{"name":"create_issue","arguments":{"project_id":1,"title":"x"}}}',
        /^Tool create_issue disabled: writes are off for server gitlab/],
    ];

    it.each(toolRows)('%s', async (_what, body, message) => {
      // Act
      const res = await post('/gitlab/mcp', body);
      const answer = await res.json();
      // Assess
      expect(res.status).toBe(200);
      expect(answer.error).toBeUndefined();
      expect(answer.id).toBe(JSON.parse(body).id);
      expect(answer.result.isError).toBe(true);
      expect(answer.result.content[0].text).toMatch(message);
    });

    it('answers 405 with an Allow header', async () => {
      const res = await fetch(`${fleet.url}/gitlab/mcp`, { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    });

    it('answers an unknown tool and bad arguments as tool results, as the SDK does', async () => {
      // Prepare
      const client = await connectClient(`${fleet.url}/gitlab/mcp`);
      try {
        // Act
        const unknown = await client.callTool({ name: 'drop_database', arguments: {} });
        const bad = await client.callTool({ name: 'get_issue', arguments: { project_id: 1, issue_iid: 'seven' } });
        // Assess
        expect(unknown.isError).toBe(true);
        expect(JSON.stringify(unknown.content)).toMatch(/Tool drop_database not found/);
        expect(bad.isError).toBe(true);
        expect(JSON.stringify(bad.content)).toMatch(/Input validation error: Invalid arguments for tool get_issue/);
      } finally {
        await client.close();
      }
    });
  });

  describe('protocol', () => {
    it('serves initialize, ping and tools/list to the SDK client', async () => {
      const client = await connectClient(`${fleet.url}/gitlab/mcp`);
      try {
        expect(client.getServerVersion()?.name).toBe('gitlab-mcp-server');
        await expect(client.ping()).resolves.toBeDefined();
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_projects', 'get_job_log', 'search']));
        for (const t of tools) {
          expect(t.inputSchema.type).toBe('object');
          expect(t.annotations?.readOnlyHint).toBe(true);
        }
      } finally {
        await client.close();
      }
    });

    it('answers tools/list from the listing serialised once just as the SDK answers it', async () => {
      // Act: a plain tools/list (served from the cached listing) and one with a cursor (through the SDK)
      const cached = await (await post('/gitlab/mcp', '{"jsonrpc":"2.0","id":"c","method":"tools/list"}')).json();
      const viaSdk = await (await post('/gitlab/mcp', '{"jsonrpc":"2.0","id":"c","method":"tools/list","params":{"cursor":"x"}}')).json();
      // Assess
      expect(cached.result.tools.length).toBeGreaterThan(5);
      expect(cached).toEqual(viaSdk);
    });

    it('refuses tools/list under a protocol version the SDK does not support, as for any request', async () => {
      const res = await post('/gitlab/mcp', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/Unsupported protocol version: 1999-01-01/);
    });

    it('answers notifications with 202 and no body', async () => {
      const res = await post('/gitlab/mcp', '{"jsonrpc":"2.0","method":"notifications/initialized"}');
      expect(res.status).toBe(202);
      expect(await res.text()).toBe('');
    });

    it('negotiates an older protocol version', async () => {
      const res = await post('/gitlab/mcp', JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old', version: '0.1' } },
      }));
      const body = await res.json();
      expect(res.status).toBe(200);
      expect(body.result.protocolVersion).toBe('2024-11-05');
      expect(body.result.capabilities.tools).toBeDefined();
    });

    it('serves concurrent requests from pooled servers without mixing ids', async () => {
      const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }));
      const answers = await Promise.all(bodies.map((b) => post('/gitlab/mcp', b).then((r) => r.json())));
      answers.forEach((a, i) => {
        expect(a.id).toBe(i);
        expect(a.result.tools.length).toBeGreaterThan(5);
      });
    });

    it('answers the multi-server route without /mcp too', async () => {
      const res = await post('/gitlab', '{"jsonrpc":"2.0","id":"a","method":"ping"}');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 'a', result: {} });
    });
  });

  describe('health and CORS', () => {
    it('reports each server and whether its configuration is complete', async () => {
      const all = await (await fetch(`${fleet.url}/health`)).json();
      expect(all).toEqual({
        status: 'ok',
        mode: 'multi',
        servers: [{ name: 'gitlab', kind: 'gitlab', configured: true, writesEnabled: false, tools: expect.any(Number) }],
      });
      const one = await fetch(`${fleet.url}/gitlab/health`);
      expect(one.status).toBe(200);
      expect((await one.json()).name).toBe('gitlab');
    });

    it('answers a preflight from an allowed origin', async () => {
      const res = await fetch(`${fleet.url}/gitlab/mcp`, {
        method: 'OPTIONS',
        headers: { 'origin': 'https://console.example.com', 'access-control-request-method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
      expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
      expect(res.headers.get('access-control-allow-headers')).toContain('Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token');
      expect(res.headers.get('access-control-allow-headers')).toContain('Mcp-Protocol-Version');
    });

    it('puts CORS headers on ordinary answers, but never allows an origin that was not configured', async () => {
      const res = await fetch(`${fleet.url}/health`);
      expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const allowed = await fetch(`${fleet.url}/health`, { headers: { origin: 'https://console.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    });
  });
});

describe('tools/call: answered directly, just as the SDK answers it', () => {
  let gitlab: FakeGitLab;
  let fleet: FleetServer;

  beforeAll(async () => {
    gitlab = await startFakeGitLab();
    fleet = await startFleetServer({ port: 0, env: { MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: 'glpat-pipeline-test', LOG_LEVEL: 'SILENT' } });
  });
  afterAll(async () => {
    await fleet.close(1000);
    await gitlab.close();
  });

  const call = async (id: number | string, name: string, args: unknown, meta?: Record<string, unknown>) => {
    const params = meta ? { name, arguments: args, _meta: meta } : { name, arguments: args };
    const res = await fetch(`${fleet.url}/gitlab/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }) });
    return { status: res.status, body: await res.json() };
  };

  // Each row: a plain call (answered directly) and the same call with `_meta` (through the SDK's server).
  it.each<[string, string, unknown]>([
    ['a tool that succeeds', 'get_project', { project_id: 42 }],
    ['a tool the upstream answers 404', 'get_project', { project_id: 999_999 }],
    ['an unknown tool', 'drop_database', {}],
    ['bad arguments', 'get_issue', { project_id: 1, issue_iid: 'seven' }],
    ['no arguments at all', 'get_project', undefined],
  ])('%s', async (_what, name, args) => {
    // Act
    const direct = await call('d-1', name, args);
    const viaSdk = await call('d-1', name, args, { progressToken: 'p' });
    // Assess: the same status and the same JSON-RPC answer, byte for byte once parsed
    expect(direct.status).toBe(200);
    expect(direct).toEqual(viaSdk);
    expect(direct.body.id).toBe('d-1');
    expect(direct.body.result.content[0].type).toBe('text');
  });

  it('answers the same call inside a batch (through the SDK) the same way', async () => {
    const direct = await call(7, 'get_project', { project_id: 42 });
    const res = await fetch(`${fleet.url}/gitlab/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' },
      body: JSON.stringify([{ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } }, PING(8)]),
    });
    const [first] = await res.json();
    expect(first).toEqual(direct.body);
  });

  it('refuses a plain tools/call under an unsupported protocol version, as for any request', async () => {
    const res = await fetch(`${fleet.url}/gitlab/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/Unsupported protocol version: 1999-01-01/);
  });
});

describe('configuration problems', () => {
  it('reports missing variables in /health and in tool results', async () => {
    // Prepare: a server kind whose URL has no default would be incomplete; GitLab has one, so use a bad token ARN-less setup
    const fleet = await startFleetServer({ port: 0, env: { SERVER_NAME: 'gitlab', LOG_LEVEL: 'SILENT' } });
    try {
      const health = await (await fetch(`${fleet.url}/health`)).json();
      expect(health.mode).toBe('single');
      expect(health.servers[0].configured).toBe(true); // GitLab needs neither URL (default gitlab.com) nor token
    } finally {
      await fleet.close(1000);
    }
  });

  it('answers every request with a clear 500 when the configuration is invalid', async () => {
    const fleet = await startFleetServer({ port: 0, env: { MCP_SERVERS: 'gitlab,Bad_Name', LOG_LEVEL: 'SILENT' } });
    try {
      const res = await fetch(`${fleet.url}/health`);
      expect(res.status).toBe(500);
      const body = await res.json();
      // the reason is logged; callers get no detail of the configuration (test/runtime/lambda-handler.test.ts)
      expect(body.error).toEqual({ code: -32603, message: 'Server misconfigured' });
    } finally {
      await fleet.close(1000);
    }
  });
});
