/**
 * CORS settings of the APIs in front of the runtime.
 *
 * Methods are the spec's (`POST,OPTIONS`; health checks are simple GETs that need no preflight).
 * Headers are the spec's REST list plus the headers MCP clients send (`Mcp-Protocol-Version`,
 * `Mcp-Session-Id`, `Last-Event-ID`): without them a browser's preflight fails. The spec's HTTP
 * API list uses `X-*`, which API Gateway does not treat as a wildcard, so the headers are named.
 * Max age: one hour, as the runtime answers its own preflights (the spec sets none).
 */
import { CORS_ALLOW_HEADERS as CONTRACT_CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS as CONTRACT_CORS_ALLOW_METHODS, CORS_MAX_AGE_SECONDS } from '../contract';

export const CORS_ALLOW_METHODS = [...CONTRACT_CORS_ALLOW_METHODS.apiGateway];

export const CORS_ALLOW_HEADERS = [...CONTRACT_CORS_ALLOW_HEADERS];

/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE = CORS_MAX_AGE_SECONDS;

/**
 * The headers of the answers API Gateway gives itself (REST gateway responses: the validator's 400,
 * a missing or wrong API key's 403, throttling and quota 429, its 5XX) for `origins`, or undefined
 * when no origin is allowed. Without them a browser sees an opaque CORS failure instead of the status.
 *
 * A gateway response's headers are static or copied from the request; they cannot pick one origin
 * of a list. With one origin (or `*`) the value is that origin; with several it is the request's
 * `Origin`, copied (with `Vary: Origin`). That lets any origin read API Gateway's own error text,
 * which holds no data and no credentials (no `Access-Control-Allow-Credentials`); every answer of the
 * runtime still goes through its exact check of the list.
 */
export function gatewayResponseCorsHeaders(origins: readonly string[]): Record<string, string> | undefined {
  if (origins.length === 0) return undefined;
  const quoted = (value: string) => `'${value}'`;
  const headers: Record<string, string> = origins.length === 1
    ? { 'Access-Control-Allow-Origin': quoted(origins[0]) }
    : { 'Access-Control-Allow-Origin': 'method.request.header.Origin', 'Vary': quoted('Origin') };
  headers['Access-Control-Allow-Headers'] = quoted(CORS_ALLOW_HEADERS.join(','));
  headers['Access-Control-Allow-Methods'] = quoted(CORS_ALLOW_METHODS.join(','));
  return headers;
}
