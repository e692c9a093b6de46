/**
 * Runtime benchmark: prints figures, asserts nothing. `npx projen bench` (it bundles first).
 *
 *   bundle bytes                 assets/ and the naive baseline, same esbuild options
 *   cold start                   process start -> first tools/list answer through the Lambda handler (median of N runs)
 *   warm latency                 p50/p99 of ping, tools/list and a GitLab tools/call (fake GitLab on 127.0.0.1, in a
 *                                process of its own) through
 *                                the Lambda handler in process, against the naive handler, and the tools/call against a
 *                                bare handler making the same fetch; the handlers take turns in blocks
 *   pipeline µs/request          ping and tools/list through the pipeline in process (no HTTP): where the runtime's own time goes
 *   peak RSS, worst request      the Lambda handler in a fresh process answering the most memory-hungry request
 *                                it accepts (a batch of 10 tools/call on the largest answers the upstream client
 *                                reads), against half of lambdaPerServer's 256 MB
 *
 * The node server's requests/s against a bare node server and the naive pattern, with the load
 * generator in its own process, is benchmarks/http.ts (`npx projen bench:http`).
 *
 * Options: --runs N (cold starts, default 7), --iterations N (warm calls, default 1000),
 * --rss-only (the peak RSS figures alone), --call-only (the warm tools/call figures alone).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { DEFAULT_VARIANT, bundleRuntime, type BundleVariant } from '../runtime/build';
import { MAX_BATCH_MESSAGES } from '../runtime/core/jsonrpc';
import { MAX_JSON_BYTES, MAX_JSON_ROWS, MAX_TEXT_BYTES } from '../runtime/core/upstream';
import { pipelineFromEnv } from '../runtime/entrypoints/compose';
import { startFakeHttpApi } from '../test/fakes/fake-http-api';

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

function restEvent(body: string, headers: Record<string, string> = MCP_HEADERS) {
  return { httpMethod: 'POST', path: '/gitlab', resource: '/gitlab', headers, body, isBase64Encoded: false, requestContext: { requestId: 'bench' } };
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

/** The fake GitLab in its own process (benchmarks/fake-gitlab-process.ts): its work is not charged to the handlers. */
function startFakeGitLabProcess(): Promise<{ url: string; stop: () => void }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', join(ROOT, 'benchmarks', 'fake-gitlab-process.ts')], {
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => fail(new Error(`fake GitLab exited ${code}: ${out}`)));
  });
}

type LambdaHandler = (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;

function handlerOf(bundle: string): LambdaHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(bundle) as { handler: LambdaHandler }).handler;
}

/**
 * A bare Lambda handler for the tools/call of CALL: the same GitLab fetch and an answer of the
 * same shape, with no MCP at all (what a tools/call costs beyond the upstream call itself).
 */
function bareGitLabHandler(apiUrl: string, token: string): LambdaHandler {
  return async (event) => {
    const { id, params } = JSON.parse((event as { body: string }).body) as { id: number; params: { arguments: { project_id: number } } };
    const res = await fetch(`${apiUrl}/projects/${params.arguments.project_id}`, { headers: { 'private-token': token, 'accept': 'application/json' } });
    const project = await res.json();
    const text = JSON.stringify(project);
    return { statusCode: 200, body: JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], structuredContent: { item: project } } }) };
  };
}

/**
 * Warm latencies (ms) of several handlers for one body: each warmed up, then `n` calls each in
 * blocks of `n / 10`, the handlers taking turns, so that a noisy machine slows them alike.
 */
async function warmAll(handlers: readonly LambdaHandler[], body: string, n: number): Promise<number[][]> {
  const ctx = { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'warm', functionName: 'bench' };
  const call = async (h: LambdaHandler) => {
    const t = performance.now();
    const res = await h(restEvent(body), ctx);
    const ms = performance.now() - t;
    if (res.statusCode !== 200 || res.body.includes('"isError":true')) throw new Error(`unexpected answer: ${res.body.slice(0, 200)}`);
    return ms;
  };
  for (const h of handlers) for (let i = 0; i < 50; i++) await call(h); // warm-up
  const times = handlers.map(() => [] as number[]);
  const block = Math.max(1, Math.floor(n / 10));
  for (let done = 0; done < n; done += block) {
    for (const [i, h] of handlers.entries()) for (let j = 0; j < block; j++) times[i].push(await call(h));
  }
  return times;
}

