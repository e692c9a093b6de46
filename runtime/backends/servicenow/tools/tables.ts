/**
 * The generic tools: counts (the Aggregate API) and rows of any table the server may read (its
 * `TABLES` setting, or the tables the other tools read). Filters are typed — field, operator,
 * value — and built into the encoded query by query.ts, never passed as query text.
 */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, readTool, rowSchema, type Row } from '../../../kit';
import { OPERATORS, encodedQuery, queryField, type Condition, type Operator } from '../query';
import { allowedTable, contextListTool } from '../records';
import { shownRow, tablePath, tableQuery } from '../shapes';

const table = z.string().trim().regex(/^[a-z][a-z0-9_]{0,79}$/, 'table must be a table name (lower-case letters, digits and underscores, e.g. incident)')
  .describe('The table, e.g. incident, change_request, cmdb_ci_server');

const fieldName = z.string().trim().min(1).max(200).describe('A field name, dot-walked or not (priority, assignment_group.name)');

const filters = z.array(z.object({
  field: fieldName,
  op: z.enum(OPERATORS as [Operator, ...Operator[]]).optional().describe('Default "="; IN and NOT IN take a list; ISEMPTY and ISNOTEMPTY no value'),
  value: z.union([z.string().max(200), z.number(), z.boolean(), z.array(z.union([z.string().max(200), z.number()])).min(1).max(50)]).optional(),
}).strict()).max(20).optional().describe('Conditions, all of which must hold');

function conditionsOf(list: z.infer<typeof filters>): Condition[] {
  return (list ?? []).map((f, i) => ({ field: queryField(f.field, `filters[${i}].field`), op: f.op ?? '=', value: f.value, what: `filters[${i}].value` }));
}

const COUNT_ROW = z.object({ group: z.record(z.string(), z.unknown()).optional(), count: z.number().int() });

const count = readTool({
  name: 'sn_count',
  title: 'Count records',
  description: 'Count the records of a table that match typed filters, optionally grouped by one field (e.g. open incidents by priority). '
    + 'Tables: the server\'s allow-list.',
  input: {
    table,
    filters,
    group_by: fieldName.optional().describe('Count per value of this field'),
  },
  output: z.object({ table: z.string(), total: z.number().int(), groups: z.array(COUNT_ROW).optional() }),
  async run(a, ctx) {
    const name = allowedTable(ctx, a.table);
    const groupBy = a.group_by === undefined ? undefined : queryField(a.group_by, 'group_by');
    const res = await ctx.upstream.request<{ result?: unknown }>({
      path: `/api/now/stats/${name}`,
      query: {
        sysparm_count: true,
        sysparm_query: encodedQuery(conditionsOf(a.filters)) || undefined,
        sysparm_group_by: groupBy,
        sysparm_display_value: true,
      },
    });
    const result = res.data?.result;
    const countOf = (r: unknown) => Number((r as { stats?: { count?: unknown } } | undefined)?.stats?.count ?? 0);
    if (!Array.isArray(result)) {
      const total = countOf(result);
      return answer.message(`${total} ${name} record(s) match.`, { table: name, total });
    }
    const groups = (result as Row[]).map((r) => {
      const fields = Array.isArray(r.groupby_fields) ? (r.groupby_fields as Row[]) : [];
      const label = (f: Row) => (f.display_value !== undefined && f.display_value !== f.value
        ? { value: f.value, display_value: f.display_value } : f.value);
      const group = Object.fromEntries(fields.map((f) => [String(f.field), label(f)]));
      return { group, count: countOf(r) };
    }).sort((x, y) => y.count - x.count);
    const total = groups.reduce((n, g) => n + g.count, 0);
    const lines = groups.map((g) => `${JSON.stringify(Object.values(g.group)[0] ?? '(empty)')}: ${g.count}`);
    return answer.message(`${total} ${name} record(s) match, by ${groupBy}:\n${lines.join('\n')}`, { table: name, total, groups });
  },
});

const DEFAULT_FIELDS = ['sys_id', 'number', 'name', 'short_description', 'state', 'sys_updated_on'];

const queryTable = contextListTool({
  name: 'sn_query_table',
  title: 'Query a table',
  description: 'Read rows of a table the server may read (its allow-list), with typed filters and the fields you name, most recently updated first. '
    + `Text fields such as description are framed as untrusted. ${UNTRUSTED_NOTE}`,
  input: {
    table,
    filters,
    fields: z.array(fieldName).min(1).max(30).optional().describe(`Fields to return (default ${DEFAULT_FIELDS.join(', ')}); sys_id is always included`),
    order_by: fieldName.optional().describe('Sort by this field (default sys_updated_on, newest first)'),
    descending: z.boolean().optional().describe('With order_by: newest or largest first (default false)'),
  },
  row: rowSchema([]),
  request: (a, ctx) => {
    const name = allowedTable(ctx, a.table);
    const fields = [...new Set(['sys_id', ...(a.fields ?? DEFAULT_FIELDS).map((f, i) => queryField(f, `fields[${i}]`))])];
    // sys_id last: a total order, so pages do not shift.
    const order = a.order_by === undefined
      ? [{ field: 'sys_updated_on', desc: true }, { field: 'sys_id' }]
      : [{ field: queryField(a.order_by, 'order_by'), desc: a.descending === true }, { field: 'sys_id' }];
    return { path: tablePath(name), query: tableQuery(fields, encodedQuery(conditionsOf(a.filters), order)) };
  },
  map: (r, a) => shownRow(r, Object.keys(r), `${a.table} record`),
});

export const tableTools = [count, queryTable];
