/**
 * End to end without AWS or Docker: synthesize the two Fargate examples
 * (examples/fargate-per-server.ts, examples/fargate-multi-server.ts), then run what ECS would run.
 * Each task definition's container runs its image's command, `node index.js serve`, from the image
 * asset staged in cdk.out, with exactly the container's `Environment` from the template, plus what
 * ECS and the test provide (a region and credentials, here the fake Secrets Manager's endpoint and
 * fake keys, as the Lambda e2e does). No value is resolved by hand: an intrinsic in an environment
 * fails the test.
 *
 * The examples are synthesized with their own context keys pointing at the fakes: every secret by
 * its complete ARN in the fake Secrets Manager (`-c <secret>SecretArn=`), every upstream at its
 * fake (`-c gitlabApiUrl=`, `atlassianUrl`, `dynatraceUrl`, `pagerdutyApiUrl`,
 * `servicenowInstanceUrl`), so those variables run as the template has them. What is swapped:
 * - `AUTH_ISSUER`, to the fake authorization server: `FleetAuth.oauth()` takes https issuers only,
 *   and the fake serves http on 127.0.0.1 (the runtime allows that for loopback);
 * - where the process listens: `--port 0 --host 127.0.0.1` on its command line (which win over
 *   `PORT` and `HOST`; the variables stay the template's 8080 and 0.0.0.0, asserted below). A fixed
 *   8080 would collide between the five per-server tasks, and loopback keeps every process of the
 *   test on 127.0.0.1. The ALB reaches a task on the target group's port; here the ephemeral one.
 *
 * Requests go where the ALB would send them: the listener rule whose path patterns match (lowest
 * priority first), its target group, the service registered with that group, that service's task.
 * They carry what the ALB adds: `Host` (the example's domain, `mcp.example.com`) and
 * `X-Forwarded-Proto: https`, so the tokens' audience and the RFC 9728 metadata URLs are the
 * public ones. Each server: the target group's health check path answers 200, tools/list, and a
 * read tool whose REST call its fake records with the server's credential; without a token, 401
 * naming the metadata URL, which the ALB routes to the same server.
 *
 * On Node.js 22 too when `MCP_NODE22` gives the path of a Node.js 22 binary (the image's base).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { E2E_SERVERS, SECRET_VALUES, type E2eServer, type Fake, type Kind, startFakes } from './servers';
import { buildApp as buildMultiServer } from '../../examples/fargate-multi-server';
import { buildApp as buildPerServer } from '../../examples/fargate-per-server';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from '../fakes/fake-authorization-server';
import type { RecordedRequest } from '../fakes/fake-http-api';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager';
import { SERVER_BUNDLE, ensureBundle } from '../helpers/bundle';
import { send, type RawAnswer } from '../helpers/raw-http';

const NODE22 = process.env.MCP_NODE22 || undefined;
const onNode22 = NODE22 ? test : test.skip;
if (!NODE22) process.stderr.write('fargate.e2e: MCP_NODE22 is not set; the Node.js 22 run is skipped\n');

/** The name the examples serve by default: the ALB's clients' Host. */
const DOMAIN = 'mcp.example.com';
/** What the examples are synthesized with; the template's issuer is swapped for the fake's. */
const TEMPLATE_ISSUER = 'https://login.example.com/oauth2/default';
const MCP_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };

/** The spec's five servers (the e2e fleet's second GitLab is not in the examples). */
const SERVERS: readonly E2eServer[] = E2E_SERVERS.filter((s) => s.name !== 'gl-internal');

/** The example's secret context key of each server (`-c <key>SecretArn=`). */
const SECRET_KEYS: Record<Kind, string> = {
  gitlab: 'gitlabToken', atlassian: 'atlassian', dynatrace: 'dynatraceToken', pagerduty: 'pagerdutyToken', servicenow: 'servicenow',
};
/** The example's URL context key of each upstream. */
const URL_KEYS: Record<Kind, string> = {
  gitlab: 'gitlabApiUrl', atlassian: 'atlassianUrl', dynatrace: 'dynatraceUrl', pagerduty: 'pagerdutyApiUrl', servicenow: 'servicenowInstanceUrl',
};

