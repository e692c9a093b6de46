/**
 * Grail (DQL) through the platform's Query API: `query:execute`, then `query:poll` with the
 * request token until the query is done, bounded by a number of polls and by the request's time
 * budget (the upstream client stops at the deadline). Every query is capped: records
 * (`maxResultRecords`; Grail's silent default is 1,000), bytes (`maxResultBytes`) and gigabytes
 * scanned (`defaultScanLimitGbytes`; Grail bills per GB read), and the answer says when a cap cut
 * the result, from the notifications Grail returns in the result's metadata.
 */
import { absoluteTime } from './selectors';
import { platformBase } from './tokens';
import { Refusal, paging, type Row, type ToolContext } from '../../kit';

const QUERY_API = '/platform/storage/query/v1';
/** How long Grail may hold `query:execute` and each `query:poll` before answering RUNNING (below the 10 s attempt timeout). */
const WAIT_MS = 5_000;
/** Polls before giving up; the request's time budget usually ends the wait first. */
const MAX_POLLS = 30;
/** Result bytes Grail may send: below the upstream client's 1 MB read limit, with room for types and metadata. */
export const MAX_RESULT_BYTES = 512 * 1024;
/** Gigabytes one query may scan when `<PREFIX>_SCAN_LIMIT_GBYTES` is not set. */
export const DEFAULT_SCAN_LIMIT_GBYTES = 100;
/** The most records a tool asks Grail for (an answer of 60,000 characters shows fewer). */
export const MAX_RECORDS = 1_000;

export interface GrailNotification {
  readonly severity?: string;
  readonly notificationType?: string;
  readonly message?: string;
}

interface GrailMetadata {
  readonly scannedBytes?: number;
  readonly scannedRecords?: number;
  readonly executionTimeMilliseconds?: number;
  readonly analysisTimeframe?: { start?: string; end?: string };
  readonly notifications?: GrailNotification[];
  readonly queryId?: string;
}

interface QueryState {
  readonly state?: string;
  readonly requestToken?: string;
  readonly progress?: number;
  readonly result?: { records?: unknown; types?: unknown; metadata?: { grail?: GrailMetadata } };
}

/** A finished query: its records, what Grail said about them, and which caps cut it. */
export interface GrailRun {
  readonly records: Row[];
  readonly notifications: GrailNotification[];
  readonly scannedBytes?: number;
  readonly executionTimeMs?: number;
  /** Grail stopped at `maxResultRecords` (or `maxResultBytes`): there were more records. */
  readonly recordsCut: boolean;
  /** Grail stopped reading at `defaultScanLimitGbytes`: records may be missing. */
  readonly scanCut: boolean;
  readonly maxRecords: number;
  readonly scanLimitGbytes: number;
}

export interface DqlRequest {
  readonly query: string;
  /** `now-2h`, ISO 8601: sent as `defaultTimeframeStart/End` (the query's own `from:` wins). */
  readonly from?: string;
  readonly to?: string;
  readonly maxRecords: number;
  /** At most the server's scan limit. */
  readonly scanLimitGbytes?: number;
}

/** `<PREFIX>_SCAN_LIMIT_GBYTES`, or the default. */
export function serverScanLimit(ctx: ToolContext): number {
  const raw = ctx.settings.SCAN_LIMIT_GBYTES;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_SCAN_LIMIT_GBYTES;
}

const isCut = (n: GrailNotification, types: readonly string[], words: RegExp) =>
  types.includes(n.notificationType ?? '') || (!n.notificationType && words.test(n.message ?? ''));

