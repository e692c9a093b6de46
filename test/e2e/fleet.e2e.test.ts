/**
 * End to end without AWS: synthesize a fleet, then run what CloudFormation would deploy. Each
 * function's code is the asset staged in cdk.out, loaded by the template's handler in a fresh
 * process with exactly the template's environment (plus what Lambda and the test provide: region,
 * fake credentials and the fake Secrets Manager's endpoint), and invoked with the event of the API
 * Gateway route the template gives its path: REST proxy (v1) for one function per server, HTTP API
 * (v2) for the multi-server function. The servers call a fake GitLab with tokens read from a fake
 * Secrets Manager; no value is resolved by hand, so any intrinsic in the environment fails the test.
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
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential } from '../../src';
import { startFakeGitLab, type FakeGitLab, type RecordedRequest } from '../fakes/fake-gitlab';
import { startFakeSecretsManager, type FakeSecretsManager, type SecretCall } from '../fakes/fake-secrets-manager';
import { LAMBDA_BUNDLE } from '../helpers/bundle';
import { INITIALIZE, httpApiEvent, restEvent } from '../helpers/events';

/** The IAM principal API Gateway authorized (the fleet's default auth is `FleetAuth.iam()`). */
const CALLER_ARN = 'arn:aws:iam::123456789012:role/platform-agent';
import { runLambdaInChild } from '../helpers/lambda-child';
import { ensureRealLambdaBundle } from '../helpers/real-bundle';
import { apiRoutes, lambdaFunctions, routeFor, sha256, stagedAssetDirectory, type ApiRoute, type SynthesizedFunction } from '../helpers/template';

const ENV = { account: '123456789012', region: 'us-east-1' };

/** A Node.js 22 binary to run the staged code with as well, or undefined. */
const NODE22 = process.env.MCP_NODE22 || undefined;
const onNode22 = NODE22 ? test : test.skip;
if (!NODE22) process.stderr.write('fleet.e2e: MCP_NODE22 is not set; the Node.js 22 run is skipped\n');

/** The read-only server (GitLab's default name) and a second GitLab with writes on. */
const SERVERS = ['gitlab', 'gl-internal'] as const;
type ServerName = typeof SERVERS[number];
const TOKENS: Record<ServerName, string> = { 'gitlab': 'glpat-e2e-gitlab-token', 'gl-internal': 'glpat-e2e-internal-token' };

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
    functions: 2,
    api: 'rest',
    payloadFormatVersion: '1.0',
    initializePath: (server) => `/${server}`,
  },
  {
    name: 'lambdaMultiServer',
    compute: () => FleetCompute.lambdaMultiServer(),
    functions: 1,
    api: 'http',
    payloadFormatVersion: '2.0',
    initializePath: (server) => `/${server}/mcp`,
  },
];

type RequestName = 'initialize' | 'tools/list' | 'list_projects' | 'create_issue_note';

function requestsOf(topology: Topology, server: ServerName): Array<{ name: RequestName; path: string; body: unknown }> {
  const mcp = `/${server}/mcp`;
  const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  return [
    { name: 'initialize', path: topology.initializePath(server), body: INITIALIZE },
    { name: 'tools/list', path: mcp, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } },
    { name: 'list_projects', path: mcp, body: call(3, 'list_projects', { search: 'fleet', per_page: 5 }) },
    { name: 'create_issue_note', path: mcp, body: call(4, 'create_issue_note', { project_id: 'platform/fleet', issue_iid: 3, body: `Deployed (${server})` }) },
  ];
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
  readonly answers: Record<ServerName, Record<RequestName, Answer>>;
  readonly upstream: RecordedRequest[];
  readonly secretReads: SecretCall[];
  /** Everything the functions printed. */
  readonly output: string;
  /** `process.version` of each function's process. */
  readonly nodeVersions: string[];
}

