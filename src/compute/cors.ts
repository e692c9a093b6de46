/**
 * CORS settings of the APIs in front of the runtime.
 *
 * Methods are the spec's (`POST,OPTIONS`; health checks are simple GETs that need no preflight).
 * Headers are the spec's REST list plus the headers MCP clients send (`Mcp-Protocol-Version`,
 * `Mcp-Session-Id`, `Last-Event-ID`): without them a browser's preflight fails. The spec's HTTP
 * API list uses `X-*`, which API Gateway does not treat as a wildcard, so the headers are named.
 * Max age: one hour, as the runtime answers its own preflights (the spec sets none).
 */
import { CORS_ALLOW_HEADERS as CONTRACT_CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS } from '../contract';

export const CORS_ALLOW_METHODS = ['POST', 'OPTIONS'];

export const CORS_ALLOW_HEADERS = [...CONTRACT_CORS_ALLOW_HEADERS];

/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE = CORS_MAX_AGE_SECONDS;
