/**
 * Synthesis benchmark: prints figures, asserts nothing.
 * `npx ts-node --project tsconfig.dev.json benchmarks/synth.ts [--sizes 1,10,50,100] [--runs 3] [--mix gitlab|spec]
 *   [--topologies lambdaPerServer,lambdaMultiServer,fargatePerServer,fargateMultiServer] [--no-largest]`
 *
 * For each topology and fleet size N (GitLab servers gl-1..gl-N, GitLab.com, token by complete
 * secret ARN with JSON field `token`, read-only; with `--mix spec` the spec's five kinds in turn),
 * in one warm process:
 *
 *   synth ms        median over runs of: new App (temp outdir) + stack + fleet + app.synth()
 *   stacks          the stack and its nested stacks (a lambdaPerServer fleet of more than `serversPerStack`
 *                   servers is split over nested stacks)
 *   resources       CloudFormation resources of the largest template (limit 500 per stack; the CDK refuses
 *                   to synthesize over it); `all res` the sum over the stacks
 *   outputs         CloudFormation outputs of the template with the most (limit 200); params likewise (limit 200)
 *   template bytes  the largest template file in cdk.out (CloudFormation takes at most 1,000,000 bytes, from
 *                   S3, where the CDK puts every template); `all bytes` the sum
 *   env k+v         the largest function environment's keys and values, in bytes
 *   env JSON        the same as Lambda measures it, and as the construct's check counts it: compact JSON
 *                   `{"KEY":"value",...}` (Lambda's error quotes that "String measured"); the limit is 4096 bytes
 *
 * A size that does not synthesize prints the error instead. When the error is the CDK's resource
 * limit, the row is measured again with the limit check off, to show how far over it is. Last, the
 * largest fleet of each topology that synthesizes, and that Lambda would accept (binary search, one
 * run each).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential } from '../src';
import { ensureRealLambdaBundle } from '../test/helpers/real-bundle';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const SIZES = arg('sizes', '1,10,50,100').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const RUNS = Math.max(1, Number(arg('runs', '3')) || 3);

const CFN_RESOURCE_LIMIT = 500;
const CFN_OUTPUT_LIMIT = 200;
const CFN_PARAMETER_LIMIT = 200;
const CFN_TEMPLATE_BYTES_LIMIT = 1_000_000;
const LAMBDA_ENV_LIMIT = 4096;
const RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/** A compute, made for the stack it goes in (the Fargate ones need a certificate of that stack). */
type ComputeFactory = (stack: Stack) => IFleetCompute;

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);