describe('McpServerFleet end to end: the synthesized template runs the bundled runtime', () => {
  let gitlab: FakeGitLab;
  let sm: FakeSecretsManager;
  let arns: Record<ServerName, string>;
  const outdirs: string[] = [];

  beforeAll(async () => {
    await ensureRealLambdaBundle();
    [gitlab, sm] = await Promise.all([startFakeGitLab(), startFakeSecretsManager()]);
    // The spec's multi-value secret: the token plus fields the runtime ignores.
    arns = {
      'gitlab': sm.put('mcp/gitlab', JSON.stringify({ token: TOKENS.gitlab, url: gitlab.url })),
      'gl-internal': sm.put('mcp/gl-internal', JSON.stringify({ token: TOKENS['gl-internal'], url: gitlab.url })),
    };
  });
  afterAll(async () => {
    await Promise.all([gitlab?.close(), sm?.close()]);
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

  const fleetServers = (): McpServer[] => [
    McpServer.gitlab({ apiUrl: gitlab.url, token: ServerCredential.fromSecretCompleteArn(arns.gitlab, 'token') }),
    McpServer.gitlab({
      name: 'gl-internal',
      apiUrl: gitlab.url,
      token: ServerCredential.fromSecretCompleteArn(arns['gl-internal'], 'token'),
      allowWrites: true,
    }),
  ];

  /** Synthesizes the fleet, sends every server's requests through the route API Gateway would pick, records the fakes. */
  async function deployAndInvoke(topology: Topology, node?: string): Promise<TopologyRun> {
    const { template, assembly } = synthesize(topology.compute(), fleetServers);
    const functions = lambdaFunctions(template);
    const routes = apiRoutes(template);

    const planned = new Map<string, Array<{ server: ServerName; name: RequestName; route: ApiRoute; event: unknown }>>();
    for (const server of SERVERS) {
      for (const request of requestsOf(topology, server)) {
        const route = routeFor(routes, 'POST', request.path);
        if (!route) throw new Error(`No route of the template answers POST ${request.path}; routes: ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        // The fleet's default auth is IAM: API Gateway lets a signed request through with its caller.
        const event = route.api === 'rest'
          ? restEvent({ path: request.path, body: request.body, iamUserArn: CALLER_ARN })
          : httpApiEvent({ path: request.path, routeKey: route.routeKey, body: request.body, iamUserArn: CALLER_ARN });
        const list = planned.get(route.functionLogicalId) ?? [];
        list.push({ server, name: request.name, route, event });
        planned.set(route.functionLogicalId, list);
      }
    }

    gitlab.requests.length = 0;
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
      upstream: [...gitlab.requests],
      secretReads: [...sm.calls],
      output: runs.map((r) => r.run.output).join('\n'),
      nodeVersions: runs.map((r) => r.run.nodeVersion),
    };
  }

  const toolText = (answer: Answer): string => (answer.body.result.content as Array<{ text: string }>).map((c) => c.text).join('\n');
  const tools = (answer: Answer): Array<{ name: string; annotations?: { readOnlyHint?: boolean } }> => answer.body.result.tools;

  describe.each(TOPOLOGIES)('FleetCompute.$name()', (topology) => {
    let run: TopologyRun;
    beforeAll(async () => {
      run = await deployAndInvoke(topology);
    });

    const hostOf = (server: ServerName): SynthesizedFunction =>
      run.functions.find((f) => f.logicalId === run.answers[server].initialize.route.functionLogicalId)!;

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
      for (const server of SERVERS) {
        const routes = Object.values(run.answers[server]).map((a) => a.route);
        // Assess: one function per server, or the same one for all
        expect(new Set(routes.map((r) => r.functionLogicalId)).size).toBe(1);
        for (const route of routes) expect(route).toMatchObject({ api: topology.api, payloadFormatVersion: topology.payloadFormatVersion });
        const env = hostOf(server).environment;
        if (topology.name === 'lambdaPerServer') expect(env.SERVER_NAME).toBe(server);
        else expect(env.MCP_SERVERS.split(',').map((s) => s.split(':')[0])).toContain(server);
      }
      const hosts = new Set(SERVERS.map((s) => hostOf(s).logicalId));
      expect(hosts.size).toBe(topology.functions);
    });

    test('each server is configured with literal values: the fake GitLab and its secret, by complete ARN and JSON field', () => {
      // Assess
      expect(hostOf('gitlab').environment).toMatchObject({
        GITLAB_API_URL: gitlab.url,
        GITLAB_TOKEN_SECRET_ARN: `${arns.gitlab}#token`,
        ENVIRONMENT: 'production',
      });
      expect(hostOf('gl-internal').environment).toMatchObject({
        GL_INTERNAL_API_URL: gitlab.url,
        GL_INTERNAL_TOKEN_SECRET_ARN: `${arns['gl-internal']}#token`,
        GL_INTERNAL_ALLOW_WRITES: 'true',
      });
      expect(hostOf('gitlab').environment).not.toHaveProperty('GITLAB_ALLOW_WRITES');
      if (topology.name === 'lambdaPerServer') {
        expect(hostOf('gl-internal').environment).toMatchObject({ SERVER_NAME: 'gl-internal', SERVER_KIND: 'gitlab' });
        expect(hostOf('gitlab').environment).not.toHaveProperty('GL_INTERNAL_TOKEN_SECRET_ARN');
      } else {
        expect(hostOf('gitlab').environment.MCP_SERVERS).toBe('gitlab,gl-internal:gitlab');
      }
    });

    test('initialize: each path answers as its own server', () => {
      for (const server of SERVERS) {
        const answer = run.answers[server].initialize;
        expect(answer.statusCode).toBe(200);
        expect(answer.body.result.serverInfo.name).toBe(`${server}-mcp-server`);
        // the bundle reports the package's version
        expect(answer.body.result.serverInfo.version).toBe(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
      }
      expect(run.answers.gitlab.initialize.body.result.instructions).toMatch(/Read-only/);
      expect(run.answers['gl-internal'].initialize.body.result.instructions).toBeUndefined();
    });

    test('tools/list: the write tools only on the server with writes on', () => {
      // Assess
      const readOnly = tools(run.answers.gitlab['tools/list']);
      const writable = tools(run.answers['gl-internal']['tools/list']);
      expect(readOnly.map((t) => t.name)).toContain('list_projects');
      expect(readOnly.map((t) => t.name)).not.toContain('create_issue_note');
      expect(readOnly.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      expect(writable.map((t) => t.name)).toEqual(expect.arrayContaining([...readOnly.map((t) => t.name), 'create_issue', 'create_issue_note']));
      expect(writable.some((t) => t.annotations?.readOnlyHint === false)).toBe(true);
    });

    test('tools/call list_projects: GET /api/v4/projects with the server\'s token from Secrets Manager', () => {
      for (const server of SERVERS) {
        // Assess: the answer
        const answer = run.answers[server].list_projects;
        expect(answer.statusCode).toBe(200);
        expect(answer.body.result.isError).toBeFalsy();
        expect(toolText(answer)).toContain('platform/fleet');
        // ...and what GitLab saw
        const calls = run.upstream.filter((r) => r.headers['private-token'] === TOKENS[server]);
        expect(calls.filter((r) => r.method === 'GET')).toEqual([
          expect.objectContaining({ method: 'GET', path: '/api/v4/projects', query: expect.objectContaining({ search: 'fleet', per_page: '5' }) }),
        ]);
      }
      expect(run.upstream.every((r) => Object.values(TOKENS).includes(r.headers['private-token'] ?? ''))).toBe(true);
    });

    test('tools/call create_issue_note: comments on the server with writes on, refused on the other', () => {
      // Assess: gl-internal posted the note with its own token
      const written = run.answers['gl-internal'].create_issue_note;
      expect(written.body.result.isError).toBeFalsy();
      expect(toolText(written)).toBe('Added note 7001 to issue #3.');
      expect(run.upstream.filter((r) => r.method === 'POST')).toEqual([
        expect.objectContaining({
          path: '/api/v4/projects/platform%2Ffleet/issues/3/notes',
          body: { body: 'Deployed (gl-internal)' },
          headers: expect.objectContaining({ 'private-token': TOKENS['gl-internal'] }),
        }),
      ]);
      // ...and gitlab refused without calling GitLab
      const refused = run.answers.gitlab.create_issue_note;
      expect(refused.statusCode).toBe(200);
      expect(refused.body.result.isError).toBe(true);
      expect(toolText(refused)).toBe('Tool create_issue_note disabled: writes are off for server gitlab (set GITLAB_ALLOW_WRITES=true to enable them)');
    });

    test('each function reads its servers\' secrets once, by the ARN in the template, and never logs a token', () => {
      // Assess: one GetSecretValue per secret (one function per server, or one function for both)
      expect(run.secretReads.map((c) => c.secretId).sort()).toEqual([arns.gitlab, arns['gl-internal']].sort());
      expect(run.secretReads.every((c) => c.target === 'secretsmanager.GetSecretValue')).toBe(true);
      expect(run.output).toContain('"level":"INFO"');
      for (const token of Object.values(TOKENS)) expect(run.output).not.toContain(token);
      // the caller API Gateway authorized is on every tool-call line
      const toolCalls = run.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.message === 'tool call');
      expect(toolCalls.length).toBeGreaterThan(0);
      for (const line of toolCalls) expect(line.caller).toBe(`iam:${CALLER_ARN}`);
    });

    onNode22('on Node.js 22 (the runtime of the template) the staged code answers the same', async () => {
      // Act: the same template, functions and requests, run by the Node.js 22 binary
      const on22 = await deployAndInvoke(topology, NODE22);
      // Assess: that node ran them
      expect(on22.nodeVersions.length).toBe(topology.functions);
      for (const version of on22.nodeVersions) expect(version).toMatch(/^v22\./);
      for (const server of SERVERS) {
        const answers = on22.answers[server];
        expect(answers.initialize.statusCode).toBe(200);
        expect(answers.initialize.body.result.serverInfo).toEqual(run.answers[server].initialize.body.result.serverInfo);
        expect(tools(answers['tools/list']).map((t) => t.name)).toEqual(tools(run.answers[server]['tools/list']).map((t) => t.name));
        expect(answers.list_projects.body.result.isError).toBeFalsy();
        expect(toolText(answers.list_projects)).toBe(toolText(run.answers[server].list_projects));
      }
      expect(on22.answers['gl-internal'].create_issue_note.body.result.isError).toBeFalsy();
      expect(toolText(on22.answers.gitlab.create_issue_note)).toBe(toolText(run.answers.gitlab.create_issue_note));
      expect(on22.secretReads.map((c) => c.secretId).sort()).toEqual([arns.gitlab, arns['gl-internal']].sort());
      for (const token of Object.values(TOKENS)) expect(on22.output).not.toContain(token);
    });
  });

  test('a value only CloudFormation can resolve (a secret created in the stack) is refused with a clear message', () => {
    // Prepare
    const { template } = synthesize(FleetCompute.lambdaPerServer(), (stack) => [
      McpServer.gitlab({ apiUrl: gitlab.url, token: ServerCredential.fromSecret(new secretsmanager.Secret(stack, 'Token'), 'token') }),
    ]);
    // Act + Assess
    expect(() => lambdaFunctions(template)).toThrow(/environment variable GITLAB_TOKEN_SECRET_ARN is \{"Fn::Join":.*"Ref":"Token[0-9A-F]+".*, not a literal string/);
  });
});
