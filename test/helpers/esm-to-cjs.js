/**
 * A jest transform for the ESM-only packages the runtime bundles (jose): jest's CommonJS module
 * system cannot require them on Node 20/22, so esbuild (the bundler of the runtime, which does
 * the same conversion) turns each file into CommonJS.
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(source, path) {
    const { code } = transformSync(source, { loader: 'js', format: 'cjs', target: 'node20', sourcefile: path });
    return { code };
  },
};
