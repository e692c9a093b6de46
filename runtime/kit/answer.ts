/**
 * Answers: what a tool gives back. Every answer has a text (what a person or a model reads) and
 * `structuredContent` (data checked against the tool's `outputSchema`, MCP 2025-06-18), and both
 * fit one budget, `MAX_TEXT_CHARS`. What is cut is said once, the same way everywhere: the
 * truncation envelope `truncated: { omitted, unit, hint }`.
 */
import { z } from 'zod';
import type { Continuation } from './paging';

/** Upper bound of one answer's text, so a tool result stays readable for a model. */
export const MAX_TEXT_CHARS = 60_000;

/** What a tool's `run` returns: the text and the structured data, of the tool's output type. */
export interface Answer<T> {
  readonly text: string;
  readonly data: T;
}

/**
 * A refusal: a tool (or a kit helper it calls) cannot do what was asked, for a reason the caller
 * can act on. The tool definers turn it into an `isError` result with this message.
 */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

/** The truncation envelope: present when an answer was cut to fit, saying what was left out and how to get it. */
export const truncationSchema = z.object({
  omitted: z.number().int().nonnegative().describe('How much was left out'),
  unit: z.enum(['items', 'characters', 'bytes']).describe('What `omitted` counts'),
  hint: z.string().describe('How to get what was left out'),
}).describe('Present only when the answer was cut to fit');

export type Truncation = z.infer<typeof truncationSchema>;

/** Output schemas for the answer builders below; a tool declares one of these (or its own object). */
export const output = {
  /**
   * `{ item, truncated? }`, the output of `answer.item`.
   *
   * @example
   * readTool({ name: 'get_thing', ..., output: output.item(THING_ROW), run: async (a, ctx) => answer.item(await getThing(a, ctx)) });
   */
  item<R extends z.ZodType>(row: R) {
    return z.object({ item: row, truncated: truncationSchema.optional() });
  },
  /** `{ items, has_more, next_cursor?, ..., truncated? }`, the output of `answer.list` (see paging.ts). */
  list<R extends z.ZodType>(row: R) {
    return z.object({
      items: z.array(row),
      has_more: z.boolean().describe('Whether there are more results after these'),
      next_cursor: z.string().optional().describe('Pass as `cursor` to get the next results'),
      page: z.number().int().optional().describe('The page number of these results, from 1'),
      offset: z.number().int().optional().describe('How many results come before these'),
      total: z.number().int().optional().describe('How many results there are in all, when the API says'),
      total_pages: z.number().int().optional(),
      truncated: truncationSchema.optional(),
    });
  },
};

export type ItemOutput<R> = { item: R; truncated?: Truncation };

export type ListOutput<R> = Omit<Continuation, 'note'> & { items: R[]; truncated?: Truncation };

/** JSON as answers show it. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

/**
 * Cuts the longest strings of `value` until its JSON fits `budget` characters, marking each cut.
 * Returns the value (a copy where cut), how many characters were left out, and its JSON. Bounded:
 * at most 32 cuts.
 */
export function fitStrings<T>(value: T, budget: number): { value: T; omitted: number; text: string } {
  let current = value;
  let omitted = 0;
  let text = json(current);
  for (let round = 0; round < 32; round++) {
    const excess = text.length - budget;
    if (excess <= 0) break;
    const longest = findLongestString(current);
    if (!longest || longest.length < 64) break;
    const keep = Math.max(0, longest.length - excess - 40);
    const cut = longest.length - keep;
    omitted += cut;
    current = replaceString(current, longest, `${longest.slice(0, keep)}… [cut: ${cut} more characters]`);
    text = json(current);
  }
  return { value: current, omitted, text };
}

function findLongestString(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || depth > 8) return undefined;
  let best: string | undefined;
  for (const v of Object.values(value)) {
    const s = findLongestString(v, depth + 1);
    if (s !== undefined && (best === undefined || s.length > best.length)) best = s;
  }
  return best;
}

