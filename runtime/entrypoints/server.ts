/**
 * Node `http` entry point: the container's process on ECS and `mcp-fleet serve` locally.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BACKEND_SOURCES } from '../backends';
import { lazyHandler } from './compose';
import { ConfigError, loadConfig, redactUrls } from '../core/config';
import { JsonRpcErrorCode, jsonRpcError } from '../core/jsonrpc';
import { logger } from '../core/observability';
import type { HttpRequest, HttpResponse } from '../core/pipeline';

export interface FleetServerOptions {
  readonly port?: number;
  readonly host?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Bodies larger than this are answered 413 without reading further (default: MAX_BODY_BYTES or 1 MiB). */
  readonly maxBodyBytes?: number;
}

export interface FleetServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Stops accepting; idle connections close at once, in-flight requests finish (at most `graceMs`,
   * by default SHUTDOWN_GRACE_MS), then every remaining connection closes (a client still sending
   * its headers is not waited for).
   */
  close(graceMs?: number): Promise<void>;
}

/** The limits that keep one client from holding the process (each from an environment variable). */
export interface ServerLimits {
  /** `HEADERS_TIMEOUT_MS`: a request's headers must all arrive within this (answered 408 otherwise). */
  readonly headersTimeoutMs: number;
  /** `REQUEST_TIMEOUT_MS`: the whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** `MAX_CONNECTIONS`: connections past this many are closed as they arrive. */
  readonly maxConnections: number;
  /**
   * `ALLOWED_HOSTS`: the `Host` values served besides the loopback names (`name` for any port,
   * `name:port` for one); `*` turns the check off. Undefined: unset.
   */
  readonly allowedHosts?: readonly string[];
}

/**
 * The defaults. 10 s for headers is ample for any real client, which sends them in one packet;
 * 20 s for the whole request stays under the 29 s request budget (REQUEST_BUDGET_MS, API Gateway's
 * own limit), so a slow upload cannot eat the time the answer needs. 256 connections: the process
 * also needs descriptors for its upstream connections, Secrets Manager and its logs, and the
 * common `ulimit -n` is 1024; past the cap a flood of idle connections costs new clients a refused
 * connection, not the process its ability to answer anyone.
 */
export const DEFAULT_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 20_000, maxConnections: 256 };

