/**
 * The upstream HTTP client every backend uses: fetch (keep-alive through undici), a timeout that
 * fits inside the request's remaining time budget, retries with jittered backoff on
 * 429/502/503/504 that honour Retry-After when it fits the budget, and one credential refresh
 * and retry after a 401 when the credential comes from Secrets Manager.
 *
 * Memory: at most MAX_CONCURRENT_UPSTREAM calls per process read at once, and each reads no more
 * than its answer can use (JSON up to MAX_JSON_BYTES, text up to MAX_TEXT_BYTES, error bodies up
 * to MAX_ERROR_BODY_BYTES), so no request can hold more than a few of those in memory at once.
 *
 * Credentials: every answer is redacted here, in one place, before anything reads or cuts it:
 * the body text before it is parsed, the headers, the Location of a redirect, error text.
 */
import type { ServerConfig } from './config';
import type { CredentialStore } from './credentials';
import { logger, traced } from './observability';
import type { Credentials, UpstreamClient, UpstreamFailure, UpstreamRequest, UpstreamResponse } from './types';
import { checkUpstreamUrl, redactUrl } from '../../src/contract';

const RETRYABLE = new Set([429, 502, 503, 504]);
/** A write answered 502/503/504 may already have been applied; only 429 (refused up front) is retried. */
const RETRYABLE_WRITE = new Set([429]);

/**
 * The largest JSON answer read. Tool answers are cut at 60,000 characters, so a JSON answer is
 * worth reading only up to what a page of picked fields needs: 1 MB is a page of 100 objects of
 * 10 KB (the old limit, 8 MB, let ten calls of one batch hold ~300 MB). Parsing takes about 3
 * times its size in heap (small objects, the worst case).
 */
export const MAX_JSON_BYTES = 1024 * 1024;
/**
 * The most rows a JSON list answer may have. An answer of 60,000 characters shows far fewer, and
 * APIs page by 100 (GitLab) to 1,000; a list of tens of thousands of tiny rows (which 1 MB can
 * hold) would cost a tool ten times its bytes in objects before it could cut anything.
 */
export const MAX_JSON_ROWS = 1_000;
/**
 * The most of a text answer kept: its start (or its end with `keep: 'tail'`, e.g. a job log).
 * 60,000 characters are at most 240 KB of UTF-8; the rest is never read (or, for a tail, read
 * and dropped as it streams).
 */
export const MAX_TEXT_BYTES = 256 * 1024;
/** An error body is only quoted in a sentence: its start is enough. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/**
 * Tool calls (with their upstream calls) one process runs at once; the others wait for a slot
 * within their time budget. A call at the read limits above leaves tens of MB behind it (answer,
 * parse, mapped rows, the young generation V8 grows meanwhile), so in Lambda it is one call per
 * 256 MB of function memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`): a 256 MB function answers a batch
 * one call after the other and stays under half its memory. Elsewhere (the node server) 8.
 */
export const MAX_CONCURRENT_UPSTREAM = defaultConcurrency(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);

/** One slot per 256 MB of Lambda memory (1 to 16), or 8 outside Lambda. */
export function defaultConcurrency(lambdaMemoryMb: string | undefined): number {
  const mb = Number(lambdaMemoryMb);
  if (!lambdaMemoryMb || !Number.isFinite(mb) || mb <= 0) return 8;
  return Math.min(16, Math.max(1, Math.floor(mb / 256)));
}

/** An answer body over the size limit (for text answers this never happens: they are cut). */
class BodyTooLarge extends Error {}

type ReadMode = 'json' | 'head' | 'tail';
interface Body {
  readonly text: string;
  /** Bytes read from the network. */
  readonly bytes: number;
  /** Bytes not kept: read and dropped (tail), or known from Content-Length and never read (head). */
  readonly dropped: number;
  /** Which end of a longer body was cut off (a credential may straddle it). */
  readonly cut?: 'start' | 'end';
}

