/**
 * Bundles the runtime into assets/ with esbuild:
 *   assets/lambda/index.js   Lambda handler (`index.handler`), REST v1 and HTTP API v2 events
 *   assets/server/index.js   node http server: the container entry point and the `mcp-fleet` bin
 *   assets/rotation/index.js Secrets Manager rotation function (`index.handler`) of `ServerSecretRotation`
 *
 * `assets/server/` is also the Docker build context of the container image (`ServerImage.bundled()`):
 * it gets `healthcheck.js` (the container's health check) and the `Dockerfile` of runtime/container/.
 *
 * Plus, next to each, the modules needed only later (LAZY_CHUNKS: secrets.js, ajv.js, tracer.js, jose.js)
 * and each backend's tools/list entries (`tools-<kind>.json`, computed here from the same tool
 * definitions, so a cold start answers tools/list without building JSON Schemas).
 *
 * Options were chosen by measurement (`npx projen bench`, see CONTRIBUTING.md): the AWS SDK is
 * bundled (the Lambda-provided copy is not pinned and the container has none), what a cold start
 * does not need is split out, zod carries English messages only, output is minified, and ESM entry
 * points are preferred so unused code is dropped.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_NEGOTIATED_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { allBackends } from './backends';
import { listingOf } from './core/sdk';

export interface BundleVariant {
  readonly minify: boolean;
  /** Leave `@aws-sdk/*` out of the Lambda bundle (the Lambda runtime provides a copy). */
  readonly externalAwsSdk: boolean;
  /** Replace the SDK's eager Ajv provider with runtime/shims/ajv-provider.ts (loads Ajv on first use). */
  readonly lazyAjv: boolean;
  /**
   * Put the modules needed only later ({@link LAZY_CHUNKS}: secrets, Ajv, the X-Ray tracer) in
   * their own files next to `index.js`, required on first use, so a cold start does not parse them.
   */
  readonly splitLazyModules: boolean;
  /** Bundle only zod's English error messages instead of its 40-odd locales (nothing selects another). */
  readonly englishOnlyZod: boolean;
}

export const DEFAULT_VARIANT: BundleVariant = { minify: true, externalAwsSdk: false, lazyAjv: true, splitLazyModules: true, englishOnlyZod: true };

const ROOT = resolve(__dirname, '..');

/** A module the runtime requires lazily (inside a function), bundled into a file of its own. */
interface LazyChunk {
  /** The specifier the runtime requires. */
  readonly module: string;
  /** The runtime file that requires it (only that import is redirected). */
  readonly importer: string;
  /** The file next to `index.js`. */
  readonly file: string;
}

export const LAZY_CHUNKS: readonly LazyChunk[] = [
  // Powertools Parameters and the AWS SDK Secrets Manager client: the first secret read.
  { module: '@aws-lambda-powertools/parameters/secrets', importer: join('runtime', 'core', 'credentials.ts'), file: 'secrets.js' },
  // Ajv and ajv-formats: only elicitation answers are validated with them.
  { module: '@modelcontextprotocol/sdk/validation/ajv', importer: join('runtime', 'shims', 'ajv-provider.ts'), file: 'ajv.js' },
  // Powertools Tracer and the X-Ray SDK: only in Lambda with tracing on.
  { module: '@aws-lambda-powertools/tracer', importer: join('runtime', 'core', 'observability.ts'), file: 'tracer.js' },
  // jose (JWT signatures, JWKS): only with AUTH_MODE=oauth.
  { module: 'jose', importer: join('runtime', 'core', 'auth.ts'), file: 'jose.js' },
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Points the SDK's own imports of its Ajv provider at the lazy shim. */
const lazyAjvPlugin: Plugin = {
  name: 'lazy-ajv',
  setup(b) {
    b.onResolve({ filter: /validation\/ajv-provider\.js$/ }, (args) => {
      if (!/@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'runtime', 'shims', 'ajv-provider.ts') };
    });
  },
};

/** Leaves the lazy modules out of the main bundle: the runtime requires `./<file>` instead. */
const splitLazyModulesPlugin: Plugin = {
  name: 'split-lazy-modules',
  setup(b) {
    for (const chunk of LAZY_CHUNKS) {
      b.onResolve({ filter: new RegExp(`^${escape(chunk.module)}$`) }, (args) =>
        (args.importer.endsWith(chunk.importer) ? { path: `./${chunk.file}`, external: true } : undefined));
    }
  },
};

