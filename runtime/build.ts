/**
 * Bundles the runtime into assets/ with esbuild:
 *   assets/lambda/index.js   Lambda handler (`index.handler`), REST v1 and HTTP API v2 events
 *   assets/server/index.js   node http server: the container entry point and the `mcp-fleet` bin
 *
 * Options were chosen by measurement (`npx projen bench`, see CONTRIBUTING.md): the AWS SDK is
 * bundled (the Lambda-provided copy is not pinned and the container has none), output is
 * minified, and ESM entry points are preferred so unused code is dropped.
 */
import { existsSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** The module behind `getSecret`: Powertools Parameters and the AWS SDK Secrets Manager client. */
const SECRETS_MODULE = '@aws-lambda-powertools/parameters/secrets';

export interface BundleVariant {
  readonly minify: boolean;
  /** Leave `@aws-sdk/*` out of the Lambda bundle (the Lambda runtime provides a copy). */
  readonly externalAwsSdk: boolean;
  /** Replace the SDK's eager Ajv provider with runtime/shims/ajv-provider.ts (loads Ajv on first use). */
  readonly lazyAjv: boolean;
  /**
   * Put Powertools Parameters and the AWS SDK client in `secrets.js` next to `index.js`, required on
   * the first secret read, so a cold start does not parse them.
   */
  readonly splitSecrets: boolean;
}

export const DEFAULT_VARIANT: BundleVariant = { minify: true, externalAwsSdk: false, lazyAjv: true, splitSecrets: true };

const ROOT = resolve(__dirname, '..');

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

/** Leaves the secrets module out of the main bundle: the runtime requires `./secrets.js` instead. */
const splitSecretsPlugin: Plugin = {
  name: 'split-secrets',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/parameters\/secrets$/ }, (args) =>
      (args.importer.endsWith(join('core', 'credentials.ts')) ? { path: './secrets.js', external: true } : undefined));
  },
};

function common(variant: BundleVariant): BuildOptions {
  return {
    plugins: [...(variant.lazyAjv ? [lazyAjvPlugin] : []), ...(variant.splitSecrets ? [splitSecretsPlugin] : [])],
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
  mkdirSync(outDir, { recursive: true });
  const lambdaOut = join(outDir, 'lambda', 'index.js');
  const serverOut = join(outDir, 'server', 'index.js');
  const secrets = (dir: string, externalAwsSdk: boolean) => build({
    ...common({ ...variant, splitSecrets: false }),
    stdin: { contents: `module.exports = require(${JSON.stringify(SECRETS_MODULE)});`, resolveDir: ROOT, loader: 'js' },
    outfile: join(outDir, dir, 'secrets.js'),
    external: externalAwsSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
  });
  await Promise.all([
    ...(variant.splitSecrets ? [secrets('lambda', variant.externalAwsSdk), secrets('server', false)] : []),
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
  ]);
  const sizes: Record<string, number> = {};
  for (const file of ['lambda/index.js', 'lambda/secrets.js', 'server/index.js', 'server/secrets.js']) {
    if (existsSync(join(outDir, file))) sizes[file] = statSync(join(outDir, file)).size;
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
