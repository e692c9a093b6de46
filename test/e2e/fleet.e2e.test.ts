/**
 * End to end without AWS: synthesize a fleet, then run what CloudFormation would deploy. Each
 * function's code is the asset staged in cdk.out, loaded by the template's handler in a fresh
 * process with exactly the template's environment (plus what Lambda and the test provide: region,
 * fake credentials and the fake Secrets Manager's endpoint), and invoked with the event of the API
 * Gateway route the template gives its path: REST proxy (v1) for one function per server, HTTP API
 * (v2) for the multi-server function. No value is resolved by hand, so any intrinsic in the
 * environment fails the test.
 *
 * The fleet is the spec's five servers (GitLab, Atlassian, Dynatrace, PagerDuty, ServiceNow) plus a
 * second GitLab with writes on, each calling its fake upstream (test/fakes/fake-<kind>.ts) with
 * credentials read from a fake Secrets Manager: one JSON secret per server, Atlassian's and
 * ServiceNow's holding both of their credentials (spec A.4). Every server answers initialize,
 * tools/list and one read tool call whose upstream request is asserted on its fake's records,
 * auth header included; the GitLab pair also writes, and refuses to where writes are off.
 *
 * The functions run on the node running the tests, and again on Node.js 22 (the runtime the template
 * names) when `MCP_NODE22` gives the path of a Node.js 22 binary (`.ci/run` fetches one from the npm
 * registry); without it those tests are skipped and say so.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { CONTRACTS, E2E_SERVERS, KINDS, SECRET_VALUES, type E2eServer, type Fake, type Kind, type ServerName, startFakes } from './servers';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential } from '../../src';
import type { RecordedRequest } from '../fakes/fake-http-api';
import { startFakeSecretsManager, type FakeSecretsManager, type SecretCall } from '../fakes/fake-secrets-manager';
import { LAMBDA_BUNDLE } from '../helpers/bundle';
import { INITIALIZE, httpApiEvent, restEvent } from '../helpers/events';
import { runLambdaInChild } from '../helpers/lambda-child';
import { ensureRealLambdaBundle } from '../helpers/real-bundle';
import { apiRoutes, lambdaFunctions, routeFor, sha256, stagedAssetDirectory, type ApiRoute, type SynthesizedFunction } from '../helpers/template';

/** The IAM principal API Gateway authorized (the fleet's default auth is `FleetAuth.iam()`). */
const CALLER_ARN = 'arn:aws:iam::123456789012:role/platform-agent';

const ENV = { account: '123456789012', region: 'us-east-1' };

/** A Node.js 22 binary to run the staged code with as well, or undefined. */
const NODE22 = process.env.MCP_NODE22 || undefined;
const onNode22 = NODE22 ? test : test.skip;
if (!NODE22) process.stderr.write('fleet.e2e: MCP_NODE22 is not set; the Node.js 22 run is skipped\n');

const SERVERS: readonly ServerName[] = E2E_SERVERS.map((s) => s.name);
const server = (name: ServerName): E2eServer => E2E_SERVERS.find((s) => s.name === name)!;
const GITLABS: readonly ServerName[] = ['gitlab', 'gl-internal'];

interface Topology {
  readonly name: string;
  readonly compute: () => IFleetCompute;
  readonly functions: number;
  readonly api: ApiRoute['api'];
  readonly payloadFormatVersion: string;
  /** Where a client sends initialize; everything else goes to `/<server>/mcp`. */
  readonly initializePath: (server: string) => string;
}

const TOPOLOGIES: Topology[] = [
  {
    name: 'lambdaPerServer',
    compute: () => FleetCompute.lambdaPerServer(),
    functions: E2E_SERVERS.length,
    api: 'rest',
    payloadFormatVersion: '1.0',
    initializePath: (name) => `/${name}`,
  },
  {
    name: 'lambdaMultiServer',
    compute: () => FleetCompute.lambdaMultiServer(),
    functions: 1,
    api: 'http',
    payloadFormatVersion: '2.0',
    initializePath: (name) => `/${name}/mcp`,
  },
];

/** Every server: initialize, tools/list, its read tool; the GitLab pair also the write tool. */
type RequestName = 'initialize' | 'tools/list' | 'read' | 'create_issue_note';

