/**
 * The GitHub Actions blueprint (examples/github/deploy-mcp-fleet.yml): the committed file is the
 * generator's output, its permissions and credentials are OpenID Connect only, its actions are
 * pinned, and its shell steps work: they run here under bash against fakes on 127.0.0.1 and
 * against the outputs of a synthesized fleet.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { ACTIONS, deployWorkflow, renderDeployWorkflow, WORKFLOW_PATH } from '../../../projenrc/deploy-workflow';
import { FleetAuth } from '../../../src/auth/fleet-auth';
import { GitHubDeployRole } from '../../../src/cicd/github-deploy-role';
import { FleetCompute } from '../../../src/compute/fleet-compute';
import { McpServerFleet } from '../../../src/fleet';
import { startChildServer } from '../../helpers/child-server';
import { certificate, ISSUER } from '../compute/fargate/helpers';
import { newStack, twoServers } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..');
const committed = readFileSync(join(ROOT, WORKFLOW_PATH), 'utf8');
const workflow = parse(committed) as Workflow;

interface Step { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> }
interface Job {
  needs?: string[];
  permissions?: Record<string, string>;
  environment?: string;
  env?: Record<string, unknown>;
  steps: Step[];
  if?: string;
}
interface Workflow { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> }

const steps = (w: Workflow) => Object.entries(w.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
const stepNamed = (job: string, name: RegExp): Step => {
  const found = workflow.jobs[job].steps.find((s) => name.test(s.name ?? ''));
  if (!found) throw new Error(`job ${job} has no step named ${name}`);
  return found;
};

/** Every string anywhere in a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** Long-lived AWS credentials anywhere in a workflow (the inputs, the variables, the secrets). */
function longLivedKeys(w: unknown): string[] {
  return strings(w).filter((s) => /aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS_/i.test(s));
}

/** Steps whose action is not pinned to a commit (40 hex digits) or a release (vX.Y.Z). */
function unpinned(w: Workflow): string[] {
  return steps(w).map(({ step }) => step.uses).filter((u): u is string => !!u)
    .filter((u) => !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/.test(u));
}

