/**
 * One pagination contract for every backend. Whatever the API does (page numbers, offset/limit
 * with a `more` flag, a cursor token, a `Link: <...>; rel="next"` header), a list answer carries
 * `has_more` and an opaque `next_cursor` in its structured content, and a sentence that tells the
 * model how to continue. Each style gives the tool's input schema pieces (`input`), the upstream
 * query for the page asked for (`query`) and reads the rows and the continuation of an upstream
 * answer (`read`).
 *
 * A cursor is base64url JSON naming the tool it came from, so a cursor of another tool (or one a
 * model made up) is refused with a message instead of giving wrong results.
 */
import { z } from 'zod';
import { Refusal } from './answer';
import { count } from './text';
import type { UpstreamRequest, UpstreamResponse } from '../core/types';

export type Query = NonNullable<UpstreamRequest['query']>;
type Row = Record<string, unknown>;

/** Where a page is in the whole list, and how to get the next one. */
export interface Continuation {
  readonly has_more: boolean;
  readonly next_cursor?: string;
  readonly page?: number;
  readonly offset?: number;
  readonly total?: number;
  readonly total_pages?: number;
  /** The sentence for the text answer: `10 results on page 2 of 5 (48 in total). More results: call again with page=3.` */
  readonly note: string;
}

/** What `read` found in an upstream answer. */
export interface PageRead {
  readonly rows: Row[];
  readonly continuation: Continuation;
}

/** A pagination style, as a list tool uses it. */
export interface Paging<I extends z.ZodRawShape = z.ZodRawShape> {
  /** Input schema pieces, spread into the tool's input. */
  readonly input: I;
  /** How to continue, for the tool's description: `Paged: ...`. */
  readonly hint: string;
  /** The upstream query parameters for the page `args` asks for. Throws a `Refusal` for a bad cursor. */
  query(args: z.infer<z.ZodObject<I>>, tool: string): Query;
  /** The rows of an upstream answer and how to continue after them. */
  read(res: UpstreamResponse<unknown>, args: z.infer<z.ZodObject<I>>, tool: string): PageRead;
}

// ---- cursors ---------------------------------------------------------------------------------

/**
 * An opaque cursor for `tool` holding `state`.
 *
 * @example
 * encodeCursor('list_incidents', { offset: 50 }); // 'eyJ0IjoibGlzdF9pbmNpZGVudHMiLCJvZmZzZXQiOjUwfQ'
 */
export function encodeCursor(tool: string, state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ t: tool, ...state }), 'utf8').toString('base64url');
}

/** The state of a cursor `encodeCursor(tool, ...)` made; a `Refusal` for anything else. */
export function decodeCursor(value: string, tool: string): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    state = undefined;
  }
  if (!state || typeof state !== 'object' || (state as { t?: unknown }).t !== tool) {
    throw new Refusal(`cursor is not one ${tool} gave out; use the next_cursor of a ${tool} answer as it is, or call again without cursor to start from the beginning`);
  }
  const { t: _tool, ...rest } = state as Record<string, unknown>;
  return rest;
}

/** The refusal for a cursor that is not one the tool gave out. */
function notOurs(tool: string): Refusal {
  return new Refusal(`cursor is not one ${tool} gave out; call again without cursor to start from the beginning`);
}

/** The integer `key` of a cursor (at least `min`), `undefined` without a cursor, a refusal for a cursor without it. */
function cursorInt(value: string | undefined, tool: string, key: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = intOf(decodeCursor(value, tool)[key]);
  if (n === undefined || n < min) throw notOurs(tool);
  return n;
}

const CURSOR_HINT = 'Paged: while has_more is true, call again with cursor set to the answer\'s next_cursor.';

const cursorInput = z.string().min(1).optional().describe('The next_cursor of the previous answer, to get the results after it');

function sizeInput(max: number, fallback: number) {
  return z.number().int().min(1).max(max).optional().describe(`Results per page, 1-${max} (default ${fallback})`);
}

function moreSentence(next: string | undefined, how: string, last: string): string {
  return next !== undefined ? `More results: call again with ${how}.` : last;
}

function rowsOf(value: unknown, tool: string): Row[] {
  if (!Array.isArray(value)) throw new Refusal(`${tool}: the API answered with something other than a list`);
  return value as Row[];
}

function intOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

// ---- page number -----------------------------------------------------------------------------

export interface PageNumberOptions {
  /** The upstream's parameter names (default `page`, `per_page`). */
  readonly pageParam?: string;
  readonly sizeParam?: string;
  readonly defaultSize?: number;
  readonly maxSize?: number;
  /** The next page number, when there is one (e.g. from an `x-next-page` header). */
  next(res: UpstreamResponse<unknown>, page: number): number | undefined;
  /** The page the upstream says it answered (default: the one asked for). */
  current?(res: UpstreamResponse<unknown>): number | undefined;
  /** Totals, when the upstream gives them. */
  totals?(res: UpstreamResponse<unknown>): { total?: number; totalPages?: number };
  /** The rows of the answer (default: the body, which must be a list). */
  rows?(data: unknown): unknown;
}

