/**
 * Runtime benchmark: prints figures, asserts nothing. `npx projen bench` (it bundles first).
 *
 *   bundle bytes                 assets/ and the naive baseline, same esbuild options
 *   cold start                   process start -> first tools/list answer through the Lambda handler (median of N runs)
 *   warm latency                 p50/p99 of tools/list and a GitLab tools/call (fake GitLab on 127.0.0.1), in process
 *   pipeline µs/request          ping and tools/list through the pipeline in process (no HTTP): where the runtime's own time goes
 *   node-server requests/s       ping and tools/list, against the naive pattern and a bare node http server
 *
 * Options: --runs N (cold starts, default 7), --iterations N (warm calls, default 1000), --seconds S (load per case, default 3).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { DEFAULT_VARIANT, bundleRuntime, type BundleVariant } from '../runtime/build';
import { pipelineFromEnv } from '../runtime/entrypoints/compose';
import { startFakeGitLab, type FakeGitLab } from '../test/fakes/fake-gitlab';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, '.bench');
const OURS_LAMBDA = join(ROOT, 'assets', 'lambda', 'index.js');
const OURS_SERVER = join(ROOT, 'assets', 'server', 'index.js');
const NAIVE = join(OUT, 'naive.js');
/** The naive handler as most projects ship it: compiled, requiring the SDK from node_modules. */
const NAIVE_UNBUNDLED = join(OUT, 'naive-node-modules.js');

/** Bundle options measured against the default one (each differs from it in one respect). */
const VARIANTS: Array<[string, BundleVariant]> = [
  ['eager Ajv (the SDK as published)', { ...DEFAULT_VARIANT, lazyAjv: false }],
  ['everything in index.js (no lazy chunks)', { ...DEFAULT_VARIANT, splitLazyModules: false }],
  ['every zod locale', { ...DEFAULT_VARIANT, englishOnlyZod: false }],
  ['AWS SDK left to the Lambda runtime', { ...DEFAULT_VARIANT, externalAwsSdk: true }],
  ['not minified', { ...DEFAULT_VARIANT, minify: false }],
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 7);
const ITERATIONS = arg('iterations', 1000);
const SECONDS = arg('seconds', 3);

const MCP_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } });

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs: number[]) => quantile(xs, 0.5);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function bundleNaive(): Promise<void> {
  const base: BuildOptions = { entryPoints: [join(ROOT, 'benchmarks', 'naive.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };
  // As most projects ship it: compiled, the SDK required from node_modules.
  await build({ ...base, outfile: NAIVE_UNBUNDLED, packages: 'external' });
  // Bundled with the runtime's esbuild options, without its lazy chunks and shims.
  await build({ ...base, outfile: NAIVE, minify: true, keepNames: true, mainFields: ['module', 'main'], legalComments: 'none' });
}

function restEvent(body: string) {
  return { httpMethod: 'POST', path: '/gitlab', resource: '/gitlab', headers: MCP_HEADERS, body, isBase64Encoded: false, requestContext: { requestId: 'bench' } };
}

/** One cold start in a fresh node process: wall time, require time, time to the first tools/list answer. */
function coldStart(bundle: string | null, env: Record<string, string>): Promise<{ wall: number; require: number; first: number }> {
  const script = bundle === null
    ? 'process.stdout.write(JSON.stringify({require:0,first:0}))'
    : `const t0=performance.now();const m=require(${JSON.stringify(bundle)});const t1=performance.now();
       const ctx={getRemainingTimeInMillis:()=>29000,awsRequestId:'cold',functionName:'bench'};
       Promise.resolve(m.handler(${JSON.stringify(restEvent(LIST))},ctx)).then((r)=>{const t2=performance.now();
       if(!String(r.body).includes('list_projects'))throw new Error('bad answer '+r.body);
       process.stdout.write(JSON.stringify({require:t1-t0,first:t2-t0}));});`;
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0) return reject(new Error(`cold start run exited ${code}`));
      resolvePromise({ wall, ...JSON.parse(out) });
    });
  });
}

async function warm(bundle: string, body: string, n: number): Promise<number[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(bundle) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }> };
  const ctx = { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'warm', functionName: 'bench' };
  for (let i = 0; i < 50; i++) await m.handler(restEvent(body), ctx); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await m.handler(restEvent(body), ctx);
    times.push(performance.now() - t);
    if (res.statusCode !== 200 || res.body.includes('"isError":true')) throw new Error(`unexpected answer: ${res.body.slice(0, 200)}`);
  }
  return times;
}

function startProcess(args: string[], env: Record<string, string>): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolvePromise({ url: m[1], stop: () => child.kill('SIGKILL') });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** Requests per second from `concurrency` keep-alive clients for `seconds`. */
async function load(url: string, body: string, seconds: number, concurrency = 16): Promise<number> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = () => new Promise<void>((ok, fail) => {
    const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...MCP_HEADERS, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', fail);
    req.end(body);
  });
  for (let i = 0; i < 200; i++) await send();
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await send();
      done++;
    }
  }));
  agent.destroy();
  return done / ((performance.now() - started) / 1000);
}

/** A bare node http server that answers every request with fixed bytes (the ceiling). */
function bareServerScript(answer: string): string {
  return `const http=require('node:http');const body=${JSON.stringify(answer)};
  http.createServer((req,res)=>{req.resume();req.on('end',()=>{res.writeHead(200,{'content-type':'application/json'});res.end(body);});})
  .listen(0,'127.0.0.1',function(){process.stdout.write('listening on http://127.0.0.1:'+this.address().port+'\\n');});`;
}