/**
 * After SIGTERM, how long in-flight requests may still run before their connections are closed
 * and the process exits. 25 s: ECS sends SIGKILL 30 s after SIGTERM (the Fargate task's stop
 * timeout), and the process needs a moment after the grace to close its connections and exit 0.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** Longer than the 60 s idle timeout of an ALB, so the server never closes a connection the balancer is about to reuse. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${name} must be a whole number of at least 1, got: ${raw}`);
  return n;
}

/** The node server's limits from the environment; a bad value is a ConfigError naming the variable. */
export function serverLimits(env: NodeJS.ProcessEnv): ServerLimits {
  const headersTimeoutMs = positiveInt(env, 'HEADERS_TIMEOUT_MS', DEFAULT_LIMITS.headersTimeoutMs);
  const requestTimeoutMs = positiveInt(env, 'REQUEST_TIMEOUT_MS', Math.max(DEFAULT_LIMITS.requestTimeoutMs, headersTimeoutMs));
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be over REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request`);
  }
  const maxConnections = positiveInt(env, 'MAX_CONNECTIONS', DEFAULT_LIMITS.maxConnections);
  const hosts = (env.ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of hosts) {
    if (h !== '*' && !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(h)) {
      throw new ConfigError(`ALLOWED_HOSTS must be a comma-separated list of host names, each with an optional :port (IPv6 in brackets), got: ${JSON.stringify(h)}`);
    }
  }
  return { headersTimeoutMs, requestTimeoutMs, maxConnections, allowedHosts: hosts.length > 0 ? hosts : undefined };
}

/** `SHUTDOWN_GRACE_MS` (default {@link DEFAULT_SHUTDOWN_GRACE_MS}); a bad value is a ConfigError naming the variable. */
export function shutdownGraceMs(env: NodeJS.ProcessEnv): number {
  return positiveInt(env, 'SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS);
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1' || address === 'localhost';
}

/** `[::1]:8080` -> `[::1]`, `Localhost:8080` -> `localhost`. */
function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * Which `Host` values this server answers, or undefined when it answers any. Bound to loopback,
 * the loopback names with the port (a page whose name was rebound to 127.0.0.1 sends its own name,
 * so it is refused), plus ALLOWED_HOSTS; bound elsewhere, ALLOWED_HOSTS alone, if set.
 */
function hostCheck(limits: ServerLimits, address: string, port: number): ((host: string | undefined) => boolean) | undefined {
  if (limits.allowedHosts?.includes('*')) return undefined;
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  if (isLoopback(address)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) {
      exact.add(`${name}:${port}`);
      if (port === 80) exact.add(name);
    }
  } else if (!limits.allowedHosts) {
    return undefined;
  }
  for (const h of limits.allowedHosts ?? []) (/:\d+$/.test(h) ? exact : anyPort).add(h);
  return (host) => {
    if (!host) return false;
    const h = host.toLowerCase();
    return exact.has(h) || anyPort.has(hostName(h));
  };
}

const TOO_LARGE = Symbol('too-large');
const CLIENT_GONE = Symbol('client-gone');

/**
 * Reads the body; past `limit` (or a Content-Length over it) it stops reading and answers TOO_LARGE
 * at once. A client that goes away (or is cut off by REQUEST_TIMEOUT_MS) before the body is
 * complete gives CLIENT_GONE: nobody is left to answer.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE | typeof CLIENT_GONE> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(TOO_LARGE);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // 'error' (ECONNRESET "aborted") and 'close' without 'end': the client went away mid-body.
    req.on('error', () => resolve(CLIENT_GONE));
    req.on('close', () => { if (!req.complete) resolve(CLIENT_GONE); });
  });
}

function send(res: ServerResponse, out: HttpResponse, closing: boolean): void {
  res.writeHead(out.status, closing ? { ...out.headers, connection: 'close' } : out.headers);
  res.end(out.body);
}

function rpcError(status: number, message: string): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(jsonRpcError(JsonRpcErrorCode.SERVER_ERROR, message)),
  };
}

export async function startFleetServer(opts: FleetServerOptions = {}): Promise<FleetServer> {
  const env = opts.env ?? process.env;
  const limits = serverLimits(env);
  const defaultGraceMs = shutdownGraceMs(env);
  const answer = lazyHandler(env);
  const limit = opts.maxBodyBytes ?? (Number(env.MAX_BODY_BYTES) || 1024 * 1024);
  let closing = false;
  /** Requests whose handler is running: at shutdown, the remaining connections close when this reaches 0. */
  let inflight = 0;
  let hostAllowed: ((host: string | undefined) => boolean) | undefined;

  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often node looks for connections past those timeouts (its default, 30 s, would let a
    // slow client stay that much longer than the timeout says).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
  }, async (req, res) => {
    inflight++;
    // The request's abort signal, made only when something asks for it (a tool call): most
    // requests never need one, and it is a good part of what a ping costs.
    let abort: AbortController | undefined;
    res.once('close', () => {
      inflight--;
      if (abort && !res.writableFinished) abort.abort();
      if (closing && inflight === 0) server.closeAllConnections();
    });
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    try {
      const host = req.headers.host;
      if (hostAllowed && !hostAllowed(host)) {
        // DNS rebinding: a page of another site whose name now resolves to this machine sends its own name as Host.
        res.once('finish', () => req.socket.destroySoon());
        send(res, rpcError(421, `Misdirected Request: this server does not answer for Host ${JSON.stringify(String(host ?? '').slice(0, 100))}; set ALLOWED_HOSTS to serve it`), true);
        return;
      }
      const body = await readBody(req, limit);
      if (body === CLIENT_GONE) {
        // Routine (a cancelled upload, a dropped network, REQUEST_TIMEOUT_MS): nothing is wrong with the server.
        logger.debug('the client went away before its request was read', { path });
        return;
      }
      if (body === TOO_LARGE) {
        // Connection: close, and the socket goes once the answer is out: the rest of the body is never read.
        res.once('finish', () => req.socket.destroySoon());
        send(res, rpcError(413, `Payload Too Large: the request body is over ${limit} bytes`), true);
        return;
      }
      // Same origin: a page served from a Host this server answers for (only such a Host can be trusted to name the origin).
      const origin = req.headers.origin;
      const sameOrigin = hostAllowed !== undefined && origin !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers as Record<string, string | undefined>,
        body: body === '' && (req.method === 'GET' || req.method === 'HEAD') ? undefined : body,
        get signal() {
          if (!abort) {
            abort = new AbortController();
            // Asked for after the client went away: already aborted.
            if (res.closed && !res.writableFinished) abort.abort();
          }
          return abort.signal;
        },
        sameOrigin,
      };
      send(res, await answer(request), closing);
    } catch (err) {
      logger.error('unhandled request failure', { path, error: (err as Error)?.name });
      if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal_error' }) }, closing);
      else res.destroy();
    }
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = limits.maxConnections;
  let lastDropWarning = -Infinity;
  server.on('drop', () => {
    // Once a minute at most: a flood must not turn into a flood of log lines.
    if (Date.now() - lastDropWarning < 60_000) return;
    lastDropWarning = Date.now();
    logger.warn('refusing connections: MAX_CONNECTIONS reached', { maxConnections: limits.maxConnections });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  hostAllowed = hostCheck(limits, addr.address, addr.port);
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  if (!hostAllowed && (addr.address === '0.0.0.0' || addr.address === '::')) {
    logger.warn('listening on every interface without ALLOWED_HOSTS: any Host is answered, so a web page whose name is rebound '
      + 'to this machine can reach the servers; set ALLOWED_HOSTS to the names clients use, or listen on 127.0.0.1', { host: addr.address, port: addr.port });
  }
  const authMode = (env.AUTH_MODE ?? '').trim().toLowerCase() || 'none';
  if (authMode === 'none' && !isLoopback(addr.address)) {
    logger.warn('AUTH_MODE=none on a non-loopback address: anyone who reaches this port uses the servers with their upstream credentials; '
      + 'set AUTH_MODE=oauth and AUTH_ISSUER, or listen on 127.0.0.1', { host: addr.address, port: addr.port });
  }
  if ((env.ALLOWED_ORIGINS ?? '').split(',').some((o) => o.trim() === '*')) {
    logger.warn('ALLOWED_ORIGINS=* lets a page of any web site call these servers from a browser; list the origins instead');
  }

  return {
    url: `http://${hostForUrl}:${addr.port}`,
    server,
    close(graceMs = defaultGraceMs) {
      closing = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          // Past the grace the caller is about to be killed anyway: what is still running is cut, and said so.
          if (inflight > 0) logger.warn('shutdown grace elapsed: closing the connections of requests still running', { inflight, graceMs });
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
        // Nothing in flight: what is left is a client still sending (or trickling) its request; it is not waited for.
        if (inflight === 0) server.closeAllConnections();
      });
    },
  };
}

