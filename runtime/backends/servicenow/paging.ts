/**
 * ServiceNow's paging: `sysparm_offset` / `sysparm_limit` in; a `Link` header (`rel="next"`,
 * absent on the last page) and `X-Total-Count` out. The Table, CMDB instance and Change
 * Management APIs page the same way.
 *
 * Not the kit's `paging.link`: that one sends the next link's whole query back, and a cursor is
 * data a caller hands back, so a forged cursor could carry its own `sysparm_query` past the typed
 * filters. Here the cursor holds only the next offset (an integer read from the link), and the
 * query is built from the arguments on every page.
 */
import { z } from 'zod';
import { Refusal, count, decodeCursor, encodeCursor, nextLinkQuery, paging, type Paging, type Row } from '../../kit';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const input = {
  limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`Results per page, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT})`),
  cursor: z.string().min(1).optional().describe('The next_cursor of the previous answer, to get the results after it'),
};

function offsetOf(cursor: string | undefined, tool: string): number {
  if (cursor === undefined) return 0;
  const offset = paging.intOf(decodeCursor(cursor, tool).offset);
  if (offset === undefined || offset < 0) throw new Refusal(`cursor is not one ${tool} gave out; call again without cursor to start from the beginning`);
  return offset;
}

/** The rows of a `{ result: [...] }` answer. */
export function resultRows(data: unknown, tool: string): Row[] {
  const rows = (data as { result?: unknown } | null)?.result;
  if (!Array.isArray(rows)) throw new Refusal(`${tool}: ServiceNow answered without a result list`);
  return rows as Row[];
}

export const pages: Paging<typeof input> = {
  input,
  hint: 'Paged: while has_more is true, call again with cursor set to the answer\'s next_cursor.',
  query: (args, tool) => ({ sysparm_offset: offsetOf(args.cursor, tool), sysparm_limit: args.limit ?? DEFAULT_LIMIT }),
  read(res, args, tool) {
    const at = offsetOf(args.cursor, tool);
    const rows = resultRows(res.data, tool);
    const linked = paging.intOf(nextLinkQuery(res.headers.get('link'))?.sysparm_offset);
    // The link names the next offset; one at or before this page's would loop.
    const next = linked !== undefined && linked > at ? linked : undefined;
    const total = paging.intOf(res.headers.get('x-total-count'));
    const cursor = next !== undefined ? encodeCursor(tool, { offset: next }) : undefined;
    const where = rows.length === 0 ? 'No results.' : `${count(rows.length, 'result')}, ${at + 1} to ${at + rows.length}${total !== undefined ? ` of ${total}` : ''}.`;
    return {
      rows,
      continuation: {
        has_more: cursor !== undefined,
        next_cursor: cursor,
        offset: at,
        total,
        note: `${where} ${cursor !== undefined ? `More results: call again with cursor="${cursor}".` : 'These are the last results.'}`,
      },
    };
  },
};
