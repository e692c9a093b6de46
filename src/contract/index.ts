/**
 * The contract between the constructs and the runtime they deploy, written once: the server-name
 * rule, how a server's variables are named, GitLab's default API, and the CORS headers. The
 * runtime (`runtime/`) imports this file and esbuild bundles it; it imports nothing itself and is
 * not part of the public API (`src/index.ts` does not export it).
 */

/** A server name: its path segment and, upper-cased, the prefix of its variables. */
export const SERVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Path segments the runtime routes itself (`/health`, `/mcp`), so no server may be named so. */
export const RESERVED_SERVER_NAMES: readonly string[] = ['health', 'mcp'];

/** `gl-internal` -> `GL_INTERNAL`: the prefix of a server's variables. */
export function environmentPrefix(serverName: string): string {
  return serverName.toUpperCase().replace(/-/g, '_');
}

/** `<PREFIX>_<CREDENTIAL>` + this: the Secrets Manager ARN of a credential (`arn...#field` selects a JSON field). */
export const SECRET_ARN_SUFFIX = '_SECRET_ARN';

/** `<PREFIX>` + this: `true` registers the server's mutating tools. */
export const ALLOW_WRITES_SUFFIX = '_ALLOW_WRITES';

/** The GitLab REST API used when a server names none. */
export const GITLAB_DEFAULT_API_URL = 'https://gitlab.com/api/v4';

/** Request headers browsers may send cross-origin: API Gateway's usual list plus what MCP clients send. */
export const CORS_ALLOW_HEADERS: readonly string[] = [
  'Content-Type',
  'Authorization',
  'X-Amz-Date',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'Mcp-Protocol-Version',
  'Mcp-Session-Id',
  'Last-Event-ID',
];

/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 3600;
