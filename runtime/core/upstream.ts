/**
 * The upstream HTTP client every backend uses: fetch (keep-alive through undici), a timeout that
 * fits inside the request's remaining time budget, retries with jittered backoff on
 * 429/502/503/504 that honour Retry-After when it fits the budget, and one credential refresh
 * and retry after a 401 when the credential comes from Secrets Manager.
 */
import type { ServerConfig } from './config';
import type { CredentialStore } from './credentials';
import { logger, traced } from './observability';
import { currentRequestId } from './scope';
import type { Credentials, UpstreamClient, UpstreamFailure, UpstreamRequest, UpstreamResponse } from './types';

const RETRYABLE = new Set([429, 502, 503, 504]);
/** A write answered 502/503/504 may already have been applied; only 429 (refused up front) is retried. */
const RETRYABLE_WRITE = new Set([429]);
/** The largest upstream answer read into memory (a Lambda function may have 128 MB in all). */
export const MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;

/** An answer body over the size limit (for `keep: 'tail'` answers this never happens). */
class BodyTooLarge extends Error {}

/**
 * Reads a body up to `limit` bytes. Over it: with `tail`, keeps the last `limit` bytes (whole
 * chunks, then trimmed) and counts what was dropped; otherwise stops reading and throws.
 */
async function readBody(res: Response, limit: number, tail: boolean): Promise<{ text: string; bytes: number; dropped: number }> {
  if (!res.body) return { text: '', bytes: 0, dropped: 0 };
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    const chunk = Buffer.from(part);
    total += chunk.length;
    chunks.push(chunk);
    kept += chunk.length;
    if (kept > limit) {
      if (!tail) {
        await res.body.cancel().catch(() => undefined);
        throw new BodyTooLarge();
      }
      while (kept - chunks[0].length >= limit) kept -= chunks.shift()!.length;
    }
  }
  let buf = Buffer.concat(chunks);
  if (buf.length > limit) buf = buf.subarray(buf.length - limit);
  return { text: buf.toString('utf8'), bytes: total, dropped: total - buf.length };
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

