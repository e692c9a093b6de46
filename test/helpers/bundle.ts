/** The bundled runtime, built on demand when a test needs it and the build has not run yet. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleRuntime } from '../../runtime/build';

export const ASSETS = join(__dirname, '..', '..', 'assets');
export const SERVER_BUNDLE = join(ASSETS, 'server', 'index.js');
export const LAMBDA_BUNDLE = join(ASSETS, 'lambda', 'index.js');

/** Files only the bundle task writes (the construct tests' placeholders have none of them). */
const BUNDLE_ONLY = [join(ASSETS, 'server', 'healthcheck.js'), join(ASSETS, 'lambda', 'secrets.js'), join(ASSETS, 'server', 'secrets.js')];

export async function ensureBundle(): Promise<void> {
  if (![SERVER_BUNDLE, LAMBDA_BUNDLE, ...BUNDLE_ONLY].every((file) => existsSync(file))) await bundleRuntime(ASSETS);
}
