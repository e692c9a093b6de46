/**
 * Node `http` entry point: the container's process on ECS and `mcp-fleet serve` locally.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BACKENDS } from '../backends';
import { ConfigError, loadConfig, redactUrls } from '../core/config';
import { logger } from '../core/observability';
import type { HttpRequest, HttpResponse } from '../core/pipeline';
import { lazyHandler } from './compose';

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
  /** Stops accepting, lets in-flight requests finish, and resolves when all connections are closed. */
  close(graceMs?: number): Promise<void>;
}

const TOO_LARGE = Symbol('too-large');

/** Reads the body; past `limit` (or a Content-Length over it) it stops reading and answers TOO_LARGE at once. */
function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
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
    req.on('error', reject);
  });
}

function send(res: ServerResponse, out: HttpResponse, closing: boolean): void {
  const headers: Record<string, string> = { ...out.headers };
  if (closing) headers.connection = 'close';
  res.writeHead(out.status, headers);
  res.end(out.body);
}

export async function startFleetServer(opts: FleetServerOptions = {}): Promise<FleetServer> {
  const env = opts.env ?? process.env;
  const answer = lazyHandler(env);
  const limit = opts.maxBodyBytes ?? (Number(env.MAX_BODY_BYTES) || 1024 * 1024);
  let closing = false;

  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    try {
      const body = await readBody(req, limit);
      if (body === TOO_LARGE) {
        // Connection: close, and the socket goes once the answer is out: the rest of the body is never read.
        res.once('finish', () => req.socket.destroySoon());
        send(res, {
          status: 413,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `Payload Too Large: the request body is over ${limit} bytes` }, id: null }),
        }, true);
        return;
      }
      const abort = new AbortController();
      res.on('close', () => { if (!res.writableFinished) abort.abort(); });
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers as Record<string, string | undefined>,
        body: body === '' && (req.method === 'GET' || req.method === 'HEAD') ? undefined : body,
        signal: abort.signal,
      };
      send(res, await answer(request), closing);
    } catch (err) {
      logger.error('unhandled request failure', { path, error: (err as Error)?.name });
      if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal_error' }) }, closing);
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${hostForUrl}:${addr.port}`,
    server,
    close(graceMs = 30_000) {
      closing = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

const USAGE = `Usage: mcp-fleet serve [--port 8080] [--host 127.0.0.1]

Runs the MCP servers named in MCP_SERVERS (default: gitlab) over Streamable HTTP:
  POST /<server>/mcp   MCP endpoint        GET /<server>/health, GET /health
Each server reads its own variables, e.g. GITLAB_API_URL, GITLAB_TOKEN or
GITLAB_TOKEN_SECRET_ARN, GITLAB_ALLOW_WRITES=true.`;

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
  try {
    loadConfig(env, BACKENDS);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`mcp-fleet: ${redactUrls(err.message)}\n`);
    return 2;
  }
  const fleet = await startFleetServer({ port, host, env });
  const names = (env.MCP_SERVERS ?? env.SERVER_NAME ?? '').split(',').map((s) => s.split(':')[0].trim()).filter(Boolean);
  process.stdout.write(`mcp-fleet listening on ${fleet.url}\n${names.map((n) => `  ${fleet.url}/${n}/mcp`).join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal} received: finishing in-flight requests (at most 30 s)\n`);
      void fleet.close(30_000).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`mcp-fleet: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
