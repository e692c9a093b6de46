/**
 * The node server (`mcp-fleet serve`, the container's process) against clients that misbehave:
 * headers or a body that trickle, more connections than it should hold, connections left open at
 * shutdown, and a page whose name was rebound to 127.0.0.1 (DNS rebinding). Limits are set small
 * through the environment so each defence shows; nothing here measures how fast it acts.
 */
import { Agent } from 'node:http';
import { ConfigError } from '../../runtime/core/config';
import { serverLimits, startFleetServer, type FleetServer } from '../../runtime/entrypoints/server';
import { INITIALIZE_BODY, MCP_HEADERS, eventually, openSocket, send, within } from '../helpers/raw-http';

const BASE_ENV = { MCP_SERVERS: 'gitlab', LOG_LEVEL: 'SILENT' };

async function withServer(env: Record<string, string>, fn: (fleet: FleetServer, host: string) => Promise<void>): Promise<void> {
  const fleet = await startFleetServer({ port: 0, env: { ...BASE_ENV, ...env } });
  try {
    await fn(fleet, new URL(fleet.url).host);
  } finally {
    await fleet.close(1000);
  }
}

describe('the node server holds no connection for a client that never finishes', () => {
  it('answers 408 and closes a connection whose headers trickle past HEADERS_TIMEOUT_MS', async () => {
    await withServer({ HEADERS_TIMEOUT_MS: '200' }, async (fleet, host) => {
      // Prepare: a request line and one header, then a byte of another header every 50 ms (slowloris)
      const slow = await openSocket(fleet.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
      // Act: trickle, at most 10 s
      for (let i = 0; i < 200 && !slow.isClosed(); i++) {
        slow.socket.write('a');
        await new Promise((r) => setTimeout(r, 50));
      }
      // Assess
      expect(slow.isClosed()).toBe(true);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    });
  });

  it('answers 408 and closes a connection whose body trickles past REQUEST_TIMEOUT_MS', async () => {
    await withServer({ HEADERS_TIMEOUT_MS: '100', REQUEST_TIMEOUT_MS: '300' }, async (fleet, host) => {
      // Prepare: complete headers announcing 1000 bytes, then a byte every 50 ms
      const slow = await openSocket(fleet.url,
        `POST /gitlab/mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{`);
      // Act
      for (let i = 0; i < 200 && !slow.isClosed(); i++) {
        slow.socket.write(' ');
        await new Promise((r) => setTimeout(r, 50));
      }
      // Assess
      expect(slow.isClosed()).toBe(true);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    });
  });

  it('closes connections past MAX_CONNECTIONS as they arrive, and still answers on the ones it holds', async () => {
    await withServer({ MAX_CONNECTIONS: '3' }, async (fleet, host) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        // Prepare: one keep-alive client, and two slow ones that fill the cap
        expect((await send(`${fleet.url}/health`, { agent })).status).toBe(200);
        const held = await Promise.all([1, 2].map(() => openSocket(fleet.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n`)));
        const connections = () => new Promise<number>((resolve) => fleet.server.getConnections((_e, n) => resolve(n)));
        expect(await eventually(async () => (await connections()) === 3)).toBe(true);
        // Act: three more connections
        const extra = await Promise.all([1, 2, 3].map(() => openSocket(fleet.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`)));
        const refused = await Promise.all(extra.map((s) => within(5000, s.closed)));
        const answered = await send(`${fleet.url}/health`, { agent });
        // Assess: the extra ones were closed unanswered; the held ones are still open, and the first client still served
        expect(refused).toEqual(['done', 'done', 'done']);
        expect(extra.map((s) => s.received())).toEqual(['', '', '']);
        expect(held.map((s) => s.isClosed())).toEqual([false, false]);
        expect(answered.status).toBe(200);
      } finally {
        agent.destroy();
      }
    });
  });
});

describe('the node server at shutdown', () => {
  it('closes an idle keep-alive connection and a client still sending its headers at once, without waiting out the grace time', async () => {
    // Prepare: a keep-alive connection left idle, and a client in the middle of its headers
    const fleet = await startFleetServer({ port: 0, env: BASE_ENV });
    const host = new URL(fleet.url).host;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(`${fleet.url}/health`, { agent })).status).toBe(200);
    const idle = await openSocket(fleet.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expect(await eventually(() => idle.received().includes('"status"'))).toBe(true);
    const slow = await openSocket(fleet.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
    // Act: a grace time of ten minutes, far beyond this test's wait
    const closing = fleet.close(600_000);
    const outcome = await within(10_000, closing);
    agent.destroy();
    // Assess
    expect(outcome).toBe('done');
    expect(await within(5000, Promise.all([idle.closed, slow.closed]))).toBe('done');
  });
});

