/**
 * HTTP benchmark of the node server: prints figures, asserts nothing. `npx projen bench:http`
 * (it bundles first).
 *
 * Three servers, each in its own node process, answer the same MCP requests:
 *   bare    a node http server that reads the body and answers fixed bytes (the same bytes this
 *           server answers): the ceiling of node's http stack on this machine
 *   naive   the SDK's documented stateless pattern with the same GitLab tools (benchmarks/naive.ts:
 *           a new McpServer, every tool registered, a new transport per request), bundled alike
 *   ours    assets/server/index.js, the bundled runtime
 * and the load comes from autocannon in a process of its own (32 connections, keep-alive), so the
 * load generator's cost is not charged to any server. The three take turns in every round (the
 * order rotates) so that a noisy machine moves them together, and each ratio is taken within one
 * round; the medians over the rounds are printed.
 *
 * Options: --rounds N (default 3), --seconds S per measurement (default 5), --connections N (default 32).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { bundleRuntime } from '../runtime/build';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, '.bench');
const NAIVE = join(OUT, 'naive.js');
const OURS = join(ROOT, 'assets', 'server', 'index.js');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 5);
const CONNECTIONS = arg('connections', 32);

const HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
const CASES: Array<{ name: string; body: string }> = [
  { name: 'ping', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) },
  {
    name: 'initialize',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } } }),
  },
  { name: 'tools/list', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) },
];
type Target = 'bare' | 'naive' | 'ours';
const TARGETS: Target[] = ['bare', 'naive', 'ours'];

interface Running { url: string; stop(): void }

function startProcess(args: string[], env: Record<string, string>): Promise<Running> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok({ url: m[1], stop: () => child.kill('SIGKILL') });
    });
    child.on('exit', (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
}

/** A bare node http server answering every POST with the bytes it was given for that body. */
function bareScript(answers: Record<string, string>): string {
  return `const http=require('node:http');const answers=${JSON.stringify(answers)};
  http.createServer((req,res)=>{const chunks=[];req.on('data',(c)=>chunks.push(c));req.on('end',()=>{
    const body=answers[Buffer.concat(chunks).toString()];
    res.writeHead(body===undefined?404:200,{'content-type':'application/json'});res.end(body===undefined?'{}':body);});})
  .listen(0,'127.0.0.1',function(){process.stdout.write('listening on http://127.0.0.1:'+this.address().port+'\\n');});`;
}

/** What `url` answers to `body` (the bytes the bare server must answer too). */
async function answerOf(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: HEADERS, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

interface Figures { rps: number; p50: number; p99: number; errors: number; non2xx: number }

/** autocannon in its own process against `url`. */
function autocannon(url: string, body: string): Promise<Figures> {
  const bin = require.resolve('autocannon/autocannon.js');
  const args = [bin, '-j', '-c', String(CONNECTIONS), '-d', String(SECONDS), '-m', 'POST', '-b', body,
    ...Object.entries(HEADERS).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
      ok({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await bundleRuntime();
  await build({
    entryPoints: [join(ROOT, 'benchmarks', 'naive.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: NAIVE,
    minify: true,
    keepNames: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const env = { LOG_LEVEL: 'silent', MCP_SERVERS: 'gitlab', SERVER_NAME: '' };
  const ours = await startProcess([OURS, 'serve', '--port', '0'], { ...env, PORT: '0' });
  const naive = await startProcess(['-e', `require(${JSON.stringify(NAIVE)}).serve(0)`], { LOG_LEVEL: 'silent', SERVER_NAME: 'gitlab' });
  const urls: Record<Target, string> = { ours: `${ours.url}/gitlab/mcp`, naive: `${naive.url}/gitlab/mcp`, bare: '' };
  const answers: Record<string, string> = {};
  for (const c of CASES) answers[c.body] = await answerOf(urls.ours, c.body);
  const bare = await startProcess(['-e', bareScript(answers)], {});
  urls.bare = `${bare.url}/gitlab/mcp`;
  const results: Record<string, Record<Target, Figures[]>> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CASES) {
        const byTarget = (results[c.name] ??= { bare: [], naive: [], ours: [] });
        // The order rotates each round, so none always runs first (or right after the heaviest).
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]);
        for (const t of order) byTarget[t].push(await autocannon(urls[t], c.body));
      }
      process.stderr.write(`round ${round + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    ours.stop();
    naive.stop();
    bare.stop();
  }
  console.log(`node server, ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds (autocannon in its own process; medians)`);
  console.log('case          bare req/s   naive req/s   ours req/s   ours/bare   ours/naive   ours p50/p99 ms   errors+non2xx (ours)');
  for (const c of CASES) {
    const r = results[c.name];
    const ratio = (a: Target, b: Target) => median(r[a].map((x, i) => x.rps / r[b][i].rps));
    const bad = r.ours.reduce((n, x) => n + x.errors + x.non2xx, 0);
    console.log([
      c.name.padEnd(12),
      median(r.bare.map((x) => x.rps)).toFixed(0).padStart(11),
      median(r.naive.map((x) => x.rps)).toFixed(0).padStart(13),
      median(r.ours.map((x) => x.rps)).toFixed(0).padStart(12),
      `${ratio('ours', 'bare').toFixed(3)}×`.padStart(11),
      `${ratio('ours', 'naive').toFixed(2)}×`.padStart(12),
      `${median(r.ours.map((x) => x.p50))}/${median(r.ours.map((x) => x.p99))}`.padStart(17),
      String(bad).padStart(22),
    ].join(' '));
    for (const t of TARGETS) {
      console.log(`  ${t.padEnd(6)} rounds: ${r[t].map((x) => x.rps.toFixed(0)).join(', ')} req/s`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
