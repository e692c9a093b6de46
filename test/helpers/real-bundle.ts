/**
 * The real Lambda bundle, for tests that run it. The construct tests write a placeholder handler
 * into assets/lambda when the bundle is missing (they only need the folder); a test that runs the
 * code rebuilds over that placeholder instead of running it.
 */
import { readFileSync, statSync } from 'node:fs';
import { ASSETS, LAMBDA_BUNDLE, ensureBundle } from './bundle';
import { bundleRuntime } from '../../runtime/build';

/** What test/constructs/helpers.ts writes in place of the bundle. */
const PLACEHOLDER_MARK = 'runtime not bundled';

export async function ensureRealLambdaBundle(): Promise<string> {
  await ensureBundle();
  const placeholder = statSync(LAMBDA_BUNDLE).size < 4096 && readFileSync(LAMBDA_BUNDLE, 'utf8').includes(PLACEHOLDER_MARK);
  if (placeholder) await bundleRuntime(ASSETS);
  return LAMBDA_BUNDLE;
}
