/**
 * Record look-ups the tools share: a record by number or sys_id, the filter for a reference field
 * given by name or sys_id, the table allow-list, and a paged list run inside a tool that needs
 * its context (the kit's `listTool` builds its request from the arguments alone).
 */
import { z } from 'zod';
import { pages } from './paging';
import type { Condition } from './query';
import { isSysId, resultRecord, tablePath, tableQuery, valueOf } from './shapes';
import { parseList } from '../../../src/contract';
import { Refusal, answer, output, readTool, type Answer, type ListOutput, type Query, type Row, type ToolContext, type ToolDefinition } from '../../kit';

/**
 * One record of `table` by number (`INC0010001`) or sys_id, with `fields`: `GET /table/{sys_id}`,
 * or `GET /table?sysparm_query=number=<n>&sysparm_limit=1`. A `Refusal` when there is none.
 */
export async function findRecord(ctx: ToolContext, table: string, ref: string, fields: readonly string[], what: string): Promise<Row> {
  if (isSysId(ref)) {
    const res = await ctx.upstream.request({ path: tablePath(table, ref), query: tableQuery(fields) });
    return resultRecord(res.data, what);
  }
  // Numbers are checked by the input schema (letters then digits), so they stand in the query as they are.
  const res = await ctx.upstream.request<{ result?: Row[] }>({ path: tablePath(table), query: { ...tableQuery(fields, `number=${ref.toUpperCase()}`), sysparm_limit: 1 } });
  const record = res.data?.result?.[0];
  if (!record) throw new Refusal(`No ${what} ${ref.toUpperCase()} on this instance, or the integration user cannot see it`);
  return record;
}

/** The sys_id of a record given by number or sys_id (a look-up only for a number). */
export async function sysIdOf(ctx: ToolContext, table: string, ref: string, what: string): Promise<{ sysId: string; number?: string }> {
  if (isSysId(ref)) return { sysId: ref };
  const record = await findRecord(ctx, table, ref, ['sys_id', 'number'], what);
  return { sysId: String(valueOf(record.sys_id)), number: String(valueOf(record.number)) };
}

/**
 * The condition for a reference field given by sys_id or by name: `assignment_group=<sys_id>`,
 * or `assignment_group.name=<name>` (for users `user_name`, or `email` when it has an `@`).
 */
export function reference(field: string, value: string | undefined, what: string, nameField: 'name' | 'user'): Condition | undefined {
  if (value === undefined) return undefined;
  if (isSysId(value)) return { field, op: '=', value, what };
  const sub = nameField === 'user' ? (value.includes('@') ? 'email' : 'user_name') : 'name';
  return { field: `${field}.${sub}`, op: '=', value, what };
}

/** The tables the other tools read: the generic tools' allow-list when `TABLES` is not set. */
export const DEFAULT_TABLES = [
  'incident', 'problem', 'change_request', 'change_task', 'sysapproval_approver', 'sys_journal_field', 'kb_knowledge', 'sys_user', 'sys_user_group',
  'cmdb_ci', 'cmdb_ci_service', 'cmdb_ci_server', 'cmdb_ci_appl',
];

/** `table` when the server may read it (`TABLES`, or the default list); a `Refusal` naming the list otherwise. */
export function allowedTable(ctx: ToolContext, table: string): string {
  const setting = ctx.settings.TABLES;
  const allowed = setting ? parseList(setting) : DEFAULT_TABLES;
  if (!allowed.includes(table)) {
    throw new Refusal(`table ${JSON.stringify(table)} is not one this server may read; its tables: ${allowed.join(', ')}`
      + `${setting ? '' : ' (the default; the server\'s TABLES setting widens it)'}`);
  }
  return table;
}

type PageArgs = { limit?: number; cursor?: string };
type ListArgs<I extends z.ZodRawShape> = z.infer<z.ZodObject<I>> & PageArgs;

export interface ContextListSpec<I extends z.ZodRawShape, R extends z.ZodType> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: I;
  readonly row: R;
  request(args: ListArgs<I>, ctx: ToolContext): { path: string; query: Query };
  /** One upstream row as the answer shows it; the arguments too (e.g. how much text to keep). */
  map(row: Row, args: ListArgs<I>): z.input<R>;
}

/** A paged read tool whose request needs the tool context (settings): otherwise as the kit's `listTool`. */
export function contextListTool<I extends z.ZodRawShape, R extends z.ZodType>(spec: ContextListSpec<I, R>): ToolDefinition {
  return readTool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} ${pages.hint}`,
    input: { ...spec.input, ...pages.input } as z.ZodRawShape,
    output: output.list(spec.row as z.ZodType),
    async run(args, ctx): Promise<Answer<ListOutput<unknown>>> {
      const a = args as ListArgs<I>;
      const { path, query } = spec.request(a, ctx);
      const res = await ctx.upstream.request({ path, query: { ...query, ...pages.query(a, spec.name) } });
      const { rows, continuation } = pages.read(res, a, spec.name);
      return answer.list(rows.map((r) => spec.map(r, a)), continuation);
    },
  });
}