describe('the node server and DNS rebinding', () => {
  it('answers a Host that is not its own 421 on loopback, /health included, and the loopback names with its port', async () => {
    await withServer({}, async (fleet, host) => {
      const port = new URL(fleet.url).port;
      // Act
      const rebound = await send(`${fleet.url}/health`, { headers: { host: `attacker.example:${port}` } });
      const rebondMcp = await send(`${fleet.url}/gitlab/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, host: `attacker.example:${port}` }, body: INITIALIZE_BODY });
      const own = await Promise.all([host, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`].map((h) => send(`${fleet.url}/health`, { headers: { host: h } })));
      const otherPort = await send(`${fleet.url}/health`, { headers: { host: 'localhost:1' } });
      // Assess
      for (const res of [rebound, rebondMcp, otherPort]) {
        expect(res.status).toBe(421);
        expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringMatching(/^Misdirected Request: .*set ALLOWED_HOSTS/) } });
      }
      expect(rebound.body).not.toContain('"servers"');
      expect(own.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    });
  });

  it('accepts a browser\'s same-origin POST (Origin is the allowed Host), and still refuses another origin', async () => {
    await withServer({}, async (fleet, host) => {
      // Act
      const same = await send(`${fleet.url}/gitlab/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, host, origin: `http://${host}` }, body: INITIALIZE_BODY });
      const other = await send(`${fleet.url}/gitlab/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, host, origin: 'http://attacker.example' }, body: INITIALIZE_BODY });
      // Assess
      expect(same.status).toBe(200);
      expect(JSON.parse(same.body).result.serverInfo.name).toBe('gitlab-mcp-server');
      expect(other.status).toBe(403);
    });
  });

  it('answers the names of ALLOWED_HOSTS too, any port or the one given', async () => {
    await withServer({ ALLOWED_HOSTS: 'MCP.internal, fleet.example:8443' }, async (fleet) => {
      const hosts = ['mcp.internal', 'mcp.internal:9999', 'fleet.example:8443', 'fleet.example:8444', 'fleet.example'];
      const statuses = await Promise.all(hosts.map(async (host) => (await send(`${fleet.url}/health`, { headers: { host } })).status));
      expect(statuses).toEqual([200, 200, 200, 421, 421]);
    });
  });

  it('answers any Host with ALLOWED_HOSTS=*, and then trusts no Origin', async () => {
    await withServer({ ALLOWED_HOSTS: '*' }, async (fleet) => {
      // Act
      const any = await send(`${fleet.url}/health`, { headers: { host: 'whatever.example' } });
      const origin = await send(`${fleet.url}/gitlab/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, host: 'whatever.example', origin: 'http://whatever.example' }, body: INITIALIZE_BODY });
      // Assess: no Host check means the Host cannot vouch for an Origin
      expect(any.status).toBe(200);
      expect(origin.status).toBe(403);
    });
  });
});

describe('serverLimits', () => {
  it('reads the defaults and the variables', () => {
    expect(serverLimits({})).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 20_000, maxConnections: 256, allowedHosts: undefined });
    expect(serverLimits({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '8000', MAX_CONNECTIONS: '64', ALLOWED_HOSTS: 'a.example, B.example:8080' }))
      .toEqual({ headersTimeoutMs: 5000, requestTimeoutMs: 8000, maxConnections: 64, allowedHosts: ['a.example', 'b.example:8080'] });
  });

  it.each([
    [{ MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS must be a whole number of at least 1, got: 0'],
    [{ HEADERS_TIMEOUT_MS: '1.5' }, 'HEADERS_TIMEOUT_MS must be a whole number of at least 1, got: 1.5'],
    [{ HEADERS_TIMEOUT_MS: '9000', REQUEST_TIMEOUT_MS: '5000' }, 'HEADERS_TIMEOUT_MS (9000) must not be over REQUEST_TIMEOUT_MS (5000): the headers are part of the request'],
    [{ ALLOWED_HOSTS: 'https://a.example' }, 'ALLOWED_HOSTS must be a comma-separated list of host names, each with an optional :port (IPv6 in brackets), got: "https://a.example"'],
  ])('refuses %j', (env, message) => {
    expect(() => serverLimits(env)).toThrow(ConfigError);
    expect(() => serverLimits(env)).toThrow(message);
  });
});