/** Input of the page-number style; the other styles take `limit` and `cursor` (below). */
const pageNumberInput = (max: number, fallback: number) => ({
  page: z.number().int().positive().optional().describe('Page number, from 1 (default 1)'),
  per_page: sizeInput(max, fallback),
  cursor: cursorInput,
});
const limitCursorInput = (max: number, fallback: number) => ({ limit: sizeInput(max, fallback), cursor: cursorInput });

/**
 * Page-number paging (GitLab, many REST APIs): input `page`, `per_page` and `cursor`; the
 * sentence names the next `page`.
 *
 * @example
 * const pages = paging.pageNumber({ next: (res) => intOf(res.headers.get('x-next-page')) });
 */
function pageNumber(opts: PageNumberOptions): Paging<ReturnType<typeof pageNumberInput>> {
  const { pageParam = 'page', sizeParam = 'per_page', maxSize = 100, defaultSize = 20 } = opts;
  const pageOf = (args: { page?: number; cursor?: string }, tool: string): number => {
    if (args.cursor !== undefined && args.page !== undefined) throw new Refusal(`give page or cursor, not both (cursor ${JSON.stringify(args.cursor)} names a page itself)`);
    return cursorInt(args.cursor, tool, 'page', 1) ?? args.page ?? 1;
  };
  return {
    input: pageNumberInput(maxSize, defaultSize),
    hint: 'Paged: each answer says how to get the next page (page, or cursor set to its next_cursor).',
    query: (args, tool) => ({ [pageParam]: pageOf(args, tool), [sizeParam]: args.per_page ?? defaultSize }),
    read(res, args, tool) {
      const asked = pageOf(args, tool);
      const rows = rowsOf(opts.rows ? opts.rows(res.data) : res.data, tool);
      const page = opts.current?.(res) ?? asked;
      const next = opts.next(res, page);
      const { total, totalPages } = opts.totals?.(res) ?? {};
      const where = `${count(rows.length, 'result')} on page ${page}${totalPages !== undefined ? ` of ${totalPages}` : ''}${total !== undefined ? ` (${total} in total)` : ''}.`;
      return {
        rows,
        continuation: {
          has_more: next !== undefined,
          next_cursor: next !== undefined ? encodeCursor(tool, { page: next }) : undefined,
          page,
          total,
          total_pages: totalPages,
          note: `${where} ${moreSentence(next === undefined ? undefined : String(next), `page=${next}`, 'This is the last page.')}`,
        },
      };
    },
  };
}

// ---- offset / limit --------------------------------------------------------------------------

export interface OffsetOptions {
  /** The upstream's parameter names (default `offset`, `limit`). */
  readonly offsetParam?: string;
  readonly limitParam?: string;
  readonly defaultLimit?: number;
  readonly maxLimit?: number;
  /** The rows of the answer, e.g. `(data) => data.incidents`. */
  rows(data: unknown): unknown;
  /** Whether there are more (e.g. PagerDuty's `more`); default: a full page means maybe more. */
  more?(data: unknown, rows: number, limit: number): boolean;
  /** The total, when the upstream gives it. */
  total?(data: unknown): number | undefined;
}

/**
 * Offset/limit paging with a `more` flag (PagerDuty, Jira's `startAt`/`isLast`): input `limit` and
 * `cursor`; the cursor holds the next offset.
 *
 * @example
 * const pages = paging.offset({ rows: (d) => (d as { incidents: unknown }).incidents, more: (d) => (d as { more: boolean }).more });
 */
function offset(opts: OffsetOptions): Paging<ReturnType<typeof limitCursorInput>> {
  const { offsetParam = 'offset', limitParam = 'limit', maxLimit = 100, defaultLimit = 25 } = opts;
  const offsetOf = (args: { cursor?: string }, tool: string): number => cursorInt(args.cursor, tool, 'offset', 0) ?? 0;
  return {
    input: limitCursorInput(maxLimit, defaultLimit),
    hint: CURSOR_HINT,
    query: (args, tool) => ({ [offsetParam]: offsetOf(args, tool), [limitParam]: args.limit ?? defaultLimit }),
    read(res, args, tool) {
      const at = offsetOf(args, tool);
      const limit = args.limit ?? defaultLimit;
      const rows = rowsOf(opts.rows(res.data), tool);
      const more = opts.more ? opts.more(res.data, rows.length, limit) : rows.length >= limit;
      const total = opts.total?.(res.data);
      const next = more ? encodeCursor(tool, { offset: at + rows.length }) : undefined;
      const where = rows.length === 0
        ? 'No results.'
        : `${count(rows.length, 'result')}, ${at + 1} to ${at + rows.length}${total !== undefined ? ` of ${total}` : ''}.`;
      return {
        rows,
        continuation: { has_more: more, next_cursor: next, offset: at, total, note: `${where} ${moreSentence(next, `cursor="${next}"`, 'These are the last results.')}` },
      };
    },
  };
}

