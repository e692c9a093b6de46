/**
 * A generic fake HTTP API on 127.0.0.1 (node:http, a random port). A SaaS fake (GitLab, Jira...)
 * builds on it by supplying routes and data only; the recording, canned answers, delays, dropped
 * connections and shutdown live here once.
 *
 *   const api = await startFakeHttpApi({
 *     basePath: '/api/v4',                                   // `api.url` ends with it
 *     before: (req) => req.headers['private-token'] === 'bad' ? { status: 401, body: { message: '401 Unauthorized' } } : undefined,
 *     routes: [
 *       { method: 'GET', path: '/api/v4/projects', handle: (req) => ({ body: [{ id: 42 }], headers: { 'x-next-page': '' } }) },
 *       { method: 'GET', path: /^\/api\/v4\/projects\/([^/]+)$/, handle: (req, m) => ({ body: { id: m[1] } }) },
 *     ],
 *   });
 *   api.queue('GET', /\/projects$/, { status: 503, headers: { 'retry-after': '0' } }); // the next matching request, once
 *   api.queueAny({ close: true });                                                     // the next request of any route, once
 *   ... api.requests[0].queryAll['statuses[]'] ...
 *   await api.close();
 *
 * Order for each request: it is recorded; a queued answer for its method and path (oldest first),
 * else a queued answer for any request, else `before`, else the first route whose method and path
 * match and whose handler returns an answer, else `notFound` (default: 404 `{"message":"404 Not found"}`).
 *
 * An answer (`FakeAnswer`) is data: status (default 200), headers, body (a string is sent as it is,
 * `text/plain` unless a content-type is given; a Buffer as bytes; anything else, `null` included,
 * as JSON; `undefined` is an empty body), `delayMs` before answering, `close` to destroy the socket
 * without an answer, `redirect` to answer 302 (or `status`) with that Location, and `repeat` to
 * send the body that many times (large answers without building them in memory).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The raw (still encoded) path without the query, e.g. `/api/v4/projects/platform%2Ffleet`. */
  readonly path: string;
  /** The query string as sent, without `?` (`''` when there is none). */
  readonly rawQuery: string;
  /** One value per key (the last one when a key repeats): `{ page: '2' }`. */
  readonly query: Record<string, string>;
  /** Every value of every key, in order: `{ 'statuses[]': ['a', 'b'] }`. */
  readonly queryAll: Record<string, string[]>;
  /** Header names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Record<string, string | undefined>;
  /** The body as text (`''` when there is none). */
  readonly text: string;
  /** The body parsed as JSON; the text when it is not JSON; `undefined` when empty. */
  readonly body: unknown;
  /** When the request arrived (`performance.now()` of the test process): orders attempts and measures a client's pauses. */
  readonly receivedAt: number;
  /** How the fake answered, once it has (bytes of body written, and whether the whole body was sent). */
  response?: { status: number; bytesSent: number; complete: boolean };
}

export interface FakeAnswer {
  /** Default 200 (302 with `redirect`). */
  readonly status?: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: unknown;
  /** Wait this long before answering (or before closing). */
  readonly delayMs?: number;
  /** Destroy the connection instead of answering. */
  readonly close?: boolean;
  /** Answer with this `Location` (status 302 unless `status` is given). */
  readonly redirect?: string;
  /** Send the (string or Buffer) body this many times, streamed with back-pressure; default 1. */
  readonly repeat?: number;
}

export interface FakeRoute {
  /** An HTTP method, or `*` for any. */
  readonly method: string;
  /** The raw path exactly, or a regex tested on the raw path. */
  readonly path: string | RegExp;
  /** The answer, or `undefined` to let the next route try. The match holds regex groups (for a string path: the path). */
  handle(req: RecordedRequest, match: RegExpExecArray): FakeAnswer | undefined | Promise<FakeAnswer | undefined>;
}

export interface FakeHttpApiOptions {
  /** Appended to the origin in `url`, e.g. `/api/v4` (default `''`). */
  readonly basePath?: string;
  readonly routes?: readonly FakeRoute[];
  /** Runs before the routes (not before queued answers): answer to refuse (e.g. a 401), `undefined` to go on. */
  readonly before?: (req: RecordedRequest) => FakeAnswer | undefined;
  /** The answer when no route answers. */
  readonly notFound?: (req: RecordedRequest) => FakeAnswer;
}

export interface FakeHttpApi {
  /** Origin plus `basePath`, e.g. `http://127.0.0.1:41234/api/v4`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request, in arrival order (clear it with `requests.length = 0`). */
  readonly requests: RecordedRequest[];
  /** Answers the next request(s) matching method (`*`: any) and path (regex on the raw path, or the exact path) with `answer`, once each (an array: one per request, in order). */
  queue(method: string, path: RegExp | string, answer: FakeAnswer | readonly FakeAnswer[]): void;
  /** Answers the next request(s) of any method and path, once each (after the route-specific queue). */
  queueAny(answer: FakeAnswer | readonly FakeAnswer[]): void;
  /** Adds a route after the ones given at start. */
  route(route: FakeRoute): void;
  /** Forgets recorded requests and queued answers. */
  reset(): void;
  /** Stops the server: pending delays are cancelled and open connections closed. */
  close(): Promise<void>;
}

