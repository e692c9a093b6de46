/**
 * The request pipeline every entry point shares:
 *   CORS preflight / Origin check -> route -> health | protected resource metadata | MCP
 *   (authentication, body limit, media types, JSON, JSON-RPC shape, write scope) -> the server's
 *   long-lived SDK `Server` (mcp.ts, transport.ts)
 *   -> tool -> upstream.
 *
 * Adapters turn their event into an `HttpRequest` and the `HttpResponse` back into their shape.
 */
import { randomUUID } from 'node:crypto';
import { Authenticator, insufficientScope, missingScopes, type AuthenticatorOptions, type Caller, type GatewayIdentity } from './auth';
import type { RuntimeConfig, ServerConfig } from './config';
import { CredentialStore } from './credentials';
import { JsonRpcErrorCode as Code, batchRefusal, isJsonRpcBody, jsonRpcError, requestProtocolVersion } from './jsonrpc';
import { McpHost } from './mcp';
import { configureLogger, logger } from './observability';
import { CORS_ALLOW_HEADERS as CONTRACT_CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS, PROTECTED_RESOURCE_METADATA_PATH } from '../../src/contract';

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
  /**
   * `scheme://host` plus any path prefix the front door strips (an API Gateway stage), as clients
   * see it: resource URIs and metadata URLs are built on it. Absent: from X-Forwarded-Proto and Host.
   */
  readonly baseUrl?: string;
  /** The caller an API Gateway authorizer authenticated (AUTH_MODE=gateway). */
  readonly gatewayIdentity?: GatewayIdentity;
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
  | { kind: 'metadata'; suffix: string }
  | { kind: 'mcp'; server: McpHost }
  | { kind: 'unknown-server'; name: string }
  | { kind: 'none' };

export interface PipelineOptions {
  readonly credentials?: CredentialStore;
  /** JWKS fetch timing (tests shorten the cool-down between fetches for an unknown key). */
  readonly auth?: AuthenticatorOptions;
}

export interface Pipeline {
  readonly config: RuntimeConfig;
  readonly hosts: ReadonlyMap<string, McpHost>;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

/** The outcome of authentication with AUTH_MODE=none (the front door, if any, authenticated the caller). */
const ANONYMOUS = { ok: true, caller: { scopes: [] } } as const;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return json(status, jsonRpcError(code, message), headers);
}

/** The tools/call messages of a body (one message or a batch) that name a tool. */
function toolCalls(parsed: unknown): Array<{ id: string | number | null; name: string }> {
  return [parsed].flat().filter((m): m is { id?: unknown; method: string; params: { name: string } } =>
    !!m && typeof m === 'object' && (m as { method?: unknown }).method === 'tools/call' && typeof (m as { params?: { name?: unknown } }).params?.name === 'string')
    .map((m) => ({ id: typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null, name: m.params.name }));
}

function isJsonMediaType(ct: string | undefined): boolean {
  if (!ct) return false;
  const type = ct.split(';')[0].trim().toLowerCase();
  return type === 'application/json';
}