function requestsOf(topology: Topology, name: ServerName): Array<{ name: RequestName; path: string; body: unknown }> {
  const mcp = `/${name}/mcp`;
  const call = (id: number, tool: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } });
  const { read } = server(name);
  const requests: Array<{ name: RequestName; path: string; body: unknown }> = [
    { name: 'initialize', path: topology.initializePath(name), body: INITIALIZE },
    { name: 'tools/list', path: mcp, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } },
    { name: 'read', path: mcp, body: call(3, read.tool, read.args) },
  ];
  if (GITLABS.includes(name)) {
    requests.push({ name: 'create_issue_note', path: mcp, body: call(4, 'create_issue_note', { project_id: 'platform/fleet', issue_iid: 3, body: `Deployed (${name})` }) });
  }
  return requests;
}

interface Answer {
  readonly statusCode: number;
  readonly body: any;
  readonly route: ApiRoute;
}

/** What one topology did, from synthesis to the fakes' records. */
interface TopologyRun {
  readonly functions: SynthesizedFunction[];
  readonly assembly: cxapi.CloudAssembly;
  readonly answers: Record<ServerName, Partial<Record<RequestName, Answer>>>;
  /** What each fake upstream was asked. */
  readonly upstream: Record<Kind, RecordedRequest[]>;
  readonly secretReads: SecretCall[];
  /** Everything the functions printed. */
  readonly output: string;
  /** `process.version` of each function's process. */
  readonly nodeVersions: string[];
}

