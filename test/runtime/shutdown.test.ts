/**
 * Graceful shutdown of the bundled node server, as ECS stops a task: SIGTERM, then SIGKILL 30 s
 * later. Under load no in-flight request is lost, nothing new is accepted, and SHUTDOWN_GRACE_MS
 * bounds the wait so the process exits 0 before the SIGKILL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { bundleRuntime } from '../../runtime/build';
import { defaultConcurrency } from '../../runtime/core/upstream';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../../runtime/entrypoints/server';
import { FARGATE_DEFAULTS } from '../../src/defaults';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { ASSETS, SERVER_BUNDLE, ensureBundle } from '../helpers/bundle';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { MCP_HEADERS, eventually, openSocket, send, within, type RawAnswer } from '../helpers/raw-http';

const callBody = (rpcId: number, projectId: number) =>
  JSON.stringify({ jsonrpc: '2.0', id: rpcId, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: projectId } } });

/** One `tools/call` of GitLab's `get_project`, on a connection of its own. */
function getProject(server: ChildServer, rpcId: number, projectId: number): Promise<RawAnswer> {
  return send(`${server.url}/gitlab/mcp`, { method: 'POST', headers: MCP_HEADERS, body: callBody(rpcId, projectId) });
}

/** The same call, also saying when the whole request has left for the server. */
function trackedGetProject(server: ChildServer, rpcId: number, projectId: number): { sent: Promise<void>; answer: Promise<RawAnswer> } {
  const { hostname, port } = new URL(server.url);
  const body = callBody(rpcId, projectId);
  let sent!: () => void;
  const sentP = new Promise<void>((resolve) => { sent = resolve; });
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    const req = request({
      host: hostname,
      port: Number(port),
      path: '/gitlab/mcp',
      method: 'POST',
      agent: false,
      headers: { ...MCP_HEADERS, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.once('finish', () => sent());
    req.on('error', reject);
    req.end(body);
  });
  return { sent: sentP, answer };
}

/** The project the fake answers for `id`, after `delayMs`. */
function slowProject(gitlab: FakeGitLab, id: number, delayMs: number): void {
  gitlab.queue('GET', new RegExp(`/projects/${id}$`), { status: 200, body: { id, name: `p${id}`, path_with_namespace: `load/p${id}` }, delayMs });
}

/** Whether a fresh connection to `url` is refused (rather than accepted). */
async function refused(url: string): Promise<boolean> {
  return openSocket(url).then((s) => { s.socket.destroy(); return false; }, (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
}

describe('the node server at SIGTERM', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    // The Dockerfile and health check came with the container image: an older bundle lacks them.
    if (!existsSync(join(ASSETS, 'server', 'healthcheck.js'))) await bundleRuntime(ASSETS);
    await ensureBundle();
    gitlab = await startFakeGitLab();
  });
  afterEach(() => gitlab.reset());
  afterAll(() => gitlab.close());

  it('finishes every in-flight request under load, refuses new connections meanwhile, and exits 0', async () => {
    // Prepare: 20 tool calls, each waiting 1 s on GitLab. The node server calls an upstream at
    // most 8 at a time (MAX_CONCURRENT_UPSTREAM): 8 reach GitLab, 12 wait in the runtime for a slot.
    const slots = defaultConcurrency(undefined);
    const server = await startChildServer({ LOG_LEVEL: 'WARN', MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url });
    const ids = Array.from({ length: 20 }, (_, i) => 500 + i);
    for (const id of ids) slowProject(gitlab, id, 1000);
    let settled = 0;
    const tracked = ids.map((id, i) => trackedGetProject(server, i + 1, id));
    const calls = tracked.map((t) => t.answer.finally(() => { settled++; }));
    calls.forEach((c) => c.catch(() => undefined)); // read below; a rejection must not go unhandled meanwhile
    await Promise.all(tracked.map((t) => t.sent));
    expect(await eventually(() => gitlab.requests.length === slots)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(gitlab.requests.length).toBe(slots);
    expect(slots).toBeLessThan(ids.length);
    // Act
    const exit = server.stop('SIGTERM');
    expect(await eventually(() => server.output().includes('SIGTERM received'))).toBe(true);
    const refusedDuringDrain = await eventually(() => refused(server.url), 20, 25);
    const settledWhenRefused = settled;
    const reachedGitLabWhenRefused = gitlab.requests.length;
    const answers = await Promise.allSettled(calls);
    // Assess: the listener was closed while all 20 were still running
    expect(refusedDuringDrain).toBe(true);
    expect(settledWhenRefused).toBe(0);
    expect(reachedGitLabWhenRefused).toBe(slots);
    // every call answered, with its own id and its own project
    answers.forEach((a, i) => {
      expect(a.status).toBe('fulfilled');
      const res = (a as PromiseFulfilledResult<RawAnswer>).value;
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: i + 1 });
      expect(body.result.isError).toBeFalsy();
      expect(body.result.structuredContent.item).toMatchObject({ id: ids[i], path_with_namespace: `load/p${ids[i]}` });
    });
    // those that were waiting for a slot reached GitLab after SIGTERM
    expect(gitlab.requests.map((r) => r.path).sort()).toEqual(ids.map((id) => `/api/v4/projects/${id}`).sort());
    expect(await exit).toBe(0);
    expect(server.output()).toContain('SIGTERM received: finishing in-flight requests (at most 25 s, SHUTDOWN_GRACE_MS)');
    expect(server.output()).not.toContain('shutdown grace elapsed');
  });

  it('waits no longer than SHUTDOWN_GRACE_MS: a request still running is cut, one that ends in time is answered, and it exits 0', async () => {
    // Prepare: a 1 s grace; one call GitLab answers in 0.3 s, one it holds for 8 s
    const server = await startChildServer({ LOG_LEVEL: 'WARN', MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, SHUTDOWN_GRACE_MS: '1000' });
    slowProject(gitlab, 601, 300);
    slowProject(gitlab, 602, 8000);
    const quick = getProject(server, 1, 601);
    const stuck = getProject(server, 2, 602).then((r) => `answered ${r.status}`, (err: NodeJS.ErrnoException) => err.code ?? err.message);
    expect(await eventually(() => gitlab.requests.length === 2)).toBe(true);
    // Act
    const exit = server.stop('SIGTERM');
    // Assess: it exits well before GitLab would have answered the stuck call (8 s), and with 0
    expect(await within(6000, exit)).toBe('done');
    expect(await exit).toBe(0);
    const answered = await quick;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body).result.structuredContent.item).toMatchObject({ id: 601 });
    expect(await stuck).toMatch(/ECONNRESET|socket hang up/);
    expect(server.output()).toContain('at most 1 s, SHUTDOWN_GRACE_MS');
    const warnings = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(warnings).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'shutdown grace elapsed: closing the connections of requests still running', inflight: 1, graceMs: 1000 }));
  });

  it('by default waits 25 s, ending before ECS\'s SIGKILL at the task\'s stop timeout with time to close', () => {
    expect(DEFAULT_SHUTDOWN_GRACE_MS).toBe(25_000);
    expect(FARGATE_DEFAULTS.stopTimeout.toMilliseconds() - DEFAULT_SHUTDOWN_GRACE_MS).toBeGreaterThanOrEqual(5000);
  });

  it.each(['soon', '0', '2.5', '-100'])('refuses to start with SHUTDOWN_GRACE_MS=%s, naming the variable, and exits 2', (value) => {
    const res = spawnSync(process.execPath, [SERVER_BUNDLE, 'serve', '--port', '0'], { encoding: 'utf8', env: { PATH: process.env.PATH, SHUTDOWN_GRACE_MS: value }, timeout: 10_000 });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe(`mcp-fleet: SHUTDOWN_GRACE_MS must be a whole number of at least 1, got: ${value}`);
    expect(res.stdout).not.toContain('listening');
  });
});