interface Example {
  readonly name: string;
  readonly build: (app: App) => App;
  /** Services (and task definitions) the template must have. */
  readonly services: number;
  readonly priorities: number[];
}

const EXAMPLES: Example[] = [
  { name: 'fargate-per-server', build: buildPerServer, services: 5, priorities: [10, 20, 30, 40, 50] },
  { name: 'fargate-multi-server', build: buildMultiServer, services: 1, priorities: [100, 101, 102, 103, 104] },
];

/** A task definition's one container, as the template has it. */
interface Task {
  readonly logicalId: string;
  readonly name: string;
  readonly environment: Record<string, string>;
  /** The image's tag (the container-image asset's hash). */
  readonly image: string;
}

interface Rule {
  readonly priority: number;
  readonly paths: string[];
  readonly targetGroup: string;
}

interface Synthesized {
  readonly template: Template;
  readonly tasks: Task[];
  readonly rules: Rule[];
  /** Target group logical id -> its health check path, port, and the task definition its service runs. */
  readonly targetGroups: Record<string, { healthCheckPath: string; port: number; taskDefinition: string }>;
  /** Where the image asset is staged (its build context: what the Dockerfile copies). */
  readonly imageDirectory: string;
  readonly imageTag: string;
}

/** ALB path patterns: case-sensitive, `*` any characters, `?` one. */
function pathMatches(pattern: string, path: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(path);
}

/** The task the ALB would forward `path` to, and the target group on the way. */
function route(s: Synthesized, path: string): { rule: Rule; task: Task; targetGroup: Synthesized['targetGroups'][string] } {
  const rule = s.rules.find((r) => r.paths.some((p) => pathMatches(p, path)));
  if (!rule) throw new Error(`No listener rule forwards ${path} (the default action answers 404); rules: ${JSON.stringify(s.rules)}`);
  const targetGroup = s.targetGroups[rule.targetGroup];
  const task = s.tasks.find((t) => t.logicalId === targetGroup.taskDefinition)!;
  return { rule, task, targetGroup };
}

function literalEnvironment(container: { Name: string; Environment?: Array<{ Name: string; Value: unknown }> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name, Value } of container.Environment ?? []) {
    if (typeof Value !== 'string') {
      throw new Error(`Container ${container.Name}: environment variable ${Name} is ${JSON.stringify(Value)}, not a literal string; only CloudFormation can resolve it`);
    }
    out[Name] = Value;
  }
  return out;
}