/** The Fargate topologies authenticate callers in the runtime only: they run with FleetAuth.oauth(). */
const ALL_TOPOLOGIES: Array<{ name: string; compute: ComputeFactory; oauth?: boolean }> = [
  { name: 'lambdaPerServer', compute: () => FleetCompute.lambdaPerServer() },
  { name: 'lambdaMultiServer', compute: () => FleetCompute.lambdaMultiServer() },
  { name: 'fargatePerServer', compute: (stack) => FleetCompute.fargatePerServer({ certificate: certificate(stack) }), oauth: true },
  { name: 'fargateMultiServer', compute: (stack) => FleetCompute.fargateMultiServer({ certificate: certificate(stack) }), oauth: true },
];
const CHOSEN = arg('topologies', ALL_TOPOLOGIES.map((t) => t.name).join(',')).split(',').map((t) => t.trim());
const TOPOLOGIES = ALL_TOPOLOGIES.filter((t) => CHOSEN.includes(t.name));
if (TOPOLOGIES.length !== CHOSEN.length) {
  throw new Error(`--topologies must name some of ${ALL_TOPOLOGIES.map((t) => t.name).join(', ')}, got: ${CHOSEN.join(',')}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/**
 * `--mix gitlab` (default): GitLab servers only. `--mix spec`: the spec's five kinds in turn
 * (gitlab-1, atlassian-2, dynatrace-3, pagerduty-4, servicenow-5, gitlab-6...), each with one JSON
 * secret by complete ARN (Atlassian's and ServiceNow's holding two credentials).
 */
const MIX = arg('mix', 'gitlab');
if (MIX !== 'gitlab' && MIX !== 'spec') throw new Error(`--mix must be gitlab or spec, got: ${MIX}`);

const SPEC_KINDS: Array<(name: string, field: (f: string) => ServerCredential) => McpServer> = [
  (name, field) => McpServer.gitlab({ name, token: field('token') }),
  (name, field) => McpServer.atlassian({ name, url: 'https://your-domain.atlassian.net', email: field('email'), token: field('token') }),
  (name, field) => McpServer.dynatrace({ name, url: 'https://abc12345.live.dynatrace.com', token: field('token') }),
  (name, field) => McpServer.pagerduty({ name, token: field('token') }),
  (name, field) => McpServer.servicenow({ name, instanceUrl: 'https://your-instance.service-now.com', username: field('username'), password: field('password') }),
];

function servers(n: number): McpServer[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = MIX === 'spec' ? i % SPEC_KINDS.length : 0;
    const name = MIX === 'spec' ? `${['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'][kind]}-${i + 1}` : `gl-${i + 1}`;
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/${name}-${MIX === 'spec' ? 'credentials' : 'token'}-AbCdEf`;
    return SPEC_KINDS[kind](name, (field) => ServerCredential.fromSecretCompleteArn(arn, field));
  });
}

interface Figures {
  readonly ms: number;
  /** The stack and its nested stacks. */
  readonly stacks: number;
  /** The largest of the templates, and the sums. */
  readonly resources: number;
  readonly totalResources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly templateBytes: number;
  readonly totalTemplateBytes: number;
  /** Each template: the stack's id (the nested stacks' construct ids), resources, outputs, parameters, bytes. */
  readonly perStack: Array<{ id: string; resources: number; outputs: number; parameters: number; bytes: number }>;
  /** The largest function environment: keys + values, and serialized as JSON. */
  readonly envBytes: number;
  readonly envJsonBytes: number;
  readonly functions: number;
}