/** lambdaPerServer's default memory; the worst single request may peak at half of it. */
const LAMBDA_MEMORY_MB = 256;
const RSS_LIMIT_MB = LAMBDA_MEMORY_MB / 2;

/**
 * A fake GitLab serving the largest answers the upstream client reads: JSON just under its byte
 * limit with as many rows as it takes (each made of many small objects, the costliest to parse
 * and map) or 20 KB rows, a file whose JSON is just under the limit, a job log far over the text
 * limit (read to its end, only its tail kept), and tiny rows past the row limit (refused).
 */
async function startLargeAnswers() {
  const under = (row: (i: number) => unknown, maxRows = MAX_JSON_ROWS): Buffer => {
    const parts: string[] = [];
    let size = 2;
    for (let i = 0; i < maxRows; i++) {
      const s = JSON.stringify(row(i));
      if (size + s.length + 1 > MAX_JSON_BYTES - 1024) break;
      parts.push(s);
      size += s.length + 1;
    }
    return Buffer.from(`[${parts.join(',')}]`);
  };
  const user = (id: number) => ({ id, username: `user${id}`, name: `User ${id}`, state: 'active' });
  const manyObjects = under((i) => ({ id: i, iid: i, title: `t${i}`, state: 'opened', labels: ['a', 'b', 'c'], author: user(i), assignees: [1, 2, 3, 4, 5, 6].map(user), milestone: { id: 1, title: 'v1' }, time_stats: { a: 1, b: 2 } }));
  const tinyRows = under((i) => ({ id: i, iid: i, title: `t${i}`, state: 'opened' }), Infinity);
  const largeRows = under((i) => ({ id: i, iid: i, title: `issue ${i}`, state: 'opened', labels: ['bug'], description: 'd'.repeat(20_000), author: { username: 'alice' } }));
  // A raw file of 1 MB: get_file_contents reads /raw as text, up to the text limit.
  const file = Buffer.alloc(MAX_JSON_BYTES, 'abcdefgh\n');
  const logChunk = 'npm test line with some output\n'.repeat(2048);
  const json = { 'content-type': 'application/json' };
  return startFakeHttpApi({
    basePath: '/api/v4',
    routes: [
      { method: 'GET', path: '/api/v4/projects/1/issues', handle: () => ({ body: manyObjects, headers: json }) },
      { method: 'GET', path: '/api/v4/projects/3/issues', handle: () => ({ body: tinyRows, headers: json }) },
      { method: 'GET', path: '/api/v4/projects/2/issues', handle: () => ({ body: largeRows, headers: json }) },
      { method: 'GET', path: /^\/api\/v4\/projects\/1\/repository\/files\/[^/]+\/raw$/, handle: () => ({ body: file, headers: { 'content-type': 'text/plain' } }) },
      { method: 'GET', path: '/api/v4/projects/1/jobs/1/trace', handle: () => ({ body: logChunk, repeat: Math.ceil((64 * MAX_TEXT_BYTES) / logChunk.length) }) },
    ],
  });
}

