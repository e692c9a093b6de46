/**
 * PagerDuty's classic pagination: `offset` / `limit` (at most 100) in, `{ <rows>, offset, limit,
 * more, total }` out (`total` only with `total=true`). PagerDuty pages no further than
 * `offset + limit` = 10,000 (400, error 2002): a page that would cross it asks for what is left
 * below it, and past it the answer says to narrow the date range or the filters instead of giving a
 * cursor that would fail.
 */
import { z } from 'zod';
import { pd, type PdReadSpec } from './requests';
import {
  Refusal, answer, output, paging, readTool,
  type Answer, type ListOutput, type Paging, type Query, type Row, type ToolContext, type ToolDefinition,
} from '../../kit';

/** The furthest PagerDuty pages: offset + limit. */
export const MAX_OFFSET = 10_000;

const NARROW = 'PagerDuty pages through at most 10,000 results of one query: narrow the date range (since/until) or the filters to see the rest.';

/** The paging of a list whose rows are the answer's `key` (`incidents`, `log_entries`...). */
export function pdPages(key: string): Paging<ReturnType<typeof paging.offset>['input']> {
  const base = paging.offset({
    defaultLimit: 25,
    maxLimit: 100,
    rows: (d) => (d as Row)[key],
    more: (d) => (d as Row).more === true,
    total: (d) => paging.intOf((d as Row).total),
  });
  return {
    input: base.input,
    hint: `${base.hint} ${NARROW}`,
    query(args, tool) {
      const q = base.query(args, tool);
      const offset = Number(q.offset);
      if (offset >= MAX_OFFSET) throw new Refusal(`${tool} is at result ${offset}; ${NARROW}`);
      return { ...q, limit: Math.min(Number(q.limit), MAX_OFFSET - offset) };
    },
    read(res, args, tool) {
      const page = base.read(res, args, tool);
      const c = page.continuation;
      const next = (c.offset ?? 0) + page.rows.length;
      if (!c.has_more || next < MAX_OFFSET) return page;
      const at = c.note.indexOf(' More results:');
      return { rows: page.rows, continuation: { ...c, next_cursor: undefined, note: `${at >= 0 ? c.note.slice(0, at) : c.note} ${NARROW}` } };
    },
  };
}

type PageInput = ReturnType<typeof paging.offset>['input'];

/** The upstream call of a list tool; `window` is a sentence put before the paging one (e.g. the date range sent). */
export interface ListRequest {
  readonly path: string;
  readonly query?: Query;
  readonly window?: string;
}

export interface PdListSpec<I extends z.ZodRawShape> extends PdReadSpec<I> {
  /** The call for the arguments: path and filters (paging is added). May throw a `Refusal`. */
  request(args: z.infer<z.ZodObject<I & PageInput>>, ctx: ToolContext): ListRequest | Promise<ListRequest>;
}

/** A read tool over one paged PagerDuty list (the kit's `listTool`, with PagerDuty's Accept header and date windows). */
export function pdList<I extends z.ZodRawShape>(spec: PdListSpec<I>): ToolDefinition {
  const pages = pdPages(spec.key);
  return readTool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} ${pages.hint}`,
    input: { ...spec.input, ...pages.input } as I & PageInput,
    output: output.list(spec.row),
    async run(args, ctx: ToolContext): Promise<Answer<ListOutput<unknown>>> {
      const a = args as z.infer<z.ZodObject<I & PageInput>>;
      const pageArgs = args as { limit?: number; cursor?: string };
      const { path, query, window } = await spec.request(a, ctx);
      const res = await pd(ctx, { path, query: { ...query, ...pages.query(pageArgs, spec.name) } });
      const { rows, continuation } = pages.read(res, pageArgs, spec.name);
      return answer.list(rows.map((r) => spec.map(r)), window ? { ...continuation, note: `${window} ${continuation.note}` } : continuation);
    },
  });
}

/** An answer of a list PagerDuty gives whole (notes, related incidents): no paging. */
export function wholeList(rows: Row[], what: string, window?: string): Answer<ListOutput<Row>> {
  const n = `${rows.length} ${what}${rows.length === 1 ? '' : 's'}.`;
  return answer.list(rows, { has_more: false, note: window ? `${window} ${n}` : n });
}