/**
 * A tail read streams the whole body through (a job log can be 100 MB) and drops all but its end.
 * The dropped chunks are garbage whose memory V8 reclaims only once its external-memory soft limit
 * (64 MB) is reached: a quarter of a 256 MB function. Where node runs with `--expose-gc` (the
 * Lambda Node.js runtime starts it so) a minor collection every 4 MB read keeps that garbage small;
 * it takes about a millisecond, against the tens of milliseconds 4 MB take to arrive. Elsewhere
 * nothing happens. (The benchmark's peak RSS figure shows the difference: 131 MB -> 110 MB.)
 */
const TAIL_SWEEP_BYTES = 4 * 1024 * 1024;
/** The same after a tool call that read this much: its parsed answer and mapped rows are garbage once it has answered. */
const SWEEP_AFTER_BYTES = 256 * 1024;
function sweepYoung(): void {
  (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
}

/** A UTF-8 continuation byte: a cut there would split a character. */
const isContinuation = (b: number) => b >= 0x80 && b < 0xc0;

/**
 * Reads a body within `limit` bytes. `json`: over it, stops and throws. `head`: keeps the first
 * `limit` bytes and stops reading. `tail`: reads to the end, keeping only the last `limit` bytes.
 * A cut never splits a UTF-8 character.
 */
async function readBody(res: Response, limit: number, mode: ReadMode, held: SlotHold | undefined): Promise<Body> {
  if (!res.body) return { text: '', bytes: 0, dropped: 0 };
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (mode === 'json' && declared > limit) {
    await res.body.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let stopped = false;
  let nextSweep = TAIL_SWEEP_BYTES;
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    const chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    total += chunk.length;
    chunks.push(chunk);
    kept += chunk.length;
    if (kept > limit) {
      if (mode === 'json') {
        await res.body.cancel().catch(() => undefined);
        throw new BodyTooLarge();
      }
      if (mode === 'head') {
        stopped = true;
        break; // leaving the loop cancels the stream: the rest is never read
      }
      while (kept - chunks[0].length >= limit) kept -= chunks.shift()!.length;
    }
    if (mode === 'tail' && total - kept >= nextSweep) {
      nextSweep += TAIL_SWEEP_BYTES;
      sweepYoung();
    }
  }
  let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  chunks.length = 0;
  if (buf.length > limit) {
    if (mode === 'head') {
      let end = limit;
      while (end > 0 && isContinuation(buf[end])) end--;
      buf = buf.subarray(0, end);
    } else {
      let start = buf.length - limit;
      while (start < buf.length && isContinuation(buf[start])) start++;
      buf = buf.subarray(start);
    }
  }
  const dropped = mode === 'head' ? (stopped && declared > buf.length ? declared - buf.length : 0) : total - buf.length;
  const cut = mode === 'head' ? (stopped ? 'end' : undefined) : total > buf.length ? 'start' : undefined;
  if (held) held.bytes += total;
  return { text: buf.toString('utf8'), bytes: total, dropped, ...(cut ? { cut } : {}) };
}

/** Upstream calls in flight in this process, and the calls waiting for one to end. */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private limit: number) {}

  public get size(): number {
    return this.limit;
  }

  public resize(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    while (this.active < this.limit && this.waiting.length > 0) this.grant();
  }

  /**
   * Resolves with the release function once a slot is free; rejects when the signal aborts first
   * (made only when the call has to wait: a free slot costs no timer).
   */
  public acquire(signalOf: () => AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    const signal = signalOf();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
  }

  private grant(): void {
    this.active++;
    this.waiting.shift()!();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      if (this.waiting.length > 0 && this.active < this.limit) this.grant();
    };
  }
}

const slots = new Slots(MAX_CONCURRENT_UPSTREAM);

/**
 * A slot a tool call holds for all of its upstream calls (see withUpstreamSlot): given to the
 * upstream client it creates, whose calls then take no slot of their own and count the bytes
 * they read here. Passed explicitly rather than through AsyncLocalStorage, whose promise hooks
 * would slow every promise of the process.
 */