/** A `.` or `..` segment (also %2e-encoded) is resolved away by the URL parser: `/projects/../issues` is `/issues`. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

function buildUrl(base: string, req: UpstreamRequest): URL {
  if (req.path.split('/').some((seg) => DOT_SEGMENT.test(seg))) {
    throw new UpstreamError(`refusing to call ${req.path}: a path segment is "." or ".." (check project_id and file_path)`);
  }
  const url = new URL(base + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  return url;
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

/** Replaces every credential value in `text`: an upstream (or a proxy in front of it) may echo the token. */
export function redact(text: string, creds: Credentials): string {
  let out = text;
  for (const v of Object.values(creds)) if (v && v.length >= 6) out = out.split(v).join('[REDACTED]');
  return out;
}

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const { server, credentials } = opts;
  const backend = server.backend;
  const maxRetries = opts.maxRetries ?? 3;
  const backoffBase = opts.backoffBaseMs ?? 200;

  return {
    async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
      if (!server.baseUrl) {
        throw new UpstreamError(`${backend.displayName} is not configured: set ${server.prefix}_${backend.urlEnv}`);
      }
      const method = req.method ?? 'GET';
      const url = buildUrl(server.baseUrl, req);
      let creds: Credentials = await credentials.get(server);
      let refreshed = false;
      let attempt = 0;
      const retryable = method === 'GET' ? RETRYABLE : RETRYABLE_WRITE;
      for (;;) {
        const remaining = opts.deadline - Date.now() - SAFETY_MS;
        if (remaining <= 0) {
          throw new UpstreamError(`${backend.displayName} did not answer ${method} ${req.path} within the request's time budget`);
        }
        const timeoutMs = Math.min(opts.attemptTimeoutMs, remaining);
        const started = Date.now();
        let res: Response;
        let text: string;
        let bytes: number;
        let dropped: number;
        try {
          ({ res, text, bytes, dropped } = await traced(`## ${server.name} ${method}`, { server: server.name, tool: opts.tool ?? '', method }, async (annotate) => {
            const signals = [AbortSignal.timeout(timeoutMs)];
            if (opts.signal) signals.push(opts.signal);
            const r = await fetch(url, {
              method,
              headers: {
                'accept': req.responseType === 'text' ? 'text/plain, */*' : 'application/json',
                'user-agent': 'mcp-server-fleet',
                ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
                ...backend.authHeaders(creds),
              },
              body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
              signal: AbortSignal.any(signals),
              // A redirect to another host would carry the credential header there: never follow one.
              redirect: 'manual',
            });
            annotate('status', r.status);
            return { res: r, ...(await readBody(r, MAX_UPSTREAM_BYTES, req.keep === 'tail' && r.ok)) };
          }));
        } catch (err) {
          if (err instanceof BodyTooLarge) {
            throw new UpstreamError(`${backend.displayName}'s answer to ${method} ${req.path} is over ${MAX_UPSTREAM_BYTES / 1024 / 1024} MB; ask for less (fewer results per page, a narrower query)`);
          }
          const name = (err as Error)?.name;
          const durationMs = Date.now() - started;
          logger.warn('upstream call failed', { requestId: currentRequestId(), server: server.name, tool: opts.tool, method, path: req.path, durationMs, error: name });
          if (name === 'TimeoutError' || name === 'AbortError') {
            throw new UpstreamError(`${backend.displayName} did not answer ${method} ${req.path} within ${Math.round(timeoutMs / 100) / 10} s`);
          }
          const cause = networkCause(err);
          throw new UpstreamError(redact(`could not reach ${backend.displayName} at ${url.origin} for ${method} ${req.path}: ${cause}`, creds));
        }
        const durationMs = Date.now() - started;
        logger.info('upstream call', { requestId: currentRequestId(), server: server.name, tool: opts.tool, method, path: req.path, status: res.status, durationMs, attempt });

        if (res.ok) {
          let data: unknown = text;
          if (req.responseType !== 'text') {
            try {
              data = text === '' ? null : JSON.parse(text);
            } catch {
              throw new UpstreamError(`${backend.displayName} answered ${method} ${req.path} with a body that is not JSON`);
            }
          }
          return { status: res.status, headers: res.headers, data: data as T, bytes, ...(dropped > 0 ? { droppedBytes: dropped } : {}) };
        }

        if (res.status >= 300 && res.status < 400) {
          const location = res.headers.get('location');
          let where = '';
          try {
            where = location ? ` to ${new URL(location, url).origin}${new URL(location, url).pathname}` : '';
          } catch { /* an unparsable Location is not repeated */ }
          throw new UpstreamError(`${backend.displayName} answered ${res.status} for ${method} ${req.path} (a redirect${where}); `
            + `redirects are not followed, so the credential never goes elsewhere: check ${server.prefix}_${backend.urlEnv} (${url.origin})`);
        }

        if (res.status === 401 && !refreshed && credentials.refreshable(server)) {
          refreshed = true;
          logger.info('upstream answered 401; re-reading the credential once', { requestId: currentRequestId(), server: server.name, tool: opts.tool });
          const fresh = await credentials.refresh(server);
          // Retried only with a credential that changed (a rotation); the same one would be refused again.
          if (Object.keys(fresh).some((k) => fresh[k] !== creds[k])) {
            creds = fresh;
            continue;
          }
        }

        if (retryable.has(res.status) && attempt < maxRetries) {
          const hinted = parseRetryAfter(res.headers.get('retry-after'));
          const backoff = Math.random() * backoffBase * 2 ** attempt;
          const delay = hinted !== undefined ? hinted + Math.random() * 100 : backoff;
          if (Date.now() + delay < opts.deadline - SAFETY_MS - 100) {
            attempt++;
            logger.info('retrying upstream call', { requestId: currentRequestId(), server: server.name, tool: opts.tool, status: res.status, delayMs: Math.round(delay), attempt });
            await sleep(delay, opts.signal);
            continue;
          }
        }

        // The body is redacted before anything reads it: an upstream or a proxy may echo the token.
        const clean = redact(text, creds);
        let body: unknown = clean;
        try {
          body = JSON.parse(clean);
        } catch { /* keep text */ }
        const failure: UpstreamFailure = { status: res.status, method, path: req.path, body };
        let message = backend.describeFailure(failure);
        if (retryable.has(res.status)) {
          const hinted = parseRetryAfter(res.headers.get('retry-after'));
          message += hinted !== undefined
            ? ` (still failing after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}; the API asks to retry after ${Math.ceil(hinted / 1000)} s)`
            : ` (still failing after ${attempt} retr${attempt === 1 ? 'y' : 'ies'})`;
        }
        throw new UpstreamError(redact(message, creds), failure);
      }
    },
  };
}
