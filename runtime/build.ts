/**
 * Bundles the runtime into assets/ with esbuild:
 *   assets/lambda/index.js   Lambda handler (`index.handler`), REST v1 and HTTP API v2 events
 *   assets/server/index.js   node http server: the container entry point and the `mcp-fleet` bin
 *
 * Options were chosen by measurement (`npx projen bench`, see CONTRIBUTING.md): the AWS SDK is
 * bundled (the Lambda-provided copy is not pinned and the container has none), output is
 * minified, and ESM entry points are preferred so unused code is dropped.
 */
import { mkdirSync, statSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

export interface BundleVariant {
  readonly minify: boolean;
  /** Leave `@aws-sdk/*` out of the Lambda bundle (the Lambda runtime provides a copy). */
  readonly externalAwsSdk: boolean;
  /** Replace the SDK's eager Ajv provider with runtime/shims/ajv-provider.ts (loads Ajv on first use). */
  readonly lazyAjv: boolean;
}

export const DEFAULT_VARIANT: BundleVariant = { minify: true, externalAwsSdk: false, lazyAjv: true };

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

function common(variant: BundleVariant): BuildOptions {
  return {
    plugins: variant.lazyAjv ? [lazyAjvPlugin] : [],
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
  await Promise.all([
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
  return { 'lambda/index.js': statSync(lambdaOut).size, 'server/index.js': statSync(serverOut).size };
}

if (require.main === module) {
  bundleRuntime().then((sizes) => {
    for (const [file, bytes] of Object.entries(sizes)) process.stdout.write(`assets/${file}: ${bytes} bytes\n`);
  }, (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