async function main(): Promise<void> {
  await bundleNaive();
  const gitlab: FakeGitLab = await startFakeGitLab();
  const env = { SERVER_NAME: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: 'glpat-bench', LOG_LEVEL: 'WARN' };
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(58)} ${value}\n`);
  try {
    process.stdout.write(`# mcp-server-fleet runtime benchmark (node ${process.version}, ${new Date().toISOString()})\n\n## bundle bytes\n`);
    for (const [label, file] of [['assets/lambda/index.js', OURS_LAMBDA], ['assets/server/index.js', OURS_SERVER], ['naive baseline (same tools, same options)', NAIVE]]) {
      line(label, `${statSync(file).size} bytes`);
    }

    process.stdout.write(`\n## cold start, Lambda handler, median of ${RUNS} runs (ms)\n`);
    const bare: number[] = [];
    const ours: Array<{ wall: number; require: number; first: number }> = [];
    const naive: typeof ours = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push((await coldStart(null, {})).wall);
      ours.push(await coldStart(OURS_LAMBDA, env));
      naive.push(await coldStart(NAIVE, env));
    }
    const bareMs = median(bare);
    const row = (label: string, runs: typeof ours) => {
      const wall = median(runs.map((r) => r.wall));
      line(label, `require ${fmt(median(runs.map((r) => r.require)))}  first tools/list ${fmt(median(runs.map((r) => r.first)))}  process ${fmt(wall)}  over bare node ${fmt(wall - bareMs)}`);
      return wall - bareMs;
    };
    line('bare node process', `${fmt(bareMs)}`);
    const oursOver = row('runtime', ours);
    const naiveOver = row('naive baseline, bundled like the runtime', naive);
    const unbundled: typeof ours = [];
    for (let i = 0; i < RUNS; i++) unbundled.push(await coldStart(NAIVE_UNBUNDLED, env));
    const unbundledOver = row('naive baseline, SDK from node_modules', unbundled);
    line('cold start overhead, runtime / naive bundled', `${fmt(oursOver / naiveOver, 2)}`);
    line('cold start overhead, runtime / naive from node_modules', `${fmt(oursOver / unbundledOver, 2)}`);

    process.stdout.write(`\n## bundle options, Lambda handler cold start, median of ${RUNS} runs (ms)\n`);
    for (const [label, variant] of VARIANTS) {
      const dir = join(OUT, 'variants', label.replace(/[^a-z]+/gi, '-'));
      const sizes = await bundleRuntime(dir, variant);
      const runs: typeof ours = [];
      for (let i = 0; i < RUNS; i++) runs.push(await coldStart(join(dir, 'lambda', 'index.js'), env));
      row(`${label} (${sizes['lambda/index.js']} bytes)`, runs);
    }

    process.stdout.write(`\n## warm latency, Lambda handler in process, ${ITERATIONS} calls (ms)\n`);
    Object.assign(process.env, env);
    for (const [label, body] of [['tools/list', LIST], ['tools/call get_project (fake GitLab)', CALL]] as const) {
      const o = await warm(OURS_LAMBDA, body, ITERATIONS);
      const n = await warm(NAIVE, body, ITERATIONS);
      line(`${label}: runtime`, `p50 ${fmt(quantile(o, 0.5), 3)}  p99 ${fmt(quantile(o, 0.99), 3)}`);
      line(`${label}: naive`, `p50 ${fmt(quantile(n, 0.5), 3)}  p99 ${fmt(quantile(n, 0.99), 3)}  (runtime p50 is ${fmt(quantile(n, 0.5) / quantile(o, 0.5), 1)}x faster)`);
    }

    process.stdout.write(`\n## pipeline in process, no HTTP, ${ITERATIONS * 10} sequential requests (µs per request)\n`);
    const pipeline = pipelineFromEnv({ MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, LOG_LEVEL: 'SILENT' });
    for (const [label, body] of [['ping', PING], ['tools/list', LIST]] as const) {
      const req = { method: 'POST', path: '/gitlab/mcp', headers: MCP_HEADERS, body };
      for (let i = 0; i < 1000; i++) await pipeline.handle(req);
      const n = ITERATIONS * 10;
      const t = performance.now();
      for (let i = 0; i < n; i++) await pipeline.handle(req);
      line(`${label}: runtime`, `${fmt(((performance.now() - t) * 1000) / n)} µs`);
    }

    process.stdout.write(`\n## node server, requests/s (16 keep-alive clients, ${SECONDS} s each)\n`);
    const multiEnv = { MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, LOG_LEVEL: 'WARN' };
    for (const [label, body] of [['ping', PING], ['tools/list', LIST]] as const) {
      const oursSrv = await startProcess([OURS_SERVER, 'serve', '--port', '0'], multiEnv);
      const naiveSrv = await startProcess([NAIVE, 'serve'], env);
      const sample = await fetch(`${oursSrv.url}/gitlab/mcp`, { method: 'POST', headers: MCP_HEADERS, body }).then((r) => r.text());
      const bareSrv = await startProcess(['-e', bareServerScript(sample)], {});
      try {
        const o = await load(`${oursSrv.url}/gitlab/mcp`, body, SECONDS);
        const n = await load(`${naiveSrv.url}/mcp`, body, SECONDS);
        const b = await load(`${bareSrv.url}/`, body, SECONDS);
        line(`${label}: runtime`, `${fmt(o, 0)} req/s  (${fmt((o / b) * 100)}% of bare node, ${fmt(o / n, 1)}x naive)`);
        line(`${label}: naive baseline`, `${fmt(n, 0)} req/s  (${fmt((n / b) * 100)}% of bare node)`);
        line(`${label}: bare node http, same bytes`, `${fmt(b, 0)} req/s`);
      } finally {
        oursSrv.stop();
        naiveSrv.stop();
        bareSrv.stop();
      }
    }
  } finally {
    await gitlab.close();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