export interface SlotHold {
  bytes: number;
}

/** Sets how many upstream calls this process makes at once (a server with more memory may allow more). */
export function setUpstreamConcurrency(limit: number): void {
  slots.resize(limit);
}

/**
 * Runs `fn` (a tool call) holding one upstream slot for all of it: its upstream calls take no
 * slot of their own, and what it builds from their answers (mapped rows, the answer text) counts
 * against the same limit. Waits for a slot until `deadline` (less the time kept to answer).
 */
export async function withUpstreamSlot<T>(
  what: string, deadline: number, signal: AbortSignal | undefined, fn: (held: SlotHold) => Promise<T>,
): Promise<T> {
  const waitMs = Math.max(0, deadline - Date.now() - SAFETY_MS);
  const wait = () => (signal ? AbortSignal.any([AbortSignal.timeout(waitMs), signal]) : AbortSignal.timeout(waitMs));
  let release: () => void;
  const held: SlotHold = { bytes: 0 };
  try {
    release = await slots.acquire(wait);
  } catch {
    throw new UpstreamError(`${what} was not run: this process's ${slots.size} upstream slots stayed busy for ${Math.round(waitMs / 100) / 10} s (send fewer calls at once)`);
  }
  try {
    return await fn(held);
  } finally {
    release();
    // What the call built from a large answer is garbage now: see SWEEP_AFTER_BYTES.
    if (held.bytes >= SWEEP_AFTER_BYTES) sweepYoung();
  }
}

/** Time kept back from the budget to turn a failure into an answer. */
const SAFETY_MS = 500;

/** An upstream call that failed; `message` is meant for the person using the tool. */
export class UpstreamError extends Error {
  constructor(message: string, public readonly failure?: UpstreamFailure) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamClientOptions {
  readonly server: ServerConfig;
  readonly credentials: CredentialStore;
  /** Epoch ms by which the whole tool call must be answered. */
  readonly deadline: number;
  /** Per-attempt timeout (capped by the deadline). */
  readonly attemptTimeoutMs: number;
  readonly tool?: string;
  readonly signal?: AbortSignal;
  /** The request's id, for log lines. */
  readonly requestId?: string;
  /** The slot of the tool call this client serves (withUpstreamSlot); absent: each call takes a slot. */
  readonly held?: SlotHold;
  readonly maxRetries?: number;
  /** Base of the exponential backoff, in ms. */
  readonly backoffBaseMs?: number;
}

const DAY_MS = 86_400_000;

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, DAY_MS); // delay-seconds is 1*DIGIT
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), DAY_MS);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * How long a 429 asks to wait (ms), from the headers the APIs behind this runtime send: Retry-After
 * first, else the reset of the rate-limit window (`RateLimit-Reset` / `X-RateLimit-Reset`), whose
 * form differs by API: seconds until the reset (PagerDuty, the IETF draft), a Unix time in seconds
 * (GitLab), milliseconds or microseconds (Dynatrace), or an ISO 8601 date (Jira). Undefined: no hint.
 */