/** zod's `locales` namespace (every language) becomes English only; `z.config(z.locales.en())` still works. */
const englishOnlyZodPlugin: Plugin = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
      return { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/** The package's version, for the MCP `serverInfo` the runtime reports. */
const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

function common(variant: BundleVariant): BuildOptions {
  return {
    define: {
      __MCP_FLEET_VERSION__: JSON.stringify(PACKAGE_VERSION),
      // What the fast paths check before the SDK is loaded (runtime/core/mcp.ts).
      __MCP_PROTOCOL_VERSIONS__: JSON.stringify({ supported: SUPPORTED_PROTOCOL_VERSIONS, default: DEFAULT_NEGOTIATED_PROTOCOL_VERSION }),
    },
    plugins: [
      ...(variant.lazyAjv ? [lazyAjvPlugin] : []),
      ...(variant.splitLazyModules ? [splitLazyModulesPlugin] : []),
      ...(variant.englishOnlyZod ? [englishOnlyZodPlugin] : []),
    ],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: variant.minify,
    keepNames: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
    sourcemap: false,
    metafile: false,
  };
}

export async function bundleRuntime(outDir = join(ROOT, 'assets'), variant: BundleVariant = DEFAULT_VARIANT): Promise<Record<string, number>> {
  rmSync(join(outDir, 'lambda'), { recursive: true, force: true });
  rmSync(join(outDir, 'server'), { recursive: true, force: true });
  rmSync(join(outDir, 'rotation'), { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const lambdaOut = join(outDir, 'lambda', 'index.js');
  const serverOut = join(outDir, 'server', 'index.js');
  const chunks = LAZY_CHUNKS.filter((c) => variant.lazyAjv || !c.importer.includes('shims'));
  const chunk = (c: LazyChunk, dir: string, externalAwsSdk: boolean) => build({
    ...common({ ...variant, splitLazyModules: false }),
    stdin: { contents: `module.exports = require(${JSON.stringify(c.module)});`, resolveDir: ROOT, loader: 'js' },
    outfile: join(outDir, dir, c.file),
    external: externalAwsSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
  });
  await Promise.all([
    ...(variant.splitLazyModules ? chunks.flatMap((c) => [chunk(c, 'lambda', variant.externalAwsSdk), chunk(c, 'server', false)]) : []),
    build({
      ...common(variant),
      entryPoints: [join(ROOT, 'runtime', 'entrypoints', 'lambda.ts')],
      outfile: lambdaOut,
      external: variant.externalAwsSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
    }),
    build({
      ...common(variant),
      entryPoints: [join(ROOT, 'runtime', 'entrypoints', 'server.ts')],
      outfile: serverOut,
      banner: { js: '#!/usr/bin/env node' },
    }),
    // The Secrets Manager rotation function (`ServerSecretRotation`): its own small bundle, none of the MCP runtime.
    build({
      ...common(variant),
      entryPoints: [join(ROOT, 'runtime', 'rotation', 'index.ts')],
      outfile: join(outDir, 'rotation', 'index.js'),
    }),
    // Run by the container's health check every 30 s: its own small file, so a check parses none of the runtime.
    build({
      ...common(variant),
      entryPoints: [join(ROOT, 'runtime', 'entrypoints', 'healthcheck.ts')],
      outfile: join(outDir, 'server', 'healthcheck.js'),
    }),
  ]);
  // The image's source: the folder is then the complete build context CDK hands to Docker at deploy time.
  copyFileSync(join(ROOT, 'runtime', 'container', 'Dockerfile'), join(outDir, 'server', 'Dockerfile'));
  // The same for the Lambda container image (`LambdaPackaging.bundledImage()`): assets/lambda is its build context.
  copyFileSync(join(ROOT, 'runtime', 'container', 'lambda.Dockerfile'), join(outDir, 'lambda', 'Dockerfile'));
  // Every tool of each kind, in definition order; a server narrows it to the tools it offers.
  for (const [kind, backend] of allBackends()) {
    const listing = JSON.stringify(listingOf(backend.tools));
    for (const dir of ['lambda', 'server']) writeFileSync(join(outDir, dir, `tools-${kind}.json`), listing);
  }
  const sizes: Record<string, number> = {};
  for (const dir of ['lambda', 'server']) {
    for (const file of readdirSync(join(outDir, dir)).sort()) sizes[`${dir}/${file}`] = statSync(join(outDir, dir, file)).size;
  }
  return sizes;
}

if (require.main === module) {
  bundleRuntime().then((sizes) => {
    for (const [file, bytes] of Object.entries(sizes)) process.stdout.write(`assets/${file}: ${bytes} bytes\n`);
  }, (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