interface Queued {
  readonly method: string;
  readonly path: RegExp | string;
  readonly answer: FakeAnswer;
}

const matchPath = (pattern: RegExp | string, path: string): RegExpExecArray | null => {
  if (typeof pattern === 'string') {
    if (pattern !== path) return null;
    const m = [path] as unknown as RegExpExecArray;
    m.index = 0;
    m.input = path;
    return m;
  }
  pattern.lastIndex = 0;
  return pattern.exec(path);
};
const matchMethod = (pattern: string, method: string) => pattern === '*' || pattern.toUpperCase() === method;

function record(req: IncomingMessage, raw: Buffer): RecordedRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const params = new URLSearchParams(rawQuery);
  const queryAll: Record<string, string[]> = {};
  for (const [k, v] of params) (queryAll[k] ??= []).push(v);
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', path, rawQuery, query: Object.fromEntries(params), queryAll, headers, text, body, receivedAt: performance.now() };
}

/** Writes `answer` to `res`, streaming repeated bodies with back-pressure; records what was sent. */
function send(res: ServerResponse, answer: FakeAnswer, recorded: RecordedRequest): void {
  if (res.destroyed) return;
  if (answer.close) {
    res.socket?.destroy();
    return;
  }
  const status = answer.status ?? (answer.redirect !== undefined ? 302 : 200);
  const b = answer.body;
  const chunk: Buffer = b === undefined ? Buffer.alloc(0)
    : typeof b === 'string' ? Buffer.from(b)
      : Buffer.isBuffer(b) ? b
        : Buffer.from(JSON.stringify(b));
  const contentType = typeof b === 'string' ? 'text/plain; charset=utf-8' : Buffer.isBuffer(b) ? 'application/octet-stream' : 'application/json';
  const headers: Record<string, string | string[]> = { 'content-type': contentType };
  for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v;
  if (answer.redirect !== undefined) headers.location = answer.redirect;
  const repeat = Math.max(0, Math.floor(answer.repeat ?? 1));
  headers['content-length'] = String(chunk.length * repeat);
  const sent = { status, bytesSent: 0, complete: false };
  recorded.response = sent;
  res.writeHead(status, headers);
  let left = repeat;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left--;
      sent.bytesSent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) {
      res.end();
      sent.complete = true;
    }
  };
  pump();
}

export async function startFakeHttpApi(opts: FakeHttpApiOptions = {}): Promise<FakeHttpApi> {
  const requests: RecordedRequest[] = [];
  const routes: FakeRoute[] = [...(opts.routes ?? [])];
  const queued: Queued[] = [];
  const anyQueued: FakeAnswer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const notFound = opts.notFound ?? (() => ({ status: 404, body: { message: '404 Not found' } }));

  async function answerFor(recorded: RecordedRequest): Promise<FakeAnswer> {
    const i = queued.findIndex((q) => matchMethod(q.method, recorded.method) && matchPath(q.path, recorded.path));
    if (i >= 0) return queued.splice(i, 1)[0].answer;
    if (anyQueued.length > 0) return anyQueued.shift()!;
    const refused = opts.before?.(recorded);
    if (refused) return refused;
    for (const r of routes) {
      if (!matchMethod(r.method, recorded.method)) continue;
      const m = matchPath(r.path, recorded.path);
      if (!m) continue;
      const answer = await r.handle(recorded, m);
      if (answer) return answer;
    }
    return notFound(recorded);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks));
      requests.push(recorded);
      answerFor(recorded).then((answer) => {
        if (!answer.delayMs) return send(res, answer, recorded);
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, answer, recorded);
        }, answer.delayMs);
        timers.add(timer);
      }, (err: Error) => {
        // A route that throws is a bug in the fake's data: answer 500 with the reason, visible in the test.
        send(res, { status: 500, body: { message: `fake route failed: ${err.message}` } }, recorded);
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const list = (a: FakeAnswer | readonly FakeAnswer[]): readonly FakeAnswer[] => (Array.isArray(a) ? a : [a as FakeAnswer]);

  return {
    url: origin + (opts.basePath ?? ''),
    origin,
    requests,
    queue: (method, path, answer) => {
      for (const a of list(answer)) queued.push({ method, path, answer: a });
    },
    queueAny: (answer) => {
      anyQueued.push(...list(answer));
    },
    route: (r) => {
      routes.push(r);
    },
    reset: () => {
      requests.length = 0;
      queued.length = 0;
      anyQueued.length = 0;
    },
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