export function createPipeline(config: RuntimeConfig, opts: PipelineOptions = {}): Pipeline {
  configureLogger(config);
  // Read once: the per-request line is built only when it is printed.
  const debugLogging = ['TRACE', 'DEBUG'].includes(logger.getLevelName());
  const credentials = opts.credentials ?? new CredentialStore(config.secretCacheSeconds, undefined, config.secretRefreshMinSeconds * 1000);
  const hosts = new Map(config.servers.map((s) => [s.name, new McpHost(s, {
    credentials,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    requestBudgetMs: config.requestBudgetMs,
  })]));
  const allowAny = config.allowedOrigins.includes('*');
  const allowed = new Set(config.allowedOrigins);
  const single = config.mode === 'single' ? hosts.get(config.servers[0].name) : undefined;
  const authConfig = config.auth ?? { mode: 'none', audiences: [], requiredScopes: [], writeScopes: [], authorizationServers: [] };
  const auth = new Authenticator(authConfig, opts.auth);
  const scopesSupported = [...new Set([...authConfig.requiredScopes, ...authConfig.writeScopes])];

  /** `scheme://host[/stage]` as the client sees it. */
  function baseUrl(req: HttpRequest): string {
    if (req.baseUrl) return req.baseUrl.replace(/\/+$/, '');
    const proto = (req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase();
    return `${proto === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  }

  /** A path without trailing slashes (`/` becomes empty), as resource URIs are written. */
  const trimPath = (path: string) => path.replace(/\/+$/, '');

  function route(path: string): Route {
    if (path === PROTECTED_RESOURCE_METADATA_PATH || path.startsWith(`${PROTECTED_RESOURCE_METADATA_PATH}/`)) {
      return { kind: 'metadata', suffix: trimPath(path.slice(PROTECTED_RESOURCE_METADATA_PATH.length)) };
    }
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

  const corsBase: Readonly<Record<string, string>> = {
    'access-control-allow-methods': CORS_ALLOW_METHODS,
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    'vary': 'Origin',
  };

  function corsHeaders(origin: string | undefined): Readonly<Record<string, string>> {
    if (!origin || !(allowAny || allowed.has(origin))) return corsBase;
    return { ...corsBase, 'access-control-allow-origin': allowAny ? '*' : origin };
  }

  function serverHealth(s: ServerConfig, host: McpHost) {
    return {
      name: s.name,
      kind: s.kind,
      configured: s.missing.length === 0,
      ...(s.missing.length > 0 ? { missing: s.missing } : {}),
      writesEnabled: s.allowWrites,
      tools: host.toolNames.length,
    };
  }

  function health(target?: McpHost): HttpResponse {
    const list = target ? [target] : [...hosts.values()];
    const servers = list.map((h) => serverHealth(h.server, h));
    const ok = servers.every((s) => s.configured);
    return json(200, target ? { status: ok ? 'ok' : 'degraded', ...servers[0] } : { status: ok ? 'ok' : 'degraded', mode: config.mode, servers });
  }

  /**
   * RFC 9728 protected resource metadata: at the root (the resource is the base URL) and
   * path-suffixed (`/.well-known/oauth-protected-resource/<server>/mcp`: that endpoint). A suffix
   * that repeats the base URL's path (an API Gateway stage, as RFC 9728 builds the URL) is read without it.
   */
  function metadata(req: HttpRequest, suffix: string): HttpResponse {
    const base = baseUrl(req);
    if (authConfig.authorizationServers.length === 0) {
      return json(404, { error: 'not_found', message: 'This server names no authorization server (AUTH_MODE is not oauth)' });
    }
    const basePath = trimPath(new URL(base).pathname);
    const path = basePath && suffix.startsWith(`${basePath}/`) ? suffix.slice(basePath.length) : suffix;
    if (path !== '' && route(path).kind !== 'mcp') return json(404, { error: 'not_found', message: `No MCP endpoint at ${path}` });
    return json(200, {
      resource: `${base}${path}`,
      authorization_servers: authConfig.authorizationServers,
      scopes_supported: scopesSupported,
      bearer_methods_supported: ['header'],
    }, { 'cache-control': 'max-age=300' });
  }

  function authRefusal(outcome: Exclude<Awaited<ReturnType<Authenticator['authenticate']>>, { ok: true }>, id: string | number | null = null): HttpResponse {
    return json(outcome.status, jsonRpcError(Code.SERVER_ERROR, outcome.message, id), outcome.wwwAuthenticate ? { 'www-authenticate': outcome.wwwAuthenticate } : {});
  }

  async function mcp(req: HttpRequest, host: McpHost, requestId: string): Promise<HttpResponse> {
    // Who is calling, before anything about the body is said (an unauthenticated caller learns nothing).
    const metadataUrl = () => `${baseUrl(req)}${PROTECTED_RESOURCE_METADATA_PATH}${trimPath(req.path)}`;
    let outcome: Awaited<ReturnType<Authenticator['authenticate']>> = ANONYMOUS;
    if (authConfig.mode !== 'none') {
      const base = baseUrl(req);
      const resources = [...new Set([`${base}${trimPath(req.path)}`, `${base}/${host.server.name}/mcp`])];
      outcome = await auth.authenticate(req.headers.authorization, req.gatewayIdentity, resources, metadataUrl());
    }
    if (!outcome.ok) return authRefusal(outcome);
    const caller: Caller = outcome.caller;
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
    if (auth.writeScopes.length > 0 && missingScopes(caller.scopes, auth.writeScopes).length > 0) {
      // A write tool needs the write scopes too; refused before the SDK sees the call (a batch as a whole).
      const write = toolCalls(parsed).find((c) => host.offersWriteTool(c.name));
      if (write) {
        const needed = [...new Set([...authConfig.requiredScopes, ...auth.writeScopes])];
        const missing = missingScopes(caller.scopes, auth.writeScopes);
        const refusal = insufficientScope(needed, metadataUrl(), `tool ${write.name} writes, and the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`);
        if (!refusal.ok) return authRefusal(refusal, Array.isArray(parsed) ? null : write.id);
      }
    }
    const deadline = req.deadline ?? Date.now() + config.requestBudgetMs;
    // The signal is read only by a tool call (the node server makes it on first read).
    return host.handle(req.headers, parsed, { requestId, deadline, get signal() { return req.signal; }, caller: caller.id });
  }

  async function dispatch(req: HttpRequest, requestId: string): Promise<HttpResponse> {
    const r = route(req.path ?? '/');
    const method = (req.method ?? '').toUpperCase();
    switch (r.kind) {
      case 'none':
        return json(404, { error: 'not_found', message: `No route for ${method} ${req.path}`, routes: routesHelp() });
      case 'unknown-server':
        return json(404, { error: 'not_found', message: `No MCP server named ${JSON.stringify(r.name)} here`, servers: [...hosts.keys()] });
      case 'metadata':
        if (method !== 'GET' && method !== 'HEAD') return json(405, { error: 'method_not_allowed', message: `${method} is not allowed on ${req.path}` }, { allow: 'GET' });
        return metadata(req, r.suffix);
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
      if (debugLogging) logger.debug('request', { requestId, method: req.method, path: req.path, status: res.status, durationMs: Date.now() - started });
      return { status: res.status, headers: { ...res.headers, ...cors }, body: res.body };
    },
  };
}