export function retryHint(headers: Headers, status: number, now = Date.now()): number | undefined {
  const after = parseRetryAfter(headers.get('retry-after'), now);
  if (after !== undefined || status !== 429) return after;
  const reset = (headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset'))?.trim();
  if (!reset) return undefined;
  let at: number;
  if (/^\d+(?:\.\d+)?$/.test(reset)) {
    const n = Number(reset);
    if (n >= 1e14) at = n / 1000; // microseconds since the epoch
    else if (n >= 1e11) at = n; // milliseconds
    else if (n >= 1e9) at = n * 1000; // seconds
    else return Math.min(n * 1000, DAY_MS); // seconds from now
  } else {
    at = Date.parse(reset);
    if (Number.isNaN(at)) return undefined;
  }
  return Math.min(Math.max(0, at - now), DAY_MS);
}

/** A `.` or `..` segment (also %2e-encoded) is resolved away by the URL parser: `/projects/../issues` is `/issues`. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

type QueryValue = string | number | boolean | undefined;

function buildUrl(base: string, req: UpstreamRequest): URL {
  if (req.path.split('/').some((seg) => DOT_SEGMENT.test(seg))) {
    throw new UpstreamError(`refusing to call ${req.path}: a path segment is "." or ".." (check project_id and file_path)`);
  }
  const url = new URL(base + req.path);
  // An array repeats its key, as Rails-style APIs expect: `statuses[]=a&statuses[]=b`.
  const query = (req.query ?? {}) as Readonly<Record<string, QueryValue | readonly QueryValue[] | undefined>>;
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) {
      for (const item of v as readonly QueryValue[]) if (item !== undefined && item !== '') url.searchParams.append(k, String(item));
    } else if (v !== undefined && v !== '') {
      url.searchParams.set(k, String(v));
    }
  }
  return url;
}

/** `extra` without the headers `taken` sets (names compare case-insensitively, as HTTP's do). */
function withoutNames(extra: Readonly<Record<string, string>>, taken: Readonly<Record<string, string>>): Record<string, string> {
  const names = new Set(Object.keys(taken).map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(extra).filter(([k]) => !names.has(k.toLowerCase())));
}

/** A backend's other base URL (`UpstreamRequest.baseUrl`), held to the configured URL's rules. */
function checkedBaseUrl(value: string): string {
  const problem = checkUpstreamUrl(value);
  if (problem) throw new UpstreamError(`refusing to call ${redactUrl(value)}: the URL ${problem.message}`);
  return value.replace(/\/+$/, '');
}

/** The most specific reason fetch gives for a failed connection (ECONNREFUSED, ENOTFOUND...). */
function networkCause(err: unknown): string {
  // Never fetch's own message: it can quote the URL (user:password included).
  type Cause = { code?: string; message?: string; errors?: Cause[]; cause?: Cause };
  const cause = (err as Cause)?.cause;
  // A TypeError without a cause is fetch refusing to build the request (a header value or URL it rejects).
  if (!cause && (err as Error)?.name === 'TypeError') return 'the request could not be built (check the credential and the URL for characters HTTP does not allow)';
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? cause?.cause?.code ?? cause?.message ?? (err as Error)?.name ?? 'network error';
}

const REDACTED = '[REDACTED]';
/** Shorter values are not replaced: they would match ordinary text. */
const MIN_SECRET_CHARS = 6;
/** A cut can leave this much of a credential at the edge of the text; shorter pieces are left. */
const MIN_FRAGMENT_CHARS = 4;

/**
 * Replaces credentials in what an upstream answered: an upstream, or a proxy in front of it, may
 * echo the token (in a body, a paging header, a redirect, an error). Each value is matched as
 * given, URL-encoded and JSON-escaped; a value in an `Authorization` header also without its
 * scheme (the Base64 of Basic credentials is what an echo shows).
 */
export class Redactor {
  private readonly secrets: readonly string[];
  /** The values as sent, for the pieces a cut leaves at an edge. */
  private readonly raw: readonly string[];

  constructor(values: Iterable<string | undefined>) {
    const raw = new Set<string>();
    for (const v of values) {
      if (!v || v.length < MIN_SECRET_CHARS) continue;
      raw.add(v);
      const scheme = /^(?:basic|bearer|token)\s+(\S+)$/i.exec(v);
      if (scheme && scheme[1].length >= MIN_SECRET_CHARS) raw.add(scheme[1]);
    }
    const all = new Set<string>();
    for (const v of raw) {
      all.add(v);
      all.add(encodeURIComponent(v));
      const escaped = JSON.stringify(v).slice(1, -1);
      all.add(escaped);
      all.add(escaped.replace(/\//g, '\\/'));
    }
    // Longest first: a value that contains another is replaced whole.
    this.secrets = [...all].sort((x, y) => y.length - x.length);
    this.raw = [...raw].sort((x, y) => y.length - x.length);
  }

  public get empty(): boolean {
    return this.secrets.length === 0;
  }

  /**
   * `text` without credentials. `cut` says which edges of `text` were cut from a longer body:
   * a credential's start left at a cut end (or its end at a cut start) is replaced too.
   */
  public text(text: string, cut: { readonly start?: boolean; readonly end?: boolean } = {}): string {
    let out = text;
    for (const v of this.secrets) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const v of this.raw) {
      if (cut.end) {
        for (let k = Math.min(v.length - 1, out.length); k >= MIN_FRAGMENT_CHARS; k--) {
          if (out.endsWith(v.slice(0, k))) {
            out = out.slice(0, out.length - k) + REDACTED;
            break;
          }
        }
      }
      if (cut.start) {
        for (let k = Math.min(v.length - 1, out.length); k >= MIN_FRAGMENT_CHARS; k--) {
          if (out.startsWith(v.slice(v.length - k))) {
            out = REDACTED + out.slice(k);
            break;
          }
        }
      }
    }
    return out;
  }

  /** A parsed JSON value with every string redacted (for JSON whose escapes could hide a credential from the text pass). */
  public value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (!value || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.value(value[i], depth + 1);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) obj[k] = this.value(obj[k], depth + 1);
    return value;
  }

  /** The headers with credentials replaced in their values (the same object when none has one). */
  public headers(headers: Headers): Headers {
    let changed: Headers | undefined;
    headers.forEach((v, k) => {
      const clean = this.text(v);
      if (clean === v) return;
      changed ??= new Headers(headers);
      changed.set(k, clean);
    });
    return changed ?? headers;
  }
}

/** Replaces every credential value in `text`. */
export function redact(text: string, creds: Credentials): string {
  return new Redactor(Object.values(creds)).text(text);
}

/** JSON text that could spell a credential with escapes the text pass does not know. */
const HIDING_ESCAPE = /\\u[0-9a-fA-F]{4}|\\\//;

/**
 * The signal of one upstream attempt: aborted after `timeoutMs` (a TimeoutError, as
 * `AbortSignal.timeout` gives) or when `outer` (the caller's request) aborts; `done()` ends it.
 * One controller and one timer: on Node.js 20, `AbortSignal.any([AbortSignal.timeout(ms), outer])`
 * costs about 24 µs a call, more than the rest of an attempt's own work.
 */
function attemptSignal(timeoutMs: number, outer: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  timer.unref?.();
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Redactors by the values they replace, the last few (credentials change only on rotation or a new access token). */
const redactors = new Map<string, Redactor>();
const MAX_REDACTORS = 32;

/** The redactor of a server's credentials and the auth headers made from them, built once per distinct set. */
export function redactorOf(creds: Credentials, authHeaders: Readonly<Record<string, string>>): Redactor {
  const values: string[] = [];
  for (const k in creds) if (creds[k]) values.push(creds[k]!);
  for (const k in authHeaders) values.push(authHeaders[k]);
  const key = values.join('\0');
  let redactor = redactors.get(key);
  if (!redactor) {
    redactor = new Redactor(values);
    if (redactors.size >= MAX_REDACTORS) redactors.delete(redactors.keys().next().value!);
    redactors.set(key, redactor);
  }
  return redactor;
}

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const { server, credentials } = opts;
  const backend = server.backend;
  const maxRetries = opts.maxRetries ?? 3;
  const backoffBase = opts.backoffBaseMs ?? 200;

  /** The JSON of a successful answer; an empty or `null` one is a failure a person can read, not a crash in the tool. */
  function parseAnswer(text: string, status: number, what: string, redactor: Redactor): unknown {
    // 204/205 carry no content by definition: the caller gets null.
    if (status === 204 || status === 205) return null;
    if (text.trim() === '') {
      throw new UpstreamError(`${backend.displayName} answered ${status} with an empty body for ${what}; a JSON answer was expected (the API, or a proxy in front of it, sent nothing)`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new UpstreamError(`${backend.displayName} answered ${what} with a body that is not JSON`);
    }
    if (data === null) {
      throw new UpstreamError(`${backend.displayName} answered ${status} with JSON null for ${what}; an object or a list was expected`);
    }
    if (Array.isArray(data) && data.length > MAX_JSON_ROWS) {
      throw new UpstreamError(`${backend.displayName} answered ${what} with ${data.length} rows, more than an answer can show (at most ${MAX_JSON_ROWS}); ask for fewer results per page`);
    }
    return HIDING_ESCAPE.test(text) ? redactor.value(data) : data;
  }

  return {
    async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
      if (!server.baseUrl) {
        throw new UpstreamError(`${backend.displayName} is not configured: set ${server.prefix}_${backend.urlEnv}`);
      }
      const method = req.method ?? 'GET';
      const base = req.baseUrl === undefined ? server.baseUrl : checkedBaseUrl(req.baseUrl);
      const url = buildUrl(base, req);
      const what = `${method} ${req.path}`;
      let creds: Credentials = await credentials.get(server);
      let refreshed = false;
      let reauthenticated = false;
      let attempt = 0;
      const retryable = method === 'GET' ? RETRYABLE : RETRYABLE_WRITE;
      for (;;) {
        const remaining = opts.deadline - Date.now() - SAFETY_MS;
        if (remaining <= 0) {
          throw new UpstreamError(`${backend.displayName} did not answer ${what} within the request's time budget`);
        }
        const timeoutMs = Math.min(opts.attemptTimeoutMs, remaining);
        const attemptAbort = attemptSignal(timeoutMs, opts.signal);
        const signal = attemptAbort.signal;
        let authHeaders: Readonly<Record<string, string>>;
        try {
          // May exchange the credentials for a token first (OAuth client credentials; cached by the backend).
          authHeaders = await backend.authHeaders(creds, { baseUrl: server.baseUrl, signal });
        } catch (err) {
          attemptAbort.done();
          throw err;
        }
        const redactor = redactorOf(creds, authHeaders);
        const started = Date.now();
        let release: (() => void) | undefined;
        let res: Response;
        let body: Body;
        try {
          // The slot is held while the answer is read and parsed: what bounds this process's memory
          // (a tool call run by withUpstreamSlot holds one already, for all of its calls).
          release = opts.held ? () => undefined : await slots.acquire(() => signal);
          ({ res, body } = await traced(`## ${server.name} ${method}`, { server: server.name, tool: opts.tool ?? '', method }, async (annotate) => {
            const r = await fetch(url, {
              method,
              headers: {
                'accept': req.responseType === 'text' ? 'text/plain, */*' : 'application/json',
                'user-agent': 'mcp-server-fleet',
                ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
                ...(req.headers ? withoutNames(req.headers, authHeaders) : undefined),
                ...authHeaders,
              },
              body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
              signal,
              // A redirect to another host would carry the credential header there: never follow one.
              redirect: 'manual',
            });
            annotate('status', r.status);
            const [limit, mode]: [number, ReadMode] = !r.ok ? [MAX_ERROR_BODY_BYTES, 'head']
              : req.responseType === 'text' ? [MAX_TEXT_BYTES, req.keep === 'tail' ? 'tail' : 'head']
                : [MAX_JSON_BYTES, 'json'];
            return { res: r, body: await readBody(r, limit, mode, opts.held) };
          }));
        } catch (err) {
          attemptAbort.done();
          if (!release && ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError')) {
            throw new UpstreamError(`${backend.displayName} was not called for ${what}: this process's ${slots.size} upstream slots stayed busy for ${Math.round(timeoutMs / 100) / 10} s (ask for fewer calls at once)`);
          }
          release?.();
          if (err instanceof BodyTooLarge) {
            throw new UpstreamError(`${backend.displayName}'s answer to ${what} is over ${MAX_JSON_BYTES / 1024 / 1024} MB, more than an answer can use; ask for less (fewer results per page, a narrower query)`);
          }
          const name = (err as Error)?.name;
          const durationMs = Date.now() - started;
          logger.warn('upstream call failed', { requestId: opts.requestId, server: server.name, tool: opts.tool, method, path: req.path, durationMs, error: name });
          if (name === 'TimeoutError' || name === 'AbortError') {
            throw new UpstreamError(`${backend.displayName} did not answer ${what} within ${Math.round(timeoutMs / 100) / 10} s`);
          }
          const cause = networkCause(err);
          throw new UpstreamError(redactor.text(`could not reach ${backend.displayName} at ${url.origin} for ${what}: ${cause}`));
        }
        attemptAbort.done();
        let text: string;
        let headers: Headers;
        try {
          // Redacted before anything reads or cuts it; a cut edge may hold part of a credential.
          text = redactor.empty ? body.text : redactor.text(body.text, { start: body.cut === 'start', end: body.cut === 'end' });
          headers = redactor.empty ? res.headers : redactor.headers(res.headers);
        } finally {
          if (!res.ok) release();
        }
        const durationMs = Date.now() - started;
        logger.info('upstream call', { requestId: opts.requestId, server: server.name, tool: opts.tool, method, path: req.path, status: res.status, durationMs, attempt });

        if (res.ok) {
          try {
            let data: unknown = text;
            if (req.responseType !== 'text') data = parseAnswer(text, res.status, what, redactor);
            const truncated = body.cut ? { droppedBytes: body.dropped, truncated: true } : {};
            return { status: res.status, headers, data: data as T, bytes: body.bytes, ...truncated };
          } finally {
            release();
          }
        }

        if (res.status >= 300 && res.status < 400) {
          const location = res.headers.get('location');
          let where = '';
          try {
            where = location ? ` to ${new URL(location, url).origin}${new URL(location, url).pathname}` : '';
          } catch { /* an unparsable Location is not repeated */ }
          throw new UpstreamError(redactor.text(`${backend.displayName} answered ${res.status} for ${what} (a redirect${where}); `
            + `redirects are not followed, so the credential never goes elsewhere: check ${server.prefix}_${backend.urlEnv} (${url.origin})`));
        }

        // A 401 first drops what the backend derived from the credentials (an expired access token), once.
        if (res.status === 401 && !reauthenticated && backend.onUnauthorized?.(creds)) {
          reauthenticated = true;
          continue;
        }
        if (res.status === 401 && !refreshed && credentials.refreshable(server)) {
          refreshed = true;
          logger.info('upstream answered 401; re-reading the credential once', { requestId: opts.requestId, server: server.name, tool: opts.tool });
          const fresh = await credentials.refresh(server);
          // Retried only with a credential that changed (a rotation); the same one would be refused again.
          if (Object.keys(fresh).some((k) => fresh[k] !== creds[k])) {
            creds = fresh;
            continue;
          }
        }

        if (retryable.has(res.status) && attempt < maxRetries) {
          const hinted = retryHint(res.headers, res.status);
          const backoff = Math.random() * backoffBase * 2 ** attempt;
          const delay = hinted !== undefined ? hinted + Math.random() * 100 : backoff;
          if (Date.now() + delay < opts.deadline - SAFETY_MS - 100) {
            attempt++;
            logger.info('retrying upstream call', { requestId: opts.requestId, server: server.name, tool: opts.tool, status: res.status, delayMs: Math.round(delay), attempt });
            await sleep(delay, opts.signal);
            continue;
          }
        }

        let failureBody: unknown = text;
        try {
          failureBody = redactor.value(JSON.parse(text));
        } catch { /* keep text */ }
        const failure: UpstreamFailure = { status: res.status, method, path: req.path, body: failureBody };
        let message = backend.describeFailure(failure);
        if (retryable.has(res.status)) {
          const hinted = retryHint(res.headers, res.status);
          message += hinted !== undefined
            ? ` (still failing after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}; the API asks to retry after ${Math.ceil(hinted / 1000)} s)`
            : ` (still failing after ${attempt} retr${attempt === 1 ? 'y' : 'ies'})`;
        }
        throw new UpstreamError(redactor.text(message), failure);
      }
    },
  };
}
