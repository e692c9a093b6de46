/** `mcp-fleet serve`: the bundled server as a process — start, serve, and a graceful stop. */
import { spawnSync } from 'node:child_process';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { SERVER_BUNDLE, ensureBundle } from '../helpers/bundle';
import { startChildServer } from '../helpers/child-server';
import { eventually, openSocket, within } from '../helpers/raw-http';

describe('mcp-fleet serve', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    await ensureBundle();
    gitlab = await startFakeGitLab();
  });
  afterAll(() => gitlab.close());

  it('serves GitLab with no configuration at all (default URL, no token)', async () => {
    const server = await startChildServer({ LOG_LEVEL: 'SILENT' });
    try {
      expect(server.output()).toContain(`${server.url}/gitlab/mcp`);
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', mode: 'multi', servers: [{ name: 'gitlab', configured: true, writesEnabled: false }] });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('finishes in-flight requests on SIGTERM, refuses new ones, and exits 0', async () => {
    // Prepare: GitLab answers slowly
    const server = await startChildServer({ LOG_LEVEL: 'SILENT', MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url });
    gitlab.queue('GET', /\/projects\/77$/, { status: 200, body: { id: 77, name: 'slow', path_with_namespace: 'g/slow' }, delayMs: 1500 });
    // Act
    const inflight = fetch(`${server.url}/gitlab/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 77 } } }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const exit = server.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const refused = await fetch(`${server.url}/health`).then(() => 'answered', () => 'refused');
    const res = await inflight;
    // Assess
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.result.isError).toBeFalsy();
    expect(refused).toBe('refused');
    expect(await exit).toBe(0);
    expect(server.output()).toContain('SIGTERM received');
  });

  it('exits at SIGTERM without waiting for an idle keep-alive connection or a client still sending its headers', async () => {
    // Prepare: one connection idle after its answer, one in the middle of its headers
    const server = await startChildServer({ LOG_LEVEL: 'SILENT' });
    const host = new URL(server.url).host;
    const idle = await openSocket(server.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expect(await eventually(() => idle.received().includes('"status"'))).toBe(true);
    const slow = await openSocket(server.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
    // Act
    const exit = server.stop('SIGTERM');
    // Assess: well inside the 30 s the server gives in-flight requests (there are none)
    expect(await within(15_000, exit)).toBe('done');
    expect(await exit).toBe(0);
    expect(await within(5000, Promise.all([idle.closed, slow.closed]))).toBe('done');
  });

  it('logs a client that abandons its upload below ERROR', async () => {
    // Prepare
    const server = await startChildServer({ LOG_LEVEL: 'DEBUG' });
    try {
      const host = new URL(server.url).host;
      // Act: headers announcing 1000 bytes; once the server has taken the request (100 Continue), 10 bytes, then gone
      const upload = await openSocket(server.url, `POST /gitlab/mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n`
        + 'Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
      expect(await eventually(() => upload.received().startsWith('HTTP/1.1 100 Continue'))).toBe(true);
      upload.socket.write('{"jsonrpc":');
      upload.socket.destroy();
      // Assess: the server noticed, and said so below ERROR
      expect(await eventually(() => /went away|request failure/.test(server.output()))).toBe(true);
      const lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(lines.filter((l) => l.level === 'ERROR')).toEqual([]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'DEBUG', message: 'the client went away before its request was read', path: '/gitlab/mcp' }));
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('warns at start when it listens on every interface, and when any origin is allowed', async () => {
    // Prepare + Act: nothing connects through the other interfaces; the warnings are printed at start
    const server = await startChildServer({ ALLOWED_ORIGINS: 'https://a.example,*' }, ['--host', '0.0.0.0']);
    const out = server.output();
    expect(await server.stop()).toBe(0);
    // Assess
    const warnings = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.level === 'WARN');
    expect(warnings.map((w) => w.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^listening on every interface without ALLOWED_HOSTS: .*rebound/),
      expect.stringMatching(/^ALLOWED_ORIGINS=\* lets a page of any web site call these servers/),
    ]));
  });

  it('explains its usage and rejects unknown options', () => {
    const help = spawnSync(process.execPath, [SERVER_BUNDLE, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('mcp-fleet serve [--port 8080] [--host 127.0.0.1]');
    const bad = spawnSync(process.execPath, [SERVER_BUNDLE, 'serve', '--colour', 'blue'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unknown option: --colour');
  });

  it.each([
    [{ MAX_BODY_BYTES: 'lots' }, [], 'mcp-fleet: MAX_BODY_BYTES must be a positive number, got: lots'],
    [{ GITLAB_API_URL: 'not a url' }, [], 'mcp-fleet: GITLAB_API_URL must be an absolute http(s) URL, got: "not a url"'],
    [{ GITLAB_API_URL: 'https://gitlab.example.com/api/v4?private_token=glpat-in-query' }, [], 'mcp-fleet: GITLAB_API_URL must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"'],
    [{ PORT: 'abc' }, [], 'PORT must be a whole number from 0 to 65535, got: abc'],
    [{ MAX_CONNECTIONS: 'many' }, [], 'mcp-fleet: MAX_CONNECTIONS must be a whole number of at least 1, got: many'],
    [{ ALLOWED_HOSTS: 'http://localhost:8080' }, [], 'mcp-fleet: ALLOWED_HOSTS must be a comma-separated list of host names, each with an optional :port (IPv6 in brackets), got: "http://localhost:8080"'],
    [{}, ['--port', '1e3'], '--port must be a whole number from 0 to 65535, got: 1e3'],
  ])('refuses to start with %j %j, naming the variable, and exits 2', (env, args, message) => {
    const res = spawnSync(process.execPath, [SERVER_BUNDLE, 'serve', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 10_000 });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe(message);
  });
});