/** One request in a fresh Lambda handler process: its peak RSS (VmHWM), the peak before it, the answer's status and size. */
type PeakRss = { peakMb: number; beforeMb: number; status: number; bytes: number; refused: boolean };
function peakRss(body: string, headers: Record<string, string>, env: Record<string, string>): Promise<PeakRss> {
  const script = `const {readFileSync}=require('node:fs');const m=require(${JSON.stringify(OURS_LAMBDA)});
    const hwm=()=>Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])/1024;
    const ctx={getRemainingTimeInMillis:()=>29000,awsRequestId:'rss',functionName:'bench'};
    (async()=>{await m.handler(${JSON.stringify(restEvent(LIST))},ctx);const before=hwm();
      const r=await m.handler(${JSON.stringify(restEvent(body, headers))},ctx);
      const refused=String(r.body).includes('"isError":true');
      process.stdout.write(JSON.stringify({peakMb:hwm(),beforeMb:before,status:r.statusCode,bytes:String(r.body).length,refused}));})();`;
  return new Promise((resolvePromise, reject) => {
    // As the Lambda Node.js runtime starts node for a 256 MB function: its bootstrap exposes gc and
    // sizes the V8 heap from AWS_LAMBDA_FUNCTION_MEMORY_SIZE (a tenth for the young generation).
    const young = Math.floor(LAMBDA_MEMORY_MB / 10);
    const flags = ['--expose-gc', `--max-semi-space-size=${Math.floor(young / 2)}`, `--max-old-space-size=${LAMBDA_MEMORY_MB - young}`];
    const child = spawn(process.execPath, [...flags, '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA_MEMORY_MB), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(out)) : reject(new Error(`peak RSS run exited ${code}`))));
  });
}

async function peakRssFigures(line: (label: string, value: string) => void): Promise<void> {
  const api = await startLargeAnswers();
  const env = { SERVER_NAME: 'gitlab', GITLAB_API_URL: api.url, GITLAB_TOKEN: 'glpat-bench', LOG_LEVEL: 'ERROR' };
  const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  const batch = (make: (i: number) => unknown) => JSON.stringify(Array.from({ length: MAX_BATCH_MESSAGES }, (_, i) => make(i)));
  const old = { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' };
  const current = { ...MCP_HEADERS, 'mcp-protocol-version': '2025-06-18' };
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const cases: Array<[string, string, Record<string, string>]> = [
    [`one list_issues, ${mb(MAX_JSON_BYTES)} MB of ${MAX_JSON_ROWS} rows (2025-06-18)`, JSON.stringify(call(1, 'list_issues', { project_id: 1, per_page: 100 })), current],
    [`batch of ${MAX_BATCH_MESSAGES} list_issues, ${mb(MAX_JSON_BYTES)} MB of ${MAX_JSON_ROWS} rows each`, batch((i) => call(i, 'list_issues', { project_id: 1, per_page: 100 })), old],
    [`batch of ${MAX_BATCH_MESSAGES} list_issues, ${mb(MAX_JSON_BYTES)} MB of 20 KB rows each`, batch((i) => call(i, 'list_issues', { project_id: 2, per_page: 100 })), old],
    [`batch of ${MAX_BATCH_MESSAGES} get_file_contents, ${mb(MAX_JSON_BYTES)} MB raw files (${MAX_TEXT_BYTES / 1024} KB read of each)`, batch((i) => call(i, 'get_file_contents', { project_id: 1, file_path: 'big.txt' })), old],
    [`batch of ${MAX_BATCH_MESSAGES} get_job_log, a ${mb(64 * MAX_TEXT_BYTES)} MB log each`, batch((i) => call(i, 'get_job_log', { project_id: 1, job_id: 1, tail_chars: 60_000 })), old],
    [`batch of ${MAX_BATCH_MESSAGES} list_issues, ${mb(MAX_JSON_BYTES)} MB of tiny rows (refused: over ${MAX_JSON_ROWS} rows)`, batch((i) => call(i, 'list_issues', { project_id: 3, per_page: 100 })), old],
    ['batch of 100 list_issues (refused: over the batch cap)', JSON.stringify(Array.from({ length: 100 }, (_, i) => call(i, 'list_issues', { project_id: 1 }))), old],
    ['batch of 2 under 2025-06-18 (refused: no batches)', JSON.stringify([call(1, 'list_issues', { project_id: 1 }), call(2, 'list_issues', { project_id: 1 })]), current],
  ];
  let worst = 0;
  try {
    for (const [label, body, headers] of cases) {
      const r = await peakRss(body, headers, env);
      worst = Math.max(worst, r.peakMb);
      line(label, `peak ${fmt(r.peakMb)} MB  (${fmt(r.beforeMb)} MB before it; HTTP ${r.status}${r.refused ? ', tool errors' : ''}, ${r.bytes} bytes answered)`);
    }
  } finally {
    await api.close();
  }
  line('worst single request, peak RSS', `${fmt(worst)} MB  (${worst < RSS_LIMIT_MB ? 'under' : 'OVER'} ${RSS_LIMIT_MB} MB, half of lambdaPerServer's 256 MB)`);
}

/** Warm GitLab tools/call through the runtime's and the naive handler, against a bare handler making the same fetch. */
async function warmToolCall(
  ours: LambdaHandler, naive: LambdaHandler, apiUrl: string, token: string, line: (label: string, value: string) => void,
): Promise<void> {
  const bareHandler = bareGitLabHandler(apiUrl, token);
  const [o, n, b] = await warmAll([ours, naive, bareHandler], CALL, ITERATIONS);
  const label = 'tools/call get_project (fake GitLab)';
  line(`${label}: runtime`, `p50 ${fmt(quantile(o, 0.5), 3)}  p99 ${fmt(quantile(o, 0.99), 3)}`);
  line(`${label}: naive`, `p50 ${fmt(quantile(n, 0.5), 3)}  p99 ${fmt(quantile(n, 0.99), 3)}`);
  line(`${label}: bare handler, same fetch`, `p50 ${fmt(quantile(b, 0.5), 3)}  p99 ${fmt(quantile(b, 0.99), 3)}`);
  line(`${label}: runtime p50 - bare p50`, `${fmt(quantile(o, 0.5) - quantile(b, 0.5), 3)} ms`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--rss-only')) {
    process.stdout.write('## peak RSS, Lambda handler in a fresh process, one request each (VmHWM)\n');
    return peakRssFigures((label, value) => process.stdout.write(`${label.padEnd(58)} ${value}\n`));
  }
  await bundleNaive();
  const gitlab = await startFakeGitLabProcess();
  const env = { SERVER_NAME: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: 'glpat-bench', LOG_LEVEL: 'WARN' };
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(58)} ${value}\n`);
  if (process.argv.includes('--call-only')) {
    process.stdout.write(`## warm tools/call, Lambda handler in process, ${ITERATIONS} calls each, handlers taking turns (ms)\n`);
    Object.assign(process.env, env);
    try {
      return await warmToolCall(handlerOf(OURS_LAMBDA), handlerOf(NAIVE), gitlab.url, env.GITLAB_TOKEN, line);
    } finally {
      gitlab.stop();
    }
  }
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

    process.stdout.write(`\n## warm latency, Lambda handler in process, ${ITERATIONS} calls each, handlers taking turns (ms)\n`);
    Object.assign(process.env, env);
    const oursHandler = handlerOf(OURS_LAMBDA);
    const naiveHandler = handlerOf(NAIVE);
    for (const [label, body] of [['ping', PING], ['tools/list', LIST]] as const) {
      const [o, n] = await warmAll([oursHandler, naiveHandler], body, ITERATIONS);
      line(`${label}: runtime`, `p50 ${fmt(quantile(o, 0.5), 3)}  p99 ${fmt(quantile(o, 0.99), 3)}`);
      line(`${label}: naive`, `p50 ${fmt(quantile(n, 0.5), 3)}  p99 ${fmt(quantile(n, 0.99), 3)}`);
      line(`${label}: runtime p50 / naive p50`, fmt(quantile(o, 0.5) / quantile(n, 0.5), 3));
    }
    await warmToolCall(oursHandler, naiveHandler, gitlab.url, env.GITLAB_TOKEN, line);

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

    process.stdout.write('\n## peak RSS, Lambda handler in a fresh process, one request each (VmHWM)\n');
    await peakRssFigures(line);

  } finally {
    gitlab.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