// ---- opaque upstream continuation (cursor token, Link header) ---------------------------------

/** What the two continuation styles differ in: what the upstream gives for the next page, and how it goes back. */
interface TokenStyle<T> {
  readonly limitParam: string;
  readonly defaultLimit?: number;
  readonly maxLimit?: number;
  rows(data: unknown): unknown;
  /** The upstream's continuation in an answer, or `undefined` on the last page. */
  next(res: UpstreamResponse<unknown>): T | undefined;
  /** Whether a decoded cursor holds one (a cursor is data a model hands back). */
  valid(token: unknown): token is T;
  /** The upstream query parameters that ask for the page after `token`. */
  query(token: T): Query;
}

function tokenPaging<T>(style: TokenStyle<T>): Paging<ReturnType<typeof limitCursorInput>> {
  const defaultLimit = style.defaultLimit ?? 25;
  const tokenOf = (args: { cursor?: string }, tool: string): T | undefined => {
    if (args.cursor === undefined) return undefined;
    const token = decodeCursor(args.cursor, tool).next;
    if (!style.valid(token)) throw notOurs(tool);
    return token;
  };
  return {
    input: limitCursorInput(style.maxLimit ?? 100, defaultLimit),
    hint: CURSOR_HINT,
    query: (args, tool) => {
      const token = tokenOf(args, tool);
      return { [style.limitParam]: args.limit ?? defaultLimit, ...(token === undefined ? {} : style.query(token)) };
    },
    read(res, _args, tool) {
      const rows = rowsOf(style.rows(res.data), tool);
      const token = style.next(res);
      const next = token === undefined ? undefined : encodeCursor(tool, { next: token });
      const note = `${count(rows.length, 'result')}. ${moreSentence(next, `cursor="${next}"`, 'These are the last results.')}`;
      return { rows, continuation: { has_more: next !== undefined, next_cursor: next, note } };
    },
  };
}

export interface CursorOptions {
  /** The upstream's parameter names (e.g. `nextPageToken`, `maxResults`). */
  readonly cursorParam: string;
  readonly limitParam: string;
  readonly defaultLimit?: number;
  readonly maxLimit?: number;
  rows(data: unknown): unknown;
  /** The upstream's token for the next page; `undefined`, `null` or `''` when this is the last. */
  next(res: UpstreamResponse<unknown>): unknown;
}

const isToken = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Cursor-token paging (Jira `nextPageToken`, Confluence v2 `cursor`, Dynatrace `nextPageKey`): the
 * upstream's token travels inside our cursor.
 *
 * @example
 * const pages = paging.cursor({ cursorParam: 'nextPageToken', limitParam: 'maxResults', rows: (d) => d.issues, next: (res) => res.data.nextPageToken });
 */
function cursor(opts: CursorOptions): Paging<ReturnType<typeof limitCursorInput>> {
  return tokenPaging<string>({
    ...opts,
    next: (res) => {
      const token = opts.next(res);
      return isToken(token) ? token : undefined;
    },
    valid: isToken,
    query: (token) => ({ [opts.cursorParam]: token }),
  });
}

/**
 * The query of the `rel="next"` target of a `Link` header (RFC 8288), or `undefined`.
 *
 * @example
 * nextLinkQuery('<https://x.service-now.com/api/now/table/incident?sysparm_offset=20&sysparm_limit=10>;rel="next"');
 * // { sysparm_offset: '20', sysparm_limit: '10' }
 */
export function nextLinkQuery(header: string | null): Record<string, string> | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m || !/;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(m[2])) continue;
    try {
      return Object.fromEntries(new URL(m[1], 'http://link.invalid').searchParams);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface LinkOptions {
  readonly limitParam: string;
  readonly defaultLimit?: number;
  readonly maxLimit?: number;
  rows(data: unknown): unknown;
}

const isQuery = (v: unknown): v is Record<string, string> => !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * `Link` header paging (ServiceNow, GitHub): only the query of the next link is kept (never its
 * host or path, so a link cannot send the credential elsewhere) and sent again on the same path.
 *
 * @example
 * const pages = paging.link({ limitParam: 'sysparm_limit', rows: (d) => (d as { result: unknown }).result });
 */
function link(opts: LinkOptions): Paging<ReturnType<typeof limitCursorInput>> {
  return tokenPaging<Record<string, string>>({ ...opts, next: (res) => nextLinkQuery(res.headers.get('link')), valid: isQuery, query: (q) => q });
}

export const paging = { pageNumber, offset, cursor, link, intOf };