function replaceString<T>(value: T, from: string, to: string): T {
  if (value === from) return to as T;
  if (Array.isArray(value)) return value.map((v) => replaceString(v, from, to)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceString(v, from, to)])) as T;
  }
  return value;
}

const CUT_HINT = 'ask for a narrower result (fewer fields or results, a smaller window)';

export const answer = {
  /**
   * One object: its JSON as the text (after `note`, when given), and `{ item }` as data. Long
   * strings are cut (and marked) until it fits.
   *
   * @example
   * return answer.item(summarizeIssue(res.data));
   * return answer.item(summarizeIssue(res.data), `Created issue #${res.data.iid}: ${res.data.web_url}`);
   */
  item<R>(item: R, note?: string): Answer<ItemOutput<R>> {
    const budget = MAX_TEXT_CHARS - (note ? note.length + 1 : 0);
    const fitted = fitStrings(item, budget);
    const body = fitted.text;
    const data: ItemOutput<R> = fitted.omitted > 0
      ? { item: fitted.value, truncated: { omitted: fitted.omitted, unit: 'characters', hint: CUT_HINT } }
      : { item: fitted.value };
    return { text: note ? `${note}\n${body}` : body, data };
  },

  /**
   * One page of a list: the continuation sentence, then the rows' JSON, and `{ items, has_more,
   * next_cursor, ... }` as data. Rows that do not fit are left out from the end (the rest stays
   * valid JSON) and the sentence says how many; a single row too large is cut in its strings.
   *
   * @example
   * const { rows, continuation } = pages.read(res, args, 'list_issues');
   * return answer.list(rows.map(summarizeIssue), continuation);
   */
  list<R>(rows: readonly R[], continuation: Continuation): Answer<ListOutput<R>> {
    const { note, ...position } = continuation;
    let kept = rows.length;
    // Whole rows from the start, as many as fit. A row inside the list's JSON is its own JSON with
    // each line indented two more spaces, plus `,\n`: so the length is known without re-serialising.
    const budget = MAX_TEXT_CHARS - note.length - 200;
    let used = 4;
    const lines: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const own = json(rows[i]);
      used += own.length + 2 * own.split('\n').length + 2;
      if (used > budget) {
        kept = i;
        break;
      }
      lines.push(own);
    }
    let shown: R[] = rows.slice(0, kept);
    // The list's JSON from its rows' (what json(shown) gives, without serialising them again).
    let listJson = kept === 0 ? '[]' : `[\n  ${lines.join(',\n').replace(/\n/g, '\n  ')}\n]`;
    let cut = 0;
    if (kept === 0 && rows.length > 0) {
      const fitted = fitStrings(rows[0], budget);
      shown = [fitted.value];
      listJson = json(shown);
      cut = fitted.omitted;
    }
    const omittedRows = rows.length - shown.length;
    const truncated: Truncation | undefined = omittedRows > 0
      ? { omitted: omittedRows, unit: 'items', hint: 'ask for fewer results per page (or a narrower query) to see them' }
      : cut > 0 ? { omitted: cut, unit: 'characters', hint: CUT_HINT } : undefined;
    const sentence = omittedRows > 0
      ? `${note} [truncated: ${omittedRows} of these ${rows.length} results are left out to fit the answer; ${truncated!.hint}]`
      : note;
    return { text: `${sentence}\n${listJson}`, data: { ...position, items: shown, ...(truncated ? { truncated } : {}) } };
  },

  /**
   * A short message and its data, both given whole (a write's confirmation).
   *
   * @example
   * return answer.message(`Added note ${res.data.id} to issue #${a.issue_iid}.`, { id: res.data.id });
   */
  message<T>(text: string, data: T): Answer<T> {
    return { text, data };
  },

  /**
   * Throws a `Refusal`: the tool answers `isError` with this message.
   *
   * @example
   * if (a.scope === 'blobs' && a.project_id === undefined) answer.refuse('search scope "blobs" needs project_id');
   */
  refuse(message: string): never {
    throw new Refusal(message);
  },
};
