/**
 * CORS: the request headers browsers may send cross-origin, how long a preflight may be cached,
 * and the methods each answering layer allows.
 */

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

/**
 * The methods a browser may use cross-origin, per answering layer. The runtime also answers its
 * health check (`GET /health`, `GET /<server>/health`); API Gateway exposes only the MCP routes,
 * where health checks are simple GETs that need no preflight.
 */
export const CORS_ALLOW_METHODS = {
  /** The runtime's own preflight answers (node server, Lambda behind a function URL or API). */
  runtime: ['GET', 'POST', 'OPTIONS'] as readonly string[],
  /** API Gateway's CORS settings (REST and HTTP APIs) and its own error responses. */
  apiGateway: ['POST', 'OPTIONS'] as readonly string[],
} as const;