function readTemplate(template: Template, assembly: cxapi.CloudAssembly, stackName: string): Synthesized {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const tasks: Task[] = ofType('AWS::ECS::TaskDefinition').map(([logicalId, td]) => {
    expect(td.Properties.ContainerDefinitions).toHaveLength(1);
    const [container] = td.Properties.ContainerDefinitions;
    const image = JSON.stringify(container.Image);
    return { logicalId, name: container.Name, environment: literalEnvironment(container), image: image.slice(image.lastIndexOf(':') + 1).replace(/"\}$/, '') };
  });
  const targetGroups: Synthesized['targetGroups'] = {};
  for (const [, service] of ofType('AWS::ECS::Service')) {
    const taskDefinition = service.Properties.TaskDefinition.Ref as string;
    for (const lb of service.Properties.LoadBalancers) {
      const group = resources[lb.TargetGroupArn.Ref].Properties;
      // the service registers the container on the port the group forwards to
      expect(lb.ContainerPort).toBe(group.Port);
      targetGroups[lb.TargetGroupArn.Ref] = { healthCheckPath: group.HealthCheckPath, port: group.Port, taskDefinition };
    }
  }
  const rules: Rule[] = ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => ({
    priority: r.Properties.Priority,
    paths: r.Properties.Conditions.flatMap((c: any) => c.PathPatternConfig?.Values ?? []),
    targetGroup: r.Properties.Actions[0].TargetGroupArn.Ref,
  })).sort((a, b) => a.priority - b.priority);

  // The one container image of the stack: the bundled runtime's folder, staged as Docker's build context.
  const images = assembly.artifacts
    .filter((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact && a.id.startsWith(stackName))
    .flatMap((a) => Object.values(a.contents.dockerImages ?? {}));
  expect(images).toHaveLength(1);
  const [image] = images;
  return {
    template,
    tasks,
    rules,
    targetGroups,
    imageDirectory: join(assembly.directory, image.source.directory!),
    imageTag: Object.values(image.destinations)[0].imageTag,
  };
}

interface RunningTask {
  readonly url: string;
  /** `process.version` of the node the task runs on. */
  readonly nodeVersion: Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/** The image's command, `node index.js serve`, in its build context, with `environment` only. */
async function startTask(directory: string, environment: Record<string, string>, node = process.execPath): Promise<RunningTask> {
  const child = spawn(node, ['index.js', 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`task did not start: ${out}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`task exited (${code}): ${out}`)); });
  });
  const version = new Promise<string>((resolve) => {
    const v = spawn(node, ['-p', 'process.version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    v.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
    v.once('exit', () => resolve(text.trim()));
  });
  return {
    url,
    nodeVersion: version,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON-RPC answer, whether the runtime sent JSON or one SSE event. */
function rpcBody(answer: RawAnswer): any {
  const type = String(answer.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) {
    const data = answer.body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
    return JSON.parse(data);
  }
  return JSON.parse(answer.body);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('Fargate examples end to end: each task definition\'s container runs the server bundle', () => {
  let fakes: Record<Kind, Fake>;
  let sm: FakeSecretsManager;
  let as: FakeAuthorizationServer;
  let arns: Record<string, string>;
  const outdirs: string[] = [];

  beforeAll(async () => {
    await ensureBundle();
    [fakes, sm, as] = await Promise.all([startFakes(), startFakeSecretsManager(), startFakeAuthorizationServer()]);
    arns = Object.fromEntries(SERVERS.map((s) => [s.name, sm.put(`mcp/${s.name}`, JSON.stringify(s.secret))]));
  });
  afterAll(async () => {
    await Promise.all([...Object.values(fakes ?? {}).map((f) => f.close()), sm?.close(), as?.api.close()]);
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The example synthesized with its context keys pointing at the fakes. */
  function synthesize(example: Example): Synthesized {
    const outdir = mkdtempSync(join(tmpdir(), 'fargate-e2e-'));
    outdirs.push(outdir);
    const context: Record<string, string> = { oauthIssuer: TEMPLATE_ISSUER, jiraProjects: 'OPS,PLAT' };
    for (const s of SERVERS) {
      context[`${SECRET_KEYS[s.kind]}SecretArn`] = arns[s.name];
      context[URL_KEYS[s.kind]] = fakes[s.kind].url;
    }
    const app = example.build(new App({ outdir, context }));
    const stack = app.node.children.find((c): c is Stack => c instanceof Stack)!;
    const template = Template.fromStack(stack);
    return readTemplate(template, app.synth(), stack.artifactId);
  }

  /** What the test swaps in a container's environment (see the file's comment), and what ECS provides. */
  const runEnvironment = (task: Task) => ({ ...task.environment, AUTH_ISSUER: as.issuer, ...sm.env() });

  interface Run {
    readonly synthesized: Synthesized;
    readonly tasks: Map<string, RunningTask>;
    readonly ms: number;
  }

  async function run(example: Example, node?: string): Promise<Run> {
    const started = Date.now();
    const synthesized = synthesize(example);
    const entries = await Promise.all(synthesized.tasks
      .map(async (t) => [t.logicalId, await startTask(synthesized.imageDirectory, runEnvironment(t), node)] as const));
    return { synthesized, tasks: new Map(entries), ms: Date.now() - started };
  }

  /** A request as the ALB forwards it: to the task its rule picks, with the client's Host and the scheme it came in on. */
  interface AlbRequest {
    readonly method?: string;
    readonly body?: unknown;
    readonly token?: string;
    readonly headers?: Record<string, string>;
  }

  function viaAlb(r: Run, path: string, opts: AlbRequest = {}): Promise<RawAnswer> {
    const { task } = route(r.synthesized, path);
    return send(`${r.tasks.get(task.logicalId)!.url}${path}`, {
      method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
      headers: {
        ...(opts.body !== undefined ? MCP_HEADERS : {}),
        'host': DOMAIN,
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-port': '443',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
  }

  /** The target group's health check as the ALB sends it: HTTP to the task's address, no forwarded headers. */
  function healthCheck(r: Run, serverName: string): Promise<RawAnswer> {
    const { task, targetGroup } = route(r.synthesized, `/${serverName}/mcp`);
    return send(`${r.tasks.get(task.logicalId)!.url}${targetGroup.healthCheckPath}`);
  }

  const call = (id: number, tool: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } });
  const tokenFor = (name: string) => as.token({ aud: `https://${DOMAIN}/${name}/mcp`, scope: 'mcp:read', sub: `agent-${name}` });
  const callsOf = (s: E2eServer, requests: RecordedRequest[]) => requests.filter((q) => s.authenticated(q) && q.method === s.read.method
    && (typeof s.read.path === 'string' ? q.path === s.read.path : s.read.path.test(q.path)));

  describe.each(EXAMPLES)('$name', (example) => {
    let r: Run;
    beforeAll(async () => {
      r = await run(example);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([...(r?.tasks.values() ?? [])].map((t) => t.stop()));
    });

    test('the template: its services, the one bundled image (staged byte for byte), literal environments listening on 8080', () => {
      const { synthesized } = r;
      expect(synthesized.tasks).toHaveLength(example.services);
      expect(synthesized.rules.map((x) => x.priority)).toEqual(example.priorities);
      for (const task of synthesized.tasks) {
        expect(task.image).toBe(synthesized.imageTag);
        expect(task.environment).toMatchObject({ PORT: '8080', HOST: '0.0.0.0', AUTH_MODE: 'oauth', AUTH_ISSUER: TEMPLATE_ISSUER });
      }
      for (const group of Object.values(synthesized.targetGroups)) expect(group.port).toBe(8080);
      // what the tasks ran is the bundle, and every file of its folder
      const bundleDir = join(SERVER_BUNDLE, '..');
      expect(readdirSync(synthesized.imageDirectory).sort()).toEqual(readdirSync(bundleDir).sort());
      for (const file of readdirSync(bundleDir)) expect(`${file} ${sha256(join(synthesized.imageDirectory, file))}`).toBe(`${file} ${sha256(join(bundleDir, file))}`);
    });

    test('each server\'s variables point at its fake, its credentials are fields of its secret by complete ARN', () => {
      for (const s of SERVERS) {
        const { task } = route(r.synthesized, `/${s.name}/mcp`);
        expect(task.environment).toMatchObject(s.variables(fakes[s.kind].url));
        for (const [variable, field] of Object.entries(s.credentialVariables)) expect(task.environment[variable]).toBe(`${arns[s.name]}#${field}`);
        if (example.services === 5) {
          // its own task, with its own variables only
          expect(task.name).toBe(`${s.name}-mcp-server`);
          expect(task.environment.SERVER_NAME).toBe(s.name);
          const own = Object.keys(s.credentialVariables);
          expect(Object.keys(task.environment).filter((k) => k.endsWith('_SECRET_ARN') && !own.includes(k))).toEqual([]);
        } else {
          expect(task.environment.MCP_SERVERS).toBe(SERVERS.map((x) => x.name).join(','));
        }
      }
    });

    const eachServer = test.each(SERVERS.map((s) => [s.name, s] as const));

    eachServer('%s: the target group\'s health check path answers 200', async (name) => {
      const answer = await healthCheck(r, name);
      expect(answer.status).toBe(200);
      // the server's own health on the multi-server task, the process's on its own task
      const { targetGroup } = route(r.synthesized, `/${name}/mcp`);
      expect(targetGroup.healthCheckPath).toBe(example.services === 5 ? '/health' : `/${name}/health`);
      expect(JSON.parse(answer.body)).toMatchObject({ status: expect.stringMatching(/^(ok|healthy)$/) });
    });

    eachServer('%s: tools/list and its read tool through its listener rule, the REST call on its fake', async (name, s) => {
      const token = await tokenFor(name);
      const before = fakes[s.kind].requests.length;
      // Act
      const list = await viaAlb(r, `/${name}/mcp`, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token });
      const result = await viaAlb(r, `/${name}/mcp`, { body: call(2, s.read.tool, s.read.args), token });
      // Assess
      expect(list.status).toBe(200);
      expect(rpcBody(list).result.tools.map((t: { name: string }) => t.name)).toContain(s.read.tool);
      expect(result.status).toBe(200);
      const answer = rpcBody(result).result;
      expect(answer.isError).toBeFalsy();
      expect(answer.content.map((c: { text: string }) => c.text).join('\n')).toMatch(s.read.shows);
      const calls = callsOf(s, fakes[s.kind].requests.slice(before));
      expect(calls.length).toBeGreaterThanOrEqual(1);
      if (s.read.query) expect(calls[0].queryAll).toMatchObject(s.read.query);
      s.read.check?.(calls[0]);
      // the caller's token stays at the door
      for (const q of fakes[s.kind].requests.slice(before)) expect(JSON.stringify(q)).not.toContain(token);
    });

    eachServer('%s: without a token, 401 naming the public RFC 9728 metadata URL, which routes to the same server', async (name) => {
      const metadataPath = `/.well-known/oauth-protected-resource/${name}/mcp`;
      // Act
      const refused = await viaAlb(r, `/${name}/mcp`, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
      const metadata = await viaAlb(r, metadataPath);
      // Assess: the URL is built on the Host and scheme the ALB forwarded
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe(`Bearer resource_metadata="https://${DOMAIN}${metadataPath}"`);
      expect(route(r.synthesized, metadataPath).task).toBe(route(r.synthesized, `/${name}/mcp`).task);
      expect(metadata.status).toBe(200);
      expect(JSON.parse(metadata.body)).toMatchObject({ resource: `https://${DOMAIN}/${name}/mcp`, authorization_servers: [as.issuer] });
    });

    test('a token for another server of the fleet is refused (its audience is that server\'s endpoint)', async () => {
      const [first, second] = SERVERS;
      const answer = await viaAlb(r, `/${first.name}/mcp`, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token: await tokenFor(second.name) });
      expect(answer.status).toBe(401);
    });

    test('each secret was read from the fake Secrets Manager by the ARN in the template; no credential is logged; in time', async () => {
      // Act: a read tool of every server (each task reads its secrets on its first call)
      for (const s of SERVERS) await viaAlb(r, `/${s.name}/mcp`, { body: call(3, s.read.tool, s.read.args), token: await tokenFor(s.name) });
      // Assess: every secret read by its complete ARN
      const read = new Set(sm.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue').map((c) => c.secretId));
      for (const arn of Object.values(arns)) expect(read).toContain(arn);
      const output = [...r.tasks.values()].map((t) => t.output()).join('\n');
      expect(output).toContain('"level":"INFO"');
      for (const value of SECRET_VALUES) expect(output).not.toContain(value);
      process.stderr.write(`fargate.e2e: ${example.name}: synthesized and ${r.tasks.size} task(s) started in ${r.ms} ms\n`);
      expect(r.ms).toBeLessThan(60_000);
    });

    onNode22('on Node.js 22 (the image\'s node) the tasks answer the same', async () => {
      const on22 = await run(example, NODE22);
      try {
        for (const task of on22.tasks.values()) expect(await task.nodeVersion).toMatch(/^v22\./);
        for (const s of SERVERS) {
          expect((await healthCheck(on22, s.name)).status).toBe(200);
          const before = fakes[s.kind].requests.length;
          const result = await viaAlb(on22, `/${s.name}/mcp`, { body: call(2, s.read.tool, s.read.args), token: await tokenFor(s.name) });
          expect(rpcBody(result).result.isError).toBeFalsy();
          expect(callsOf(s, fakes[s.kind].requests.slice(before)).length).toBeGreaterThanOrEqual(1);
          expect((await viaAlb(on22, `/${s.name}/mcp`, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } })).status).toBe(401);
        }
      } finally {
        await Promise.all([...on22.tasks.values()].map((t) => t.stop()));
      }
    }, 60_000);
  });
});
