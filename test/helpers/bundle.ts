/** The bundled runtime, built on demand when a test needs it and the build has not run yet. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleRuntime } from '../../runtime/build';

export const ASSETS = join(__dirname, '..', '..', 'assets');
export const SERVER_BUNDLE = join(ASSETS, 'server', 'index.js');
export const LAMBDA_BUNDLE = join(ASSETS, 'lambda', 'index.js');

export async function ensureBundle(): Promise<void> {
  if (!existsSync(SERVER_BUNDLE) || !existsSync(LAMBDA_BUNDLE)) await bundleRuntime(ASSETS);
}
