/**
 * The request pipeline every entry point shares:
 *   CORS preflight / Origin check -> route -> health | MCP (body limit, media types, JSON,
 *   JSON-RPC shape) -> SDK transport -> tool -> upstream.
 *
 * Adapters turn their event into an `HttpRequest` and the `HttpResponse` back into their shape.
 */
import { randomUUID } from 'node:crypto';
import type { RuntimeConfig, ServerConfig } from './config';
import { CredentialStore } from './credentials';
import { JsonRpcErrorCode as Code, batchRefusal, isJsonRpcBody, jsonRpcError, requestProtocolVersion } from './jsonrpc';
import { McpHost } from './mcp';
import { configureLogger, logger } from './observability';
import { requestScope } from './scope';
import { CORS_ALLOW_HEADERS as CONTRACT_CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS } from '../../src/contract';

export interface HttpRequest {
  readonly method: string;
  /** Path without query string, e.g. `/gitlab/mcp`. */
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text (adapters decode base64). */
  readonly body?: string;
  /** Epoch ms by which the answer must be sent (Lambda: now + remaining time). */
  readonly deadline?: number;
  readonly requestId?: string;
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal;
  /** The adapter checked `Host` against the names it serves and `Origin` is that host's: not cross-origin. */
  readonly sameOrigin?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Spec A.2's header list, plus the headers the MCP Streamable HTTP transport uses. */
export const CORS_ALLOW_HEADERS = CONTRACT_CORS_ALLOW_HEADERS.join(',');
export const CORS_ALLOW_METHODS = 'GET,POST,OPTIONS';
const MCP_ALLOW = 'POST, OPTIONS';

type Route =
  | { kind: 'health'; server?: McpHost }
  | { kind: 'mcp'; server: McpHost }
  | { kind: 'unknown-server'; name: string }
  | { kind: 'none' };

export interface PipelineOptions {
  readonly credentials?: CredentialStore;
  readonly poolSize?: number;
}

export interface Pipeline {
  readonly config: RuntimeConfig;
  readonly hosts: ReadonlyMap<string, McpHost>;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return json(status, jsonRpcError(code, message), headers);
}

function isJsonMediaType(ct: string | undefined): boolean {
  if (!ct) return false;
  const type = ct.split(';')[0].trim().toLowerCase();
  return type === 'application/json';
}

export function createPipeline(config: RuntimeConfig, opts: PipelineOptions = {}): Pipeline {
  configureLogger(config);
  const credentials = opts.credentials ?? new CredentialStore(config.secretCacheSeconds, undefined, config.secretRefreshMinSeconds * 1000);
  const hosts = new Map(config.servers.map((s) => [s.name, new McpHost(s, {
    credentials,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    requestBudgetMs: config.requestBudgetMs,
    poolSize: opts.poolSize,
  })]));
  const allowAny = config.allowedOrigins.includes('*');
  const allowed = new Set(config.allowedOrigins);
  const single = config.mode === 'single' ? hosts.get(config.servers[0].name) : undefined;

  function route(path: string): Route {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return single ? { kind: 'mcp', server: single } : { kind: 'none' };
    if (parts.length === 1) {
      if (parts[0] === 'health') return { kind: 'health' };
      if (parts[0] === 'mcp') return single ? { kind: 'mcp', server: single } : { kind: 'none' };
      const host = hosts.get(parts[0]);
      return host ? { kind: 'mcp', server: host } : { kind: 'unknown-server', name: parts[0] };
    }
    if (parts.length === 2 && (parts[1] === 'mcp' || parts[1] === 'health')) {
      const host = hosts.get(parts[0]);
      if (!host) return { kind: 'unknown-server', name: parts[0] };
      return parts[1] === 'mcp' ? { kind: 'mcp', server: host } : { kind: 'health', server: host };
    }
    return { kind: 'none' };
  }

  function corsHeaders(origin: string | undefined): Record<string, string> {
    const h: Record<string, string> = {
      'access-control-allow-methods': CORS_ALLOW_METHODS,
      'access-control-allow-headers': CORS_ALLOW_HEADERS,
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      'vary': 'Origin',
    };
    if (origin && (allowAny || allowed.has(origin))) h['access-control-allow-origin'] = allowAny ? '*' : origin;
    return h;
  }

  function serverHealth(s: ServerConfig, host: McpHost) {
    return {
      name: s.name,
      kind: s.kind,
      configured: s.missing.length === 0,
      ...(s.missing.length > 0 ? { missing: s.missing } : {}),
      writesEnabled: s.allowWrites,
      tools: host.tools.size,
    };
  }

  function health(target?: McpHost): HttpResponse {
    const list = target ? [target] : [...hosts.values()];
    const servers = list.map((h) => serverHealth(h.server, h));
    const ok = servers.every((s) => s.configured);
    return json(200, target ? { status: ok ? 'ok' : 'degraded', ...servers[0] } : { status: ok ? 'ok' : 'degraded', mode: config.mode, servers });
  }

  async function mcp(req: HttpRequest, host: McpHost, requestId: string): Promise<HttpResponse> {
    const body = req.body ?? '';
    if (Buffer.byteLength(body) > config.maxBodyBytes) {
      return rpcError(413, Code.SERVER_ERROR, `Payload Too Large: the request body is over ${config.maxBodyBytes} bytes`);
    }
    if (!isJsonMediaType(req.headers['content-type'])) {
      return rpcError(415, Code.SERVER_ERROR, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return rpcError(406, Code.SERVER_ERROR, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return rpcError(400, Code.PARSE_ERROR, 'Parse error: Invalid JSON');
    }
    if (!isJsonRpcBody(parsed)) {
      return rpcError(400, Code.INVALID_REQUEST, 'Invalid Request: the body is not a JSON-RPC 2.0 message');
    }
    if (Array.isArray(parsed)) {
      // A batch runs its calls at once: refused where MCP no longer has batches, capped where it does.
      const refusal = batchRefusal(parsed.length, requestProtocolVersion(req.headers['mcp-protocol-version'], parsed));
      if (refusal) return rpcError(400, Code.INVALID_REQUEST, refusal);
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, v);
    const webReq = { method: 'POST', url: `http://mcp.local${req.path}`, headers } as unknown as Request;
    const deadline = req.deadline ?? Date.now() + config.requestBudgetMs;
    const res = await requestScope.run({ requestId, deadline, signal: req.signal }, () => host.handle(webReq, parsed));
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => { out[k] = v; });
    return { status: res.status, headers: out, body: res.status === 202 ? '' : await res.text() };
  }

  async function dispatch(req: HttpRequest, requestId: string): Promise<HttpResponse> {
    const r = route(req.path ?? '/');
    const method = (req.method ?? '').toUpperCase();
    switch (r.kind) {
      case 'none':
        return json(404, { error: 'not_found', message: `No route for ${method} ${req.path}`, routes: routesHelp() });
      case 'unknown-server':
        return json(404, { error: 'not_found', message: `No MCP server named ${JSON.stringify(r.name)} here`, servers: [...hosts.keys()] });
      case 'health':
        if (method !== 'GET' && method !== 'HEAD') return json(405, { error: 'method_not_allowed', message: `${method} is not allowed on ${req.path}` }, { allow: 'GET' });
        return health(r.server);
      case 'mcp':
        if (method !== 'POST') {
          return rpcError(405, Code.SERVER_ERROR, `Method Not Allowed: ${method} is not supported on ${req.path}; this stateless server answers POST only`, { allow: MCP_ALLOW });
        }
        return mcp(req, r.server, requestId);
    }
  }

  function routesHelp(): string[] {
    const names = [...hosts.keys()];
    const perServer = names.flatMap((n) => [`POST /${n}/mcp`, `GET /${n}/health`]);
    return single ? ['POST /mcp', ...perServer, 'GET /health'] : [...perServer, 'GET /health'];
  }

  return {
    config,
    hosts,
    async handle(req: HttpRequest): Promise<HttpResponse> {
      const requestId = req.requestId ?? randomUUID();
      const origin = req.headers.origin;
      const cors = corsHeaders(origin);
      const started = Date.now();
      let res: HttpResponse;
      if (origin && !allowAny && !allowed.has(origin) && !req.sameOrigin) {
        res = rpcError(403, Code.SERVER_ERROR, `Forbidden: Origin ${origin} is not allowed`);
      } else if ((req.method ?? '').toUpperCase() === 'OPTIONS') {
        res = { status: 204, headers: {}, body: '' };
      } else {
        try {
          res = await dispatch(req, requestId);
        } catch (err) {
          logger.error('request failed', { requestId, path: req.path, error: (err as Error)?.name, errorMessage: (err as Error)?.message });
          res = rpcError(500, Code.INTERNAL_ERROR, `Internal error (request ${requestId})`);
        }
      }
      logger.debug('request', { requestId, method: req.method, path: req.path, status: res.status, durationMs: Date.now() - started });
      return { status: res.status, headers: { ...res.headers, ...cors }, body: res.body };
    },
  };
}