describe('the workflow blueprint file', () => {
  test('is exactly what the generator writes (`npx projen workflow`), so it cannot drift from the code', () => {
    expect(committed).toBe(renderDeployWorkflow());
    expect(workflow).toEqual(deployWorkflow());
  });

  test('runs on pushes to main and by hand', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: {} });
  });

  test('asks GitHub for an OpenID Connect token (id-token: write) in the deploy job only; the rest read the code at most', () => {
    expect(workflow.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions).toBeDefined();
      if (name === 'deploy') expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
      else expect(job.permissions!['id-token']).toBeUndefined();
    }
  });

  test('holds no long-lived AWS keys: no access key inputs, variables or AWS_ secrets', () => {
    expect(longLivedKeys(workflow)).toEqual([]);
    // The check finds them where a copy of the workflow would put them.
    const withKeys = deployWorkflow() as any;
    withKeys.jobs.deploy.steps[3].with['aws-access-key-id'] = '${{ secrets.AWS_ACCESS_KEY_ID }}';
    expect(longLivedKeys(withKeys)).toEqual(['aws-access-key-id', '${{ secrets.AWS_ACCESS_KEY_ID }}']);
  });

  test('pins every third-party action to a release\'s commit, with the release beside it', () => {
    expect(unpinned(workflow)).toEqual([]);
    const used = steps(workflow).map(({ step }) => step.uses).filter(Boolean);
    expect(used.length).toBeGreaterThanOrEqual(7);
    for (const action of Object.values(ACTIONS)) {
      expect(committed).toContain(`uses: ${action.repository}@${action.sha} # ${action.version}\n`);
    }
    expect(unpinned({ ...workflow, jobs: { x: { steps: [{ uses: 'aquasecurity/trivy-action@master' }, { uses: 'actions/checkout@v4' }] } } }))
      .toEqual(['aquasecurity/trivy-action@master', 'actions/checkout@v4']);
  });

  test('tests, then builds the runtime image and scans it (CRITICAL fails the job) before deploying', () => {
    expect(stepNamed('test', /tests/).run).toBe('npm test');
    expect(stepNamed('image', /Build/).run).toMatch(/^docker build --tag mcp-server-fleet:\$\{\{ github.sha \}\} node_modules\/mcp-server-fleet\/assets\/server$/);
    const scan = stepNamed('image', /Scan/);
    expect(scan.uses).toBe(`${ACTIONS.trivy.repository}@${ACTIONS.trivy.sha}`);
    expect(scan.with).toMatchObject({ 'image-ref': 'mcp-server-fleet:${{ github.sha }}', 'severity': 'CRITICAL', 'exit-code': '1' });
    expect(workflow.jobs.deploy.needs).toEqual(['test', 'image']);
  });

  test('deploys in a GitHub environment, with role-to-assume (OpenID Connect) and cdk deploy without prompts', () => {
    const deploy = workflow.jobs.deploy;
    expect(deploy.environment).toBe('production');
    const credentials = deploy.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(credentials.with).toEqual({
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_REGION }}',
      'role-session-name': 'deploy-mcp-fleet-${{ github.run_id }}',
      'role-duration-seconds': 3600,
    });
    const cdk = deploy.steps.find((s) => /cdk deploy/.test(s.run ?? ''))!;
    expect(cdk.run).toMatch(/^npx cdk deploy --all --require-approval never --outputs-file cdk-outputs.json$/);
    expect(deploy.steps.indexOf(credentials)).toBeLessThan(deploy.steps.indexOf(cdk));
  });

  test('verifies after the deployment (health and an MCP initialize POST with the token secret), and reports always', () => {
    const verify = workflow.jobs.verify;
    expect(verify.needs).toEqual(['deploy']);
    expect(verify.env).toMatchObject({ MCP_ENDPOINT: '${{ needs.deploy.outputs.endpoint }}', MCP_TOKEN: '${{ secrets.MCP_VERIFY_TOKEN }}' });
    const initialize = stepNamed('verify', /initialize/).run!;
    expect(initialize).toContain('-X POST "$MCP_ENDPOINT"');
    expect(initialize).toContain('"method":"initialize"');
    expect(workflow.jobs.report).toMatchObject({ if: 'always()', needs: ['test', 'image', 'deploy', 'verify'] });
  });
});

// ---- The shell steps, run -------------------------------------------------------------------

interface Run { code: number; stdout: string; stderr: string }

/** Runs a step's script with bash (as GitHub's `run` does: `bash -e`, here with the script's own `set -euo pipefail`). */
function bash(script: string, env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-workflow-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A fake fleet on 127.0.0.1; every request it saw is recorded. */
async function fakeFleet(handler: Handler): Promise<{ url: string; server: Server; seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> }> {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}
const close = (server: Server) => new Promise((r) => server.close(r));

const INIT_RESULT = { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcp-fleet-gitlab', version: '1.0.0' } } };

/** A fleet like the runtime: health, and initialize behind a bearer token, answered as JSON or as an event stream. */
function mcpHandler(options: { token?: string; health?: number; stream?: boolean; reply?: unknown } = {}): Handler {
  return (req, _body, res) => {
    if (req.method === 'GET' && req.url === '/gitlab/health') {
      const status = options.health ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: status === 200 ? 'ok' : 'degraded' }));
      return;
    }
    if (req.method === 'POST' && req.url === '/gitlab/mcp') {
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
        return;
      }
      const accept = req.headers.accept ?? '';
      if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
        res.writeHead(406).end();
        return;
      }
      const reply = JSON.stringify(options.reply ?? INIT_RESULT);
      if (options.stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`event: message\ndata: ${reply}\n\n`);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
      return;
    }
    res.writeHead(404).end();
  };
}