describe('McpServerFleet end to end: the synthesized template runs the bundled runtime', () => {
  let fakes: Record<Kind, Fake>;
  let sm: FakeSecretsManager;
  let arns: Record<ServerName, string>;
  const outdirs: string[] = [];

  beforeAll(async () => {
    await ensureRealLambdaBundle();
    [fakes, sm] = await Promise.all([startFakes(), startFakeSecretsManager()]);
    // The spec's multi-value secrets: one per server, the fields of each of its credentials (plus,
    // for GitLab, a field the runtime ignores).
    arns = Object.fromEntries(E2E_SERVERS.map((s) => [s.name, sm.put(`mcp/${s.name}`, JSON.stringify(
      s.kind === 'gitlab' ? { ...s.secret, url: fakes.gitlab.url } : s.secret,
    ))])) as Record<ServerName, string>;
  });
  afterAll(async () => {
    await Promise.all([...Object.values(fakes ?? {}).map((f) => f.close()), sm?.close()]);
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  function synthesize(compute: IFleetCompute, servers: (stack: Stack) => McpServer[]): { template: Template; assembly: cxapi.CloudAssembly } {
    const outdir = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
    outdirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'E2eStack', { env: ENV });
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: servers(stack), compute });
    const template = Template.fromStack(stack);
    return { template, assembly: app.synth() };
  }

  const fleetServers = (): McpServer[] => E2E_SERVERS.map((s) => s.server(fakes[s.kind].url, arns[s.name]));

  /** Synthesizes the fleet, sends every server's requests through the route API Gateway would pick, records the fakes. */
  async function deployAndInvoke(topology: Topology, node?: string): Promise<TopologyRun> {
    const { template, assembly } = synthesize(topology.compute(), fleetServers);
    const functions = lambdaFunctions(template);
    const routes = apiRoutes(template);

    const planned = new Map<string, Array<{ server: ServerName; name: RequestName; route: ApiRoute; event: unknown }>>();
    for (const name of SERVERS) {
      for (const request of requestsOf(topology, name)) {
        const route = routeFor(routes, 'POST', request.path);
        if (!route) throw new Error(`No route of the template answers POST ${request.path}; routes: ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        // The fleet's default auth is IAM: API Gateway lets a signed request through with its caller.
        const event = route.api === 'rest'
          ? restEvent({ path: request.path, body: request.body, iamUserArn: CALLER_ARN })
          : httpApiEvent({ path: request.path, routeKey: route.routeKey, body: request.body, iamUserArn: CALLER_ARN });
        const list = planned.get(route.functionLogicalId) ?? [];
        list.push({ server: name, name: request.name, route, event });
        planned.set(route.functionLogicalId, list);
      }
    }

    for (const fake of Object.values(fakes)) fake.requests.length = 0;
    sm.calls.length = 0;
    // One process per function, as Lambda runs them; the functions run side by side.
    const runs = await Promise.all([...planned.entries()].map(async ([logicalId, invocations]) => {
      const fn = functions.find((f) => f.logicalId === logicalId)!;
      const run = await runLambdaInChild({
        codeDirectory: stagedAssetDirectory(assembly, fn.s3Key),
        handler: fn.handler,
        environment: { ...fn.environment, ...sm.env() },
        events: invocations.map((i) => i.event),
        functionName: logicalId,
        memorySize: fn.memorySize,
        timeoutSeconds: fn.timeoutSeconds,
        // Six servers' cold starts and calls in one process, on a busy machine
        deadlineMs: 60_000,
        node,
      });
      return { invocations, run };
    }));

    const answers = Object.fromEntries(SERVERS.map((s) => [s, {}])) as TopologyRun['answers'];
    for (const { invocations, run } of runs) {
      invocations.forEach((invocation, i) => {
        const answer = run.answers[i];
        answers[invocation.server][invocation.name] = {
          statusCode: answer.statusCode,
          body: answer.body ? JSON.parse(answer.body) : undefined,
          route: invocation.route,
        };
      });
    }
    return {
      functions,
      assembly,
      answers,
      upstream: Object.fromEntries(KINDS.map((k) => [k, [...fakes[k].requests]])) as Record<Kind, RecordedRequest[]>,
      secretReads: [...sm.calls],
      output: runs.map((r) => r.run.output).join('\n'),
      nodeVersions: runs.map((r) => r.run.nodeVersion),
    };
  }

  const toolText = (answer: Answer | undefined): string => (answer!.body.result.content as Array<{ text: string }>).map((c) => c.text).join('\n');
  const tools = (answer: Answer | undefined): Array<{ name: string; annotations?: { readOnlyHint?: boolean } }> => answer!.body.result.tools;
  /** The requests a server made: its fake's records that carry its credential. */
  const upstreamOf = (run: TopologyRun, name: ServerName): RecordedRequest[] =>
    run.upstream[server(name).kind].filter((r) => server(name).authenticated(r));

  describe.each(TOPOLOGIES)('FleetCompute.$name()', (topology) => {
    let run: TopologyRun;
    beforeAll(async () => {
      run = await deployAndInvoke(topology);
    });

    const hostOf = (name: ServerName): SynthesizedFunction =>
      run.functions.find((f) => f.logicalId === run.answers[name].initialize!.route.functionLogicalId)!;

    test('its functions run the bundle: handler index.handler, code staged in cdk.out byte for byte', () => {
      const bundle = LAMBDA_BUNDLE;
      expect(run.functions).toHaveLength(topology.functions);
      for (const fn of run.functions) {
        expect(fn.handler).toBe('index.handler');
        expect(fn.runtime).toBe('nodejs22.x');
        const staged = stagedAssetDirectory(run.assembly, fn.s3Key);
        expect(staged.startsWith(run.assembly.directory)).toBe(true);
        expect(sha256(join(staged, 'index.js'))).toBe(sha256(bundle));
        // ...and every other file of the bundle folder, nothing more
        const files = readdirSync(dirname(bundle)).sort();
        expect(readdirSync(staged).sort()).toEqual(files);
        for (const file of files) expect(`${file} ${sha256(join(staged, file))}`).toBe(`${file} ${sha256(join(dirname(bundle), file))}`);
      }
    });

    test('every request takes the route to the function hosting its server, with the event version of that API', () => {
      for (const name of SERVERS) {
        const routes = Object.values(run.answers[name]).map((a) => a!.route);
        // Assess: one function per server, or the same one for all
        expect(new Set(routes.map((r) => r.functionLogicalId)).size).toBe(1);
        for (const route of routes) expect(route).toMatchObject({ api: topology.api, payloadFormatVersion: topology.payloadFormatVersion });
        const env = hostOf(name).environment;
        if (topology.name === 'lambdaPerServer') expect(env.SERVER_NAME).toBe(name);
        else expect(env.MCP_SERVERS.split(',').map((s) => s.split(':')[0])).toContain(name);
      }
      const hosts = new Set(SERVERS.map((s) => hostOf(s).logicalId));
      expect(hosts.size).toBe(topology.functions);
    });

    test('each server is configured with literal values: its fake\'s URL, and each credential a field of its secret by complete ARN', () => {
      for (const s of E2E_SERVERS) {
        const env = hostOf(s.name).environment;
        expect(env).toMatchObject({ ...s.variables(fakes[s.kind].url), ENVIRONMENT: 'production' });
        for (const [variable, field] of Object.entries(s.credentialVariables)) expect(env[variable]).toBe(`${arns[s.name]}#${field}`);
        if (!s.writes) expect(Object.keys(env).filter((k) => k.startsWith(`${s.name.toUpperCase().replace(/-/g, '_')}_ALLOW_WRITES`))).toEqual([]);
      }
      if (topology.name === 'lambdaPerServer') {
        expect(hostOf('gl-internal').environment).toMatchObject({ SERVER_NAME: 'gl-internal', SERVER_KIND: 'gitlab' });
        // a function carries its own server's variables only
        for (const s of E2E_SERVERS) {
          const own = Object.keys(s.credentialVariables);
          expect(Object.keys(hostOf(s.name).environment).filter((k) => k.endsWith('_SECRET_ARN') && !own.includes(k))).toEqual([]);
        }
      } else {
        expect(hostOf('gitlab').environment.MCP_SERVERS).toBe('gitlab,gl-internal:gitlab,atlassian,dynatrace,pagerduty,servicenow');
      }
    });

    test('initialize: each path answers as its own server', () => {
      const version = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
      for (const s of E2E_SERVERS) {
        const answer = run.answers[s.name].initialize!;
        expect(answer.statusCode).toBe(200);
        expect(answer.body.result.serverInfo.name).toBe(`${s.name}-mcp-server`);
        // the bundle reports the package's version
        expect(answer.body.result.serverInfo.version).toBe(version);
        if (s.writes) expect(answer.body.result.instructions ?? '').not.toMatch(/Read-only/);
        else expect(answer.body.result.instructions).toMatch(/Read-only/);
      }
    });

    test('tools/list: each server offers its kind\'s read tools, the write tools only where writes are on', () => {
      for (const s of E2E_SERVERS) {
        const listed = tools(run.answers[s.name]['tools/list']);
        const names = listed.map((t) => t.name);
        const contract = CONTRACTS[s.kind];
        expect(names).toContain(s.read.tool);
        expect([...names].filter((n) => contract.tools.read.includes(n)).sort()).toEqual([...contract.tools.read].sort());
        if (s.writes) {
          expect(names).toEqual(expect.arrayContaining(['create_issue', 'create_issue_note']));
          expect(listed.some((t) => t.annotations?.readOnlyHint === false)).toBe(true);
        } else {
          expect(names.filter((n) => contract.tools.write.includes(n))).toEqual([]);
          expect(listed.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
        }
      }
    });

    test.each(E2E_SERVERS.map((s) => [s.name, s.read.tool] as const))('tools/call on %s (%s): its upstream request, with the credential from its secret', (name) => {
      const { read } = server(name);
      // Assess: the answer
      const answer = run.answers[name].read!;
      expect(answer.statusCode).toBe(200);
      expect(answer.body.result.isError).toBeFalsy();
      expect(toolText(answer)).toMatch(read.shows);
      // ...and what the upstream saw, with this server's credential
      const matches = (r: RecordedRequest) => r.method === read.method && (typeof read.path === 'string' ? r.path === read.path : read.path.test(r.path));
      const calls = upstreamOf(run, name).filter(matches);
      expect(calls.length).toBeGreaterThanOrEqual(1);
      if (read.query) expect(calls[0].queryAll).toMatchObject(read.query);
      read.check?.(calls[0]);
    });

    test('every upstream request carries a credential of the fleet, exactly as its upstream expects it', () => {
      for (const kind of KINDS) {
        const owners = E2E_SERVERS.filter((s) => s.kind === kind);
        expect(run.upstream[kind].length).toBeGreaterThan(0);
        for (const request of run.upstream[kind]) {
          expect([request.method, request.path, owners.some((s) => s.authenticated(request))]).toEqual([request.method, request.path, true]);
        }
      }
    });

    test('tools/call create_issue_note: comments on the GitLab with writes on, refused on the other', () => {
      // Assess: gl-internal posted the note with its own token
      const written = run.answers['gl-internal'].create_issue_note;
      expect(written!.body.result.isError).toBeFalsy();
      expect(toolText(written)).toBe('Added note 7001 to issue #3.');
      expect(run.upstream.gitlab.filter((r) => r.method === 'POST')).toEqual([
        expect.objectContaining({
          path: '/api/v4/projects/platform%2Ffleet/issues/3/notes',
          body: { body: 'Deployed (gl-internal)' },
          headers: expect.objectContaining({ 'private-token': server('gl-internal').secret.token }),
        }),
      ]);
      // ...and gitlab refused without calling GitLab
      const refused = run.answers.gitlab.create_issue_note;
      expect(refused!.statusCode).toBe(200);
      expect(refused!.body.result.isError).toBe(true);
      expect(toolText(refused)).toBe('Tool create_issue_note disabled: writes are off for server gitlab (set GITLAB_ALLOW_WRITES=true to enable them)');
    });

    test('each function reads each of its servers\' secrets once (one read for two fields), by the ARN in the template, and never logs a credential', () => {
      // Assess: one GetSecretValue per secret (one function per server, or one function for all),
      // also for the secrets two credentials read (Atlassian's email and token, ServiceNow's user and password)
      expect(run.secretReads.map((c) => c.secretId).sort()).toEqual(Object.values(arns).sort());
      expect(run.secretReads.every((c) => c.target === 'secretsmanager.GetSecretValue')).toBe(true);
      expect(run.output).toContain('"level":"INFO"');
      for (const value of SECRET_VALUES) expect(run.output).not.toContain(value);
      // the caller API Gateway authorized is on every tool-call line
      const toolCalls = run.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.message === 'tool call');
      expect(toolCalls.length).toBeGreaterThanOrEqual(SERVERS.length);
      for (const line of toolCalls) expect(line.caller).toBe(`iam:${CALLER_ARN}`);
    });

    onNode22('on Node.js 22 (the runtime of the template) the staged code answers the same', async () => {
      // Act: the same template, functions and requests, run by the Node.js 22 binary
      const on22 = await deployAndInvoke(topology, NODE22);
      // Assess: that node ran them
      expect(on22.nodeVersions.length).toBe(topology.functions);
      for (const version of on22.nodeVersions) expect(version).toMatch(/^v22\./);
      for (const name of SERVERS) {
        const answers = on22.answers[name];
        expect(answers.initialize!.statusCode).toBe(200);
        expect(answers.initialize!.body.result.serverInfo).toEqual(run.answers[name].initialize!.body.result.serverInfo);
        expect(tools(answers['tools/list']).map((t) => t.name)).toEqual(tools(run.answers[name]['tools/list']).map((t) => t.name));
        expect(answers.read!.body.result.isError).toBeFalsy();
        expect(toolText(answers.read)).toBe(toolText(run.answers[name].read));
        expect(upstreamOf(on22, name).length).toBeGreaterThan(0);
      }
      expect(on22.answers['gl-internal'].create_issue_note!.body.result.isError).toBeFalsy();
      expect(toolText(on22.answers.gitlab.create_issue_note)).toBe(toolText(run.answers.gitlab.create_issue_note));
      expect(on22.secretReads.map((c) => c.secretId).sort()).toEqual(Object.values(arns).sort());
      for (const value of SECRET_VALUES) expect(on22.output).not.toContain(value);
    });
  });

  test('a value only CloudFormation can resolve (a secret created in the stack) is refused with a clear message', () => {
    // Prepare
    const { template } = synthesize(FleetCompute.lambdaPerServer(), (stack) => [
      McpServer.gitlab({ apiUrl: fakes.gitlab.url, token: ServerCredential.fromSecret(new secretsmanager.Secret(stack, 'Token'), 'token') }),
    ]);
    // Act + Assess
    expect(() => lambdaFunctions(template)).toThrow(/environment variable GITLAB_TOKEN_SECRET_ARN is \{"Fn::Join":.*"Ref":"Token[0-9A-F]+".*, not a literal string/);
  });
});
