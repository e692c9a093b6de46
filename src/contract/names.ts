/**
 * Server names: the rule both sides check, the names the runtime keeps for itself, and the
 * prefix a server's variables are named with.
 */

/** A server name: its path segment and, upper-cased, the prefix of its variables. */
export const SERVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Path segments the runtime routes itself (`/health`, `/mcp`), so no server may be named so. */
export const RESERVED_SERVER_NAMES: readonly string[] = ['health', 'mcp'];

/**
 * The prefix of a server's variables: upper-cased, hyphens as underscores.
 *
 * @example
 * environmentPrefix('gl-internal'); // 'GL_INTERNAL' -> GL_INTERNAL_API_URL, GL_INTERNAL_TOKEN...
 */
export function environmentPrefix(serverName: string): string {
  return serverName.toUpperCase().replace(/-/g, '_');
}
