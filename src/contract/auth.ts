/**
 * Inbound authentication: the process-wide variables the constructs set and the runtime reads.
 *
 *   AUTH_MODE                    `none` | `oauth` | `gateway` (absent: `none`)
 *   AUTH_ISSUER                  the authorization server's issuer URL (the exact `iss`)
 *   AUTH_JWKS_URL                optional; default from the issuer's discovery document
 *   AUTH_AUDIENCE                optional, comma-separated accepted `aud` values (default: the resource URI)
 *   AUTH_REQUIRED_SCOPES         comma-separated, needed for any MCP request
 *   AUTH_WRITE_SCOPES            comma-separated, needed in addition for a write tool
 *   AUTH_AUTHORIZATION_SERVERS   optional, comma-separated, for the protected resource metadata (default: the issuer)
 *
 * The comma lists use `renderAuthList` / `parseAuthList` (same rules as the tool lists).
 */

/** How the runtime authenticates callers: `none`, `oauth` (it validates bearer JWTs), `gateway` (the front door did). */
export const AUTH_MODE = 'AUTH_MODE';
/** The issuer URL; a token's `iss` must equal it exactly. */
export const AUTH_ISSUER = 'AUTH_ISSUER';
/** Optional JWKS URL; by default the runtime reads `jwks_uri` from the issuer's discovery document. */
export const AUTH_JWKS_URL = 'AUTH_JWKS_URL';
/** Optional comma-separated accepted `aud` values; by default the request's resource URI (`https://<host><stage>/<server>/mcp`). */
export const AUTH_AUDIENCE = 'AUTH_AUDIENCE';
/** Comma-separated scopes needed for any MCP request. */
export const AUTH_REQUIRED_SCOPES = 'AUTH_REQUIRED_SCOPES';
/** Comma-separated scopes needed, in addition, to call a write tool. */
export const AUTH_WRITE_SCOPES = 'AUTH_WRITE_SCOPES';
/** Optional comma-separated authorization servers named in the protected resource metadata (default: the issuer). */
export const AUTH_AUTHORIZATION_SERVERS = 'AUTH_AUTHORIZATION_SERVERS';

/** The values of `AUTH_MODE`. */
export const AUTH_MODES = ['none', 'oauth', 'gateway'] as const;
/** One value of `AUTH_MODE`. */
export type AuthMode = typeof AUTH_MODES[number];

/** The RFC 9728 protected resource metadata path (also served path-suffixed: `<this>/<server>/mcp`). */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The value of `AUTH_AUDIENCE`, `AUTH_REQUIRED_SCOPES`, `AUTH_WRITE_SCOPES`, `AUTH_AUTHORIZATION_SERVERS`.
 *
 * @example
 * renderAuthList(['mcp:read', 'mcp:write']); // 'mcp:read,mcp:write'
 */
export function renderAuthList(values: readonly string[]): string {
  return values.join(',');
}

/** Reads one of the comma lists: blanks around items and empty items are ignored. */
export function parseAuthList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
