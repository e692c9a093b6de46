/**
 * The contract between the constructs and the runtime they deploy, written once. The runtime
 * (`runtime/`) imports this folder and esbuild bundles it; it imports nothing itself (lint keeps it
 * so) and is not part of the public API (`src/index.ts` does not export it).
 *
 * - `names.ts`: the server-name rule, reserved names, the variable prefix;
 * - `variables.ts`: variable suffixes and each format's encoder/decoder pair, URL checks;
 * - `cors.ts`: CORS headers, max age and methods;
 * - `backends.ts`: each backend's variables and tool names.
 * - `auth.ts`: the inbound authentication variables.
 */
export * from './names';
export * from './variables';
export * from './cors';
export * from './backends';
export * from './auth';
