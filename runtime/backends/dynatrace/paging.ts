/**
 * The Environment API v2's paging: `pageSize` on the first call, then `nextPageKey` from the
 * answer — and with `nextPageKey` every other query parameter must be left out (Dynatrace answers
 * 400 otherwise: the key holds the filters of the first call). Logs search does the same with
 * `nextSliceKey`. The key travels inside the kit's opaque cursor, bound to the tool that gave it.
 */
import { z } from 'zod';
import { Refusal, count, decodeCursor, encodeCursor, type Query, type ToolContext, type UpstreamResponse } from '../../kit';

export interface ClassicPaging {
  /** The list in the answer (`problems`, `entities`...). */
  readonly rows: string;
  /** `nextPageKey` (default) or `nextSliceKey` (logs). */
  readonly keyParam?: string;
  /** `pageSize` (default) or `limit` (logs). */
  readonly sizeParam?: string;
  /** The page size without `limit` (the input's `sizeInput` bounds `limit`). */
  readonly defaultSize?: number;
}

export const cursorInput = z.string().min(1).optional()
  .describe('The next_cursor of the previous answer, for the results after it (the cursor holds the filters of the first call: the other arguments are then ignored)');

export function sizeInput(max: number, fallback: number) {
  return z.number().int().min(1).max(max).optional().describe(`Results per page, 1-${max} (default ${fallback})`);
}

/** The upstream key inside a cursor of `tool`, or a refusal for a cursor of another tool. */
function keyOf(cursor: string | undefined, tool: string): string | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, tool).key;
  if (typeof key !== 'string' || key === '') throw new Refusal(`cursor is not one ${tool} gave out; call again without cursor to start from the beginning`);
  return key;
}

export interface ClassicPage {
  readonly rows: Record<string, unknown>[];
  readonly has_more: boolean;
  readonly next_cursor?: string;
  readonly total?: number;
  readonly note: string;
}

/**
 * One page of a classic list: the first with the filters and `pageSize`, a later one with the
 * page key alone.
 */
export async function classicPage(
  ctx: ToolContext, tool: string, path: string, filters: Query, opts: ClassicPaging, args: { cursor?: string; limit?: number },
): Promise<ClassicPage> {
  const keyParam = opts.keyParam ?? 'nextPageKey';
  const sizeParam = opts.sizeParam ?? 'pageSize';
  const key = keyOf(args.cursor, tool);
  const query: Query = key !== undefined ? { [keyParam]: key } : { ...filters, [sizeParam]: args.limit ?? opts.defaultSize ?? 25 };
  const res: UpstreamResponse<Record<string, unknown>> = await ctx.upstream.request<Record<string, unknown>>({ path, query });
  const data = res.data ?? {};
  const list = data[opts.rows];
  if (!Array.isArray(list)) throw new Refusal(`${tool}: Dynatrace answered without the "${opts.rows}" list`);
  const next = data[keyParam];
  const nextCursor = typeof next === 'string' && next !== '' ? encodeCursor(tool, { key: next }) : undefined;
  const total = typeof data.totalCount === 'number' ? data.totalCount : undefined;
  const where = `${count(list.length, 'result')}${total !== undefined ? ` of ${total}` : ''}.`;
  return {
    rows: list as Record<string, unknown>[],
    has_more: nextCursor !== undefined,
    next_cursor: nextCursor,
    total,
    note: `${where} ${nextCursor !== undefined ? `More results: call again with cursor="${nextCursor}".` : 'These are the last results.'}`,
  };
}

export const PAGED_HINT = 'Paged (classic token): while has_more is true, call again with cursor set to the answer\'s next_cursor.';