const USAGE = `Usage: mcp-fleet serve [--port 8080] [--host 127.0.0.1]

Runs the MCP servers named in MCP_SERVERS (default: gitlab) over Streamable HTTP:
  POST /<server>/mcp   MCP endpoint        GET /<server>/health, GET /health
Each server reads its own variables, e.g. GITLAB_API_URL, GITLAB_TOKEN or
GITLAB_TOKEN_SECRET_ARN, GITLAB_ALLOW_WRITES=true.
On loopback only Host localhost, 127.0.0.1 or [::1] (with the port) is answered;
ALLOWED_HOSTS=name[:port],... adds names (* for any).
Listens on HOST (127.0.0.1) and PORT (8080); --host and --port win over them. The container
image sets HOST=0.0.0.0 PORT=8080; its Fargate task adds ALLOWED_HOSTS=*.
Limits: HEADERS_TIMEOUT_MS (10000), REQUEST_TIMEOUT_MS (20000), MAX_CONNECTIONS (256).
On SIGTERM or SIGINT it stops accepting connections, lets in-flight requests finish for at most
SHUTDOWN_GRACE_MS (25000), closes what is left and exits 0.
Authentication is off by default (AUTH_MODE=none). AUTH_MODE=oauth with AUTH_ISSUER=<issuer URL>
checks bearer tokens (AUTH_AUDIENCE, AUTH_REQUIRED_SCOPES, AUTH_WRITE_SCOPES, AUTH_JWKS_URL);
metadata: GET /.well-known/oauth-protected-resource/<server>/mcp.`;

/** `mcp-fleet serve`: multi-server mode with the servers configured in the environment. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`${command ? `Unknown command: ${command}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const parsePort = (v: string) => (/^\d{1,5}$/.test(v.trim()) && Number(v) <= 65535 ? Number(v) : undefined);
  let port = 8080;
  if (process.env.PORT !== undefined && process.env.PORT.trim() !== '') {
    const p = parsePort(process.env.PORT);
    if (p === undefined) {
      process.stderr.write(`PORT must be a whole number from 0 to 65535, got: ${process.env.PORT}\n`);
      return 2;
    }
    port = p;
  }
  let host = process.env.HOST || '127.0.0.1';
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag === '--port' && value !== undefined) {
      const p = parsePort(value);
      if (p === undefined) {
        process.stderr.write(`--port must be a whole number from 0 to 65535, got: ${value}\n`);
        return 2;
      }
      port = p;
      i++;
    } else if (flag === '--host' && value !== undefined) {
      host = value;
      i++;
    } else {
      process.stderr.write(`Unknown option: ${flag}\n${USAGE}\n`);
      return 2;
    }
  }
  const env = { ...process.env };
  if (!env.MCP_SERVERS && !env.SERVER_NAME) env.MCP_SERVERS = 'gitlab';
  // DESIGN.md: a bad value stops the process at start, naming the variable.
  let grace: number;
  try {
    loadConfig(env, BACKEND_SOURCES);
    serverLimits(env);
    grace = shutdownGraceMs(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`mcp-fleet: ${redactUrls(err.message)}\n`);
    return 2;
  }
  const fleet = await startFleetServer({ port, host, env });
  const names = (env.MCP_SERVERS ?? env.SERVER_NAME ?? '').split(',').map((s) => s.split(':')[0].trim()).filter(Boolean);
  // The signal handlers come before the line that says the server is up: a supervisor (or a test)
  // that stops the process as soon as it reads that line must find them installed.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal} received: finishing in-flight requests (at most ${grace / 1000} s, SHUTDOWN_GRACE_MS)\n`);
      void fleet.close(grace).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.stdout.write(`mcp-fleet listening on ${fleet.url}\n${names.map((n) => `  ${fleet.url}/${n}/mcp`).join('\n')}\n`);
  await stopped;
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`mcp-fleet: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
