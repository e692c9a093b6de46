/**
 * HTTP below `fetch`: sockets that send what a misbehaving client sends (headers that never end, a
 * body that trickles or stops), requests with a `Host` of the test's choosing, and bounded waits.
 */
import { request, type Agent } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawSocket {
  readonly socket: Socket;
  /** Resolves when the socket has closed (whoever closed it). */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Everything the server sent so far. */
  received(): string;
}

/** A TCP connection to `url`'s host and port; `first` is written once it is connected. */
export function openSocket(url: string, first?: string): Promise<RawSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    let closedFlag = false;
    socket.on('data', (d: Buffer) => { data += d.toString('latin1'); });
    socket.on('error', () => undefined); // a refused or reset connection is an outcome the tests read, not a failure
    const closed = new Promise<void>((done) => socket.once('close', () => { closedFlag = true; done(); }));
    socket.once('connect', () => {
      if (first !== undefined) socket.write(first);
      resolve({ socket, closed, isClosed: () => closedFlag, received: () => data });
    });
    socket.once('error', reject);
  });
}

/** `'done'` when `p` settles within `ms`, `'timed out'` otherwise: a bound on a wait, never a figure to assert. */
export async function within(ms: number, p: Promise<unknown>): Promise<'done' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => { timer = setTimeout(() => resolve('timed out'), ms); });
  try {
    return await Promise.race([p.then(() => 'done' as const, () => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `everyMs`, at most `tries` times; true as soon as it holds. */
export async function eventually(check: () => boolean | Promise<boolean>, tries = 100, everyMs = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with exactly these headers (`Host` included, which `fetch` does not let a caller set). */
export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly agent?: Agent;
}

export function send(url: string, opts: SendOptions = {}): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: Number(u.port),
      path: `${u.pathname}${u.search}`,
      method: opts.method ?? 'GET',
      headers: { ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
      agent: opts.agent ?? false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const MCP_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };

export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http-test', version: '1.0.0' } },
});