const verifyEnv = (url: string, token = 'sekret'): Record<string, string> => ({
  MCP_ENDPOINT: `${url}/gitlab/mcp`, MCP_TOKEN: token, VERIFY_ATTEMPTS: '2', VERIFY_DELAY_SECONDS: '0', RUNNER_TEMP: dir,
});

describe('the verify job, run against a fake fleet on 127.0.0.1', () => {
  const health = () => stepNamed('verify', /health/).run!;
  const initialize = () => stepNamed('verify', /initialize/).run!;

  test('the health check passes on 200 {"status":"ok"} at <server>/health, and fails on 503 after its attempts', async () => {
    const good = await fakeFleet(mcpHandler());
    const bad = await fakeFleet(mcpHandler({ health: 503 }));
    try {
      const ok = await bash(health(), verifyEnv(good.url), dir);
      expect(ok).toMatchObject({ code: 0 });
      expect(good.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /gitlab/health']);
      const failed = await bash(health(), verifyEnv(bad.url), dir);
      expect(failed.code).not.toBe(0);
      expect(failed.stdout).toContain('was not healthy after 2 attempts');
      expect(bad.seen).toHaveLength(2);
    } finally {
      await Promise.all([close(good.server), close(bad.server)]);
    }
  });

  test('the health check fails when nothing listens', async () => {
    const closed = await fakeFleet(mcpHandler());
    await close(closed.server);
    const failed = await bash(health(), verifyEnv(closed.url), dir);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain('answered HTTP 000');
  });

  test.each([['JSON', false], ['an event stream', true]])('initialize passes with the token and a result answered as %s', async (_kind, stream) => {
    const fleet = await fakeFleet(mcpHandler({ token: 'sekret', stream }));
    try {
      const run = await bash(initialize(), verifyEnv(fleet.url), dir);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toContain('"name":"mcp-fleet-gitlab"');
      expect(fleet.seen).toHaveLength(1);
      const [request] = fleet.seen;
      expect(request).toMatchObject({ method: 'POST', url: '/gitlab/mcp' });
      expect(request.headers.authorization).toBe('Bearer sekret');
      expect(JSON.parse(request.body)).toMatchObject({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: expect.any(String) } });
    } finally {
      await close(fleet.server);
    }
  });

  test('initialize fails on a wrong token (401), a JSON-RPC error, and a result without serverInfo', async () => {
    const fleets = await Promise.all([
      fakeFleet(mcpHandler({ token: 'other' })),
      fakeFleet(mcpHandler({ reply: { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } } })),
      fakeFleet(mcpHandler({ reply: { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18' } } })),
    ]);
    try {
      // One after another: each run writes its answer to the same working directory.
      const unauthorized = await bash(initialize(), verifyEnv(fleets[0].url), dir);
      const error = await bash(initialize(), verifyEnv(fleets[1].url), dir);
      const partial = await bash(initialize(), verifyEnv(fleets[2].url), dir);
      expect(unauthorized.code).not.toBe(0);
      expect(unauthorized.stdout).toContain('initialize answered HTTP 401');
      expect(error.code).not.toBe(0);
      expect(error.stdout).toContain('initialize returned no result');
      expect(partial.code).not.toBe(0);
    } finally {
      await Promise.all(fleets.map((f) => close(f.server)));
    }
  });

  test('without a token (a fleet without authentication) initialize sends no Authorization header', async () => {
    const fleet = await fakeFleet(mcpHandler());
    try {
      expect(await bash(initialize(), verifyEnv(fleet.url, ''), dir)).toMatchObject({ code: 0 });
      expect(fleet.seen[0].headers.authorization).toBeUndefined();
    } finally {
      await close(fleet.server);
    }
  });
});

describe('the verify job, run against the bundled runtime (mcp-fleet serve on 127.0.0.1)', () => {
  test('health and initialize pass against the real server; a bearer token it cannot verify fails initialize', async () => {
    // The issuer's key set, served on 127.0.0.1: one key that signed no token of the test.
    const jwks = await fakeFleet((_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', use: 'sig', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] })));
    const open = await startChildServer({ MCP_SERVERS: 'gitlab' });
    const oauth = await startChildServer({
      MCP_SERVERS: 'gitlab', AUTH_MODE: 'oauth', AUTH_ISSUER: 'https://login.example.com/oauth2/default', AUTH_JWKS_URL: `${jwks.url}/keys`,
    });
    try {
      expect(await bash(stepNamed('verify', /health/).run!, verifyEnv(open.url, ''), dir)).toMatchObject({ code: 0 });
      const initialized = await bash(stepNamed('verify', /initialize/).run!, verifyEnv(open.url, ''), dir);
      expect(initialized).toMatchObject({ code: 0 });
      expect(initialized.stdout).toMatch(/Initialized: \{"name":"gitlab-mcp-server"/);
      const refused = await bash(stepNamed('verify', /initialize/).run!, verifyEnv(oauth.url, 'not-a-jwt'), dir);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toContain('initialize answered HTTP 401');
    } finally {
      await Promise.all([open.stop(), oauth.stop(), close(jwks.server)]);
    }
  });
});

describe('the deploy job\'s steps, run against the outputs of synthesized stacks', () => {
  /** A CloudFormation value as deployed: joins joined, each reference a name of its own. */
  function deployed(value: unknown): string {
    if (typeof value === 'string') return value;
    const v = value as Record<string, any>;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(deployed).join(v['Fn::Join'][0]);
    if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (v.Ref) return v.Ref.replace(/^AWS::/, '').toLowerCase();
    return JSON.stringify(value);
  }

  /** `cdk deploy --outputs-file` of a stack: its outputs by logical id. */
  function outputsFile(stack: Stack): Record<string, Record<string, string>> {
    const outputs = Template.fromStack(stack).findOutputs('*');
    return { [stack.stackName]: Object.fromEntries(Object.entries(outputs).map(([id, o]) => [id, deployed(o.Value)])) };
  }
  const readEndpoint = () => stepNamed('deploy', /endpoint/).run!;
  const endpointOf = (output: string) => readFileSync(output, 'utf8').trim();

  function fleetStack(servers = twoServers()): { stack: Stack; outputs: Record<string, Record<string, string>> } {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers, compute: FleetCompute.lambdaPerServer() });
    return { stack, outputs: outputsFile(stack) };
  }

  test.each([['gitlab'], ['gl-internal']])('MCP_SERVER=%s picks that server\'s endpoint output (not the other\'s)', async (server) => {
    const { outputs } = fleetStack();
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    const run = await bash(readEndpoint(), { MCP_SERVER: server, GITHUB_OUTPUT: join(dir, 'out') }, dir);
    expect(run).toMatchObject({ code: 0 });
    const endpoint = endpointOf(join(dir, 'out'));
    expect(endpoint).toMatch(new RegExp(`^endpoint=https://\\w+\\.execute-api\\.us-east-1\\.amazonaws\\.com/[^/]+/${server}/mcp$`));
  });

  test('without MCP_SERVER, a fleet of one server needs no setting (the API\'s own endpoint output is not a server\'s)', async () => {
    const { outputs } = fleetStack(twoServers().slice(0, 1));
    expect(Object.keys(Object.values(outputs)[0]).filter((id) => id.includes('ApiEndpoint')).length).toBeGreaterThan(1);
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    const run = await bash(readEndpoint(), { GITHUB_OUTPUT: join(dir, 'out') }, dir);
    expect(run).toMatchObject({ code: 0 });
    expect(endpointOf(join(dir, 'out'))).toMatch(/\/gitlab\/mcp$/);
  });

  test('without MCP_SERVER, two servers are ambiguous and the step fails; MCP_ENDPOINT_URL overrides the outputs', async () => {
    const { outputs } = fleetStack();
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    const ambiguous = await bash(readEndpoint(), { GITHUB_OUTPUT: join(dir, 'out') }, dir);
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.stdout).toContain('2 stack outputs match ApiEndpoint');
    const custom = await bash(readEndpoint(), { MCP_ENDPOINT_URL: 'https://mcp.example.com/gitlab/mcp', GITHUB_OUTPUT: join(dir, 'out2') }, dir);
    expect(custom).toMatchObject({ code: 0 });
    expect(endpointOf(join(dir, 'out2'))).toBe('endpoint=https://mcp.example.com/gitlab/mcp');
  });

  test('the rollout report describes each service of GitHubDeployRole\'s DeployedServiceArns output, in its cluster', async () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      auth: FleetAuth.oauth({ issuer: ISSUER }),
      compute: FleetCompute.fargatePerServer({ certificate: certificate(stack) }),
    });
    new GitHubDeployRole(stack, 'Deploy', { repository: 'my-org/mcp-servers', environments: ['production'], fleets: [fleet] });
    const outputs = outputsFile(stack);
    const id = Object.keys(outputs[stack.stackName]).find((o) => o.includes('DeployedServiceArns'))!;
    const arns = ['arn:aws:ecs:us-east-1:123456789012:service/mcp-cluster/gitlab-svc', 'arn:aws:ecs:us-east-1:123456789012:service/mcp-cluster/internal-svc'];
    outputs[stack.stackName][id] = arns.join(',');
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    // A fake `aws` that records its arguments and answers as `--output text` would.
    writeFileSync(join(dir, 'aws'), '#!/bin/bash\necho "$*" >> "$(dirname "$0")/aws-calls"\nname="${6##*/}"\necho "$name 2 2 COMPLETED"\n');
    chmodSync(join(dir, 'aws'), 0o755);
    const summary = join(dir, 'summary.md');
    const run = await bash(stepNamed('deploy', /rollout/).run!, { PATH: `${dir}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: summary }, dir);
    expect(run).toMatchObject({ code: 0 });
    const calls = readFileSync(join(dir, 'aws-calls'), 'utf8').trim().split('\n');
    expect(calls.map((c) => c.split(' ').slice(0, 6).join(' '))).toEqual(arns.map((arn) => `ecs describe-services --cluster mcp-cluster --services ${arn}`));
    expect(readFileSync(summary, 'utf8')).toContain('| gitlab-svc | 2 | 2 | COMPLETED |');
  });

  test('the rollout report skips a deployment without Fargate services', async () => {
    const { outputs } = fleetStack();
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify(outputs));
    const run = await bash(stepNamed('deploy', /rollout/).run!, { GITHUB_STEP_SUMMARY: join(dir, 'summary.md') }, dir);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('No Fargate services to report');
  });
});

describe('the report job', () => {
  const report = () => workflow.jobs.report.steps[0].run!;
  const env = (verify: string) => ({
    TEST_RESULT: 'success',
    IMAGE_RESULT: 'success',
    DEPLOY_RESULT: 'success',
    VERIFY_RESULT: verify,
    MCP_ENDPOINT: 'https://mcp.example.com/gitlab/mcp',
    GITHUB_SHA: 'abc123',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  });

  test('writes every job\'s result to the job summary and passes when all succeeded', async () => {
    expect(await bash(report(), env('success'), dir)).toMatchObject({ code: 0 });
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('| Verify | success |');
    expect(summary).toContain('Endpoint: https://mcp.example.com/gitlab/mcp · commit abc123');
  });

  test('fails the run when a job did not succeed', async () => {
    const run = await bash(report(), env('failure'), dir);
    expect(run.code).not.toBe(0);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| Verify | failure |');
  });
});
