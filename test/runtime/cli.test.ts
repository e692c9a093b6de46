/** `mcp-fleet serve`: the bundled server as a process — start, serve, and a graceful stop. */
import { spawnSync } from 'node:child_process';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { SERVER_BUNDLE, ensureBundle } from '../helpers/bundle';
import { startChildServer } from '../helpers/child-server';

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
    const started = Date.now();
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
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(server.output()).toContain('SIGTERM received');
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
    [{}, ['--port', '1e3'], '--port must be a whole number from 0 to 65535, got: 1e3'],
  ])('refuses to start with %j %j, naming the variable, and exits 2', (env, args, message) => {
    const res = spawnSync(process.execPath, [SERVER_BUNDLE, 'serve', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 10_000 });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe(message);
  });
});