/** Runs a query to its end: execute, then poll with the request token. */
export async function runDql(ctx: ToolContext, req: DqlRequest, tool: string): Promise<GrailRun> {
  const baseUrl = platformBase(ctx);
  const limit = serverScanLimit(ctx);
  const scanLimitGbytes = Math.min(req.scanLimitGbytes ?? limit, limit);
  const body = {
    query: req.query,
    ...(req.from ? { defaultTimeframeStart: absoluteTime(req.from) } : {}),
    ...(req.to ? { defaultTimeframeEnd: absoluteTime(req.to) } : {}),
    maxResultRecords: req.maxRecords,
    maxResultBytes: MAX_RESULT_BYTES,
    defaultScanLimitGbytes: scanLimitGbytes,
    requestTimeoutMilliseconds: WAIT_MS,
    timezone: 'UTC',
    locale: 'en_US',
  };
  let state = (await ctx.upstream.request<QueryState>({ method: 'POST', baseUrl, path: `${QUERY_API}/query:execute`, body })).data;
  const token = state.requestToken;
  for (let polls = 0; state.state === 'RUNNING' || state.state === 'NOT_STARTED'; polls++) {
    if (!token) throw new Refusal(`${tool}: Grail answered ${state.state} without a request token to poll; try again`);
    if (polls >= MAX_POLLS) {
      await cancel(ctx, baseUrl, token);
      throw new Refusal(`${tool}: the query was still running after ${MAX_POLLS} polls (${state.progress ?? 0}% done) and was cancelled; narrow its timeframe or filters`);
    }
    try {
      state = (await ctx.upstream.request<QueryState>({
        baseUrl, path: `${QUERY_API}/query:poll`, query: { 'request-token': token, 'request-timeout-milliseconds': WAIT_MS },
      })).data;
    } catch (err) {
      await cancel(ctx, baseUrl, token);
      const message = (err as Error).message ?? String(err);
      // Out of time: the query would go on scanning (and billing) for nothing.
      if (/did not answer/.test(message)) {
        throw new Refusal(`${message}; the query had not finished (${state.progress ?? 0}% done) and was cancelled: narrow its timeframe or filters, or lower scan_limit_gbytes, so it finishes in time`);
      }
      throw err;
    }
  }
  if (state.state !== 'SUCCEEDED') {
    throw new Refusal(`${tool}: Grail ended the query in state ${state.state ?? 'unknown'}${state.state === 'RESULT_GONE' ? ' (its result expired before it was read)' : ''}; try again`);
  }
  const grail = state.result?.metadata?.grail ?? {};
  const records = Array.isArray(state.result?.records) ? (state.result!.records as Row[]) : [];
  const notifications = Array.isArray(grail.notifications) ? grail.notifications : [];
  const recordsCut = notifications.some((n) => isCut(n, ['RESULT_LIMIT_RECORDS', 'RESULT_LIMIT_BYTES'], /result has been limited|limited to/i));
  const scanCut = notifications.some((n) => isCut(n, ['SCAN_LIMIT_GBYTES'], /scan limit/i));
  return {
    records,
    notifications,
    scannedBytes: paging.intOf(grail.scannedBytes),
    executionTimeMs: paging.intOf(grail.executionTimeMilliseconds),
    recordsCut,
    scanCut,
    maxRecords: req.maxRecords,
    scanLimitGbytes,
  };
}

/** Best effort: a query nobody waits for should not go on scanning. */
async function cancel(ctx: ToolContext, baseUrl: string, token: string): Promise<void> {
  try {
    await ctx.upstream.request({ method: 'POST', baseUrl, path: `${QUERY_API}/query:cancel`, query: { 'request-token': token }, responseType: 'text' });
  } catch { /* the query ends by itself; the answer says what happened */ }
}

export interface Verification {
  readonly valid: boolean;
  readonly notifications: Array<GrailNotification & { syntaxPosition?: unknown }>;
  readonly canonicalQuery?: string;
}

/** `query:verify`: whether Grail can parse and plan the query, without running it (nothing scanned). */
export async function verifyDql(ctx: ToolContext, query: string): Promise<Verification> {
  const res = await ctx.upstream.request<Verification>({
    method: 'POST', baseUrl: platformBase(ctx), path: `${QUERY_API}/query:verify`, body: { query, generateCanonicalQuery: true, timezone: 'UTC', locale: 'en_US' },
  });
  const notifications = Array.isArray(res.data.notifications) ? res.data.notifications : [];
  return { valid: res.data.valid === true, notifications, canonicalQuery: res.data.canonicalQuery };
}

/** `1.2 GB` / `340 KB`. */
export function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} bytes`;
}

/** The sentence about caps and cost that every Grail answer starts with. */
export function grailNote(run: GrailRun, shown: number, more: boolean): string {
  const parts = [`${shown} record${shown === 1 ? '' : 's'} from Grail${run.scannedBytes !== undefined ? ` (scanned ${size(run.scannedBytes)})` : ''}.`];
  if (run.recordsCut) {
    parts.push(`[truncated: Grail cut the result at ${run.maxRecords} records (maxResultRecords); there are more: narrow the filters or timeframe, or aggregate (summarize) in DQL.]`);
  } else if (more) {
    parts.push('There are more: narrow the filters or timeframe, or raise limit.');
  }
  if (run.scanCut) parts.push(`[incomplete: Grail stopped reading at the scan limit of ${run.scanLimitGbytes} GB; records may be missing: narrow the timeframe.]`);
  for (const n of run.notifications) {
    if (/^(WARN|WARNING|ERROR)$/i.test(n.severity ?? '') && n.message) parts.push(`Grail ${String(n.severity).toLowerCase()}: ${n.message}`);
  }
  return parts.join(' ');
}