/** One synthesis into a fresh temp outdir, timed from `new App` to the written assembly. */
function synthOnce(topology: typeof TOPOLOGIES[number], n: number, context: Record<string, unknown> = {}): Figures {
  const outdir = mkdtempSync(join(tmpdir(), 'fleet-synth-bench-'));
  try {
    const started = performance.now();
    const app = new App({ outdir, context });
    const stack = new Stack(app, 'BenchStack', { env: { account: '123456789012', region: 'us-east-1' } });
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: servers(n),
      compute: topology.compute(stack),
      auth: topology.oauth ? FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }) : undefined,
    });
    const assembly: cxapi.CloudAssembly = app.synth();
    const ms = performance.now() - started;

    // The stack's template, then each nested stack's (an asset file next to it in cdk.out).
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    const files = [artifact.templateFullPath, ...nested.map((s) => join(assembly.directory, s.templateFile))];
    type TemplateJson = { Resources?: Record<string, any>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown> };
    const templates = files.map((file) => ({ json: JSON.parse(readFileSync(file, 'utf8')) as TemplateJson, bytes: statSync(file).size }));
    const resources = templates.flatMap((t) => Object.values(t.json.Resources ?? {}));
    const environments = resources
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => (r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>);
    const envBytes = environments.map((vars) => Object.entries(vars)
      .reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)), 0));
    const envJsonBytes = environments.map((vars) => Buffer.byteLength(JSON.stringify(vars)));
    const most = (count: (t: typeof templates[number]) => number) => Math.max(...templates.map(count));
    return {
      ms,
      stacks: templates.length,
      resources: most((t) => Object.keys(t.json.Resources ?? {}).length),
      totalResources: resources.length,
      outputs: most((t) => Object.keys(t.json.Outputs ?? {}).length),
      parameters: most((t) => Object.keys(t.json.Parameters ?? {}).length),
      templateBytes: most((t) => t.bytes),
      totalTemplateBytes: templates.reduce((sum, t) => sum + t.bytes, 0),
      perStack: templates.map((t, i) => ({
        id: i === 0 ? stack.stackName : nested[i - 1].node.id,
        resources: Object.keys(t.json.Resources ?? {}).length,
        outputs: Object.keys(t.json.Outputs ?? {}).length,
        parameters: Object.keys(t.json.Parameters ?? {}).length,
        bytes: t.bytes,
      })),
      envBytes: Math.max(0, ...envBytes),
      envJsonBytes: Math.max(0, ...envJsonBytes),
      functions: environments.length,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

type Outcome = { ok: true; figures: Figures } | { ok: false; error: string };

function attempt(fn: () => Figures): Outcome {
  try {
    return { ok: true, figures: fn() };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

const COLUMNS: Array<[string, number]> = [
  ['topology', 18], ['N', 4], ['synth ms', 10], ['stacks', 6], ['functions', 9], ['resources', 9], ['<= 500', 6],
  ['all res', 7], ['outputs', 8], ['params', 6], ['template bytes', 14], ['<= 1 MB', 7], ['all bytes', 9],
  ['env k+v', 7], ['env JSON', 8], ['<= 4096', 7],
];
const row = (cells: string[]) => process.stdout.write(`${cells.map((c, i) => c.padEnd(COLUMNS[i][1])).join(' ').trimEnd()}\n`);
const within = (value: number, limit: number) => (value <= limit ? 'yes' : 'NO');

function figuresRow(topology: string, n: number, f: Figures, ms: string): void {
  row([
    topology, String(n), ms, String(f.stacks), String(f.functions), String(f.resources), within(f.resources, CFN_RESOURCE_LIMIT),
    String(f.totalResources), `${f.outputs}${f.outputs > CFN_OUTPUT_LIMIT ? ' (!)' : ''}`,
    `${f.parameters}${f.parameters > CFN_PARAMETER_LIMIT ? ' (!)' : ''}`, String(f.templateBytes),
    within(f.templateBytes, CFN_TEMPLATE_BYTES_LIMIT), String(f.totalTemplateBytes),
    String(f.envBytes), String(f.envJsonBytes), within(f.envJsonBytes, LAMBDA_ENV_LIMIT),
  ]);
}

/** Long messages (the multi-server one lists every server) keep their start and their end. */
const shorten = (message: string, max: number) =>
  (message.length > max ? `${message.slice(0, max / 2)} [...] ${message.slice(-max / 2)}` : message);

/**
 * The largest N in [1, max] that synthesizes and passes `accept` (assumes both fail from some N on);
 * with the reason N + 1 does not.
 */
function largest(topology: typeof TOPOLOGIES[number], max: number, accept: (f: Figures) => string | undefined = () => undefined):
{ n: number; figures?: Figures; reason?: string } {
  let lo = 0;
  let hi = max + 1;
  let best: Figures | undefined;
  let reason: string | undefined;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const outcome = attempt(() => synthOnce(topology, mid));
    const refusal = outcome.ok ? accept(outcome.figures) : outcome.error;
    if (refusal === undefined && outcome.ok) {
      lo = mid;
      best = outcome.figures;
    } else {
      hi = mid;
      reason = refusal;
    }
  }
  return { n: lo, figures: best, reason };
}

function printLargest(label: string, result: ReturnType<typeof largest>): void {
  const f = result.figures;
  const detail = f
    ? `${f.stacks} stack(s), at most ${f.resources} resources, ${f.outputs} outputs, ${f.templateBytes} template bytes per stack, `
      + `env ${f.envBytes} k+v / ${f.envJsonBytes} JSON bytes`
    : 'none';
  process.stdout.write(`${label.padEnd(46)} ${String(result.n).padEnd(4)} ${detail}\n`);
  if (result.reason) process.stdout.write(`${''.padEnd(46)} at ${result.n + 1}: ${shorten(result.reason, 240)}\n`);
}

async function main(): Promise<void> {
  await ensureRealLambdaBundle();
  process.stdout.write(`# mcp-server-fleet synthesis benchmark (node ${process.version}, ${new Date().toISOString()})\n`);
  const fleet = MIX === 'spec'
    ? 'the five kinds in turn (gitlab-1, atlassian-2, ... servicenow-5, gitlab-6...), one JSON secret each by complete ARN'
    : 'GitLab servers gl-1..gl-N, token by complete secret ARN #token';
  process.stdout.write(`# sizes ${SIZES.join(', ')}; median of ${RUNS} runs; ${fleet}\n\n`);
  synthOnce(TOPOLOGIES[0], 1); // warm-up: module loading and JIT, not counted

  row(COLUMNS.map(([name]) => name));
  row(COLUMNS.map(([, width]) => '-'.repeat(width)));
  const errors: string[] = [];
  const split: string[] = [];
  for (const topology of TOPOLOGIES) {
    for (const n of SIZES) {
      const runs: Figures[] = [];
      let error: string | undefined;
      for (let i = 0; i < RUNS && error === undefined; i++) {
        const outcome = attempt(() => synthOnce(topology, n));
        if (outcome.ok) runs.push(outcome.figures);
        else error = outcome.error;
      }
      if (error === undefined) {
        figuresRow(topology.name, n, runs[0], fmt(median(runs.map((r) => r.ms))));
        if (runs[0].stacks > 1) {
          split.push(`${topology.name} ${n}: ${runs[0].perStack
            .map((t) => `${t.id} ${t.resources} res / ${t.outputs} out / ${t.parameters} par / ${t.bytes} B`).join('; ')}`);
        }
        continue;
      }
      const note = `[${errors.length + 1}]`;
      errors.push(error);
      if (/greater than allowed maximum/.test(error)) {
        // How far over: the same fleet with the CDK's resource limit check off.
        const over = attempt(() => synthOnce(topology, n, { [RESOURCE_LIMIT_CONTEXT]: 0 }));
        if (over.ok) {
          figuresRow(topology.name, n, over.figures, `FAILS ${note}`);
          continue;
        }
      }
      row([topology.name, String(n), `FAILS ${note}`, ...COLUMNS.slice(3).map(() => '-')]);
    }
  }
  if (split.length > 0) {
    process.stdout.write('\nper stack of the fleets split over nested stacks (resources / outputs / parameters / template bytes):\n');
    split.forEach((line) => process.stdout.write(`${line}\n`));
  }
  if (errors.length > 0) {
    process.stdout.write('\nsynthesis errors (rows marked FAILS show the fleet measured with the resource limit check off, where it applies):\n');
    errors.forEach((e, i) => process.stdout.write(`[${i + 1}] ${shorten(e, 480)}\n`));
  }

  if (process.argv.includes('--no-largest')) return;
  const max = Math.max(100, ...SIZES);
  process.stdout.write(`\nlargest fleet (1..${max}, binary search, one run each)\n`);
  const lambdaAccepts = (f: Figures) => (f.envJsonBytes > LAMBDA_ENV_LIMIT
    ? `synthesizes, but Lambda would refuse the environment: ${f.envJsonBytes} bytes as JSON (${f.envBytes} keys + values)`
    : undefined);
  for (const topology of TOPOLOGIES) {
    const synthesizes = largest(topology, max);
    printLargest(`${topology.name}: synthesizes`, synthesizes);
    const accepted = largest(topology, synthesizes.n, lambdaAccepts);
    if (accepted.n !== synthesizes.n) printLargest(`${topology.name}: and Lambda accepts its env`, accepted);
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
