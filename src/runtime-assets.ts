import * as fs from 'fs';
import * as path from 'path';

/**
 * The folder holding the bundled Lambda runtime (`index.js`, handler `index.handler`).
 *
 * This file sits one level below the package root both as `src/runtime-assets.ts` (ts-jest) and as
 * `lib/runtime-assets.js` (compiled), so `../assets/lambda` resolves in both. Keep it at that depth.
 */
export function lambdaRuntimeAssetPath(): string {
  return path.join(__dirname, '..', 'assets', 'lambda');
}

/** The file Lambda loads: `<asset>/index.js` exporting `handler`. */
export const LAMBDA_RUNTIME_HANDLER = 'index.handler';

/**
 * The runtime folder, or a clear error when the bundle is missing (a source checkout that has not
 * run the `bundle` task yet).
 */
export function requireLambdaRuntimeAsset(): string {
  const dir = lambdaRuntimeAssetPath();
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`The bundled MCP runtime is missing: ${path.join(dir, 'index.js')} does not exist. `
      + 'In a source checkout run `npx projen bundle` (the installed package ships it).');
  }
  return dir;
}

/**
 * The runtime folder with the `Dockerfile` that packs it into a Lambda container image (copied
 * there from runtime/container/lambda.Dockerfile by the bundle): the build context of
 * `LambdaPackaging.bundledImage()`. Or a clear error when either is missing.
 */
export function requireLambdaImageAsset(): string {
  const dir = requireLambdaRuntimeAsset();
  if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
    throw new Error(`The bundled MCP runtime's Lambda image is missing: ${path.join(dir, 'Dockerfile')} does not exist. `
      + 'In a source checkout run `npx projen bundle` (the installed package ships it).');
  }
  return dir;
}

/**
 * The folder holding the bundled node server (`index.js`, `healthcheck.js`) and the `Dockerfile`
 * that packs it into the container image: the build context of `ServerImage.bundled()`.
 */
export function serverRuntimeAssetPath(): string {
  return path.join(__dirname, '..', 'assets', 'server');
}

/** The server folder, or a clear error when the bundle or its Dockerfile is missing. */
export function requireServerRuntimeAsset(): string {
  const dir = serverRuntimeAssetPath();
  for (const file of ['index.js', 'Dockerfile']) {
    if (!fs.existsSync(path.join(dir, file))) {
      throw new Error(`The bundled MCP server image is missing: ${path.join(dir, file)} does not exist. `
        + 'In a source checkout run `npx projen bundle` (the installed package ships it).');
    }
  }
  return dir;
}
