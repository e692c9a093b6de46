/**
 * Journals: work notes (`work_notes`, internal: only fulfillers see them) and comments
 * (`comments`, "Additional comments": the caller sees them and usually gets an email). They are
 * kept apart everywhere: each entry says which it is, and writing one is a tool of its own, so a
 * customer-visible comment is never what a caller gets by default or by leaving an argument out.
 */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, rowSchema, untrusted, writeTool, type Row, type ToolContext } from '../../../kit';
import { encodedQuery, type Condition } from '../query';
import { contextListTool, sysIdOf } from '../records';
import { JOURNAL_FIELDS, readableText, sysId, tablePath, tableQuery, valueOf } from '../shapes';

const KINDS = { work_notes: 'internal work note', comments: 'customer-visible comment' } as const;
type Kind = keyof typeof KINDS | 'both';

export const JOURNAL_ENTRY_ROW = rowSchema(['sys_id', 'type', 'visibility', 'created_on', 'created_by', 'text'], {
  type: z.unknown().optional().describe('work_notes or comments'),
  visibility: z.unknown().optional().describe('internal (work notes) or customer-visible (comments)'),
});

function journalConditions(id: string, kind: Kind): Condition[] {
  return [
    { field: 'element_id', op: '=', value: id, what: 'sys_id' },
    kind === 'both' ? { field: 'element', op: 'IN', value: ['comments', 'work_notes'] } : { field: 'element', op: '=', value: kind },
  ];
}

/** Newest first; sys_id breaks ties between entries of the same second. */
const JOURNAL_ORDER = [{ field: 'sys_created_on', desc: true }, { field: 'sys_id', desc: true }];

export function journalEntry(r: Row): Row {
  const element = String(valueOf(r.element));
  const kind = element === 'work_notes' || element === 'comments' ? element : undefined;
  const text = String(valueOf(r.value) ?? '');
  return {
    sys_id: valueOf(r.sys_id),
    type: element,
    visibility: kind === 'work_notes' ? 'internal' : kind === 'comments' ? 'customer-visible' : 'unknown',
    created_on: valueOf(r.sys_created_on),
    created_by: valueOf(r.sys_created_by),
    text: untrusted(readableText(text), kind ? KINDS[kind] : 'journal entry'),
  };
}

/** The latest `limit` journal entries of a record (for `include: ["journal"]`). */
export async function journalEntries(ctx: ToolContext, id: string, kind: Kind, limit: number): Promise<Row[]> {
  const res = await ctx.upstream.request<{ result?: Row[] }>({
    path: tablePath('sys_journal_field'),
    query: { ...tableQuery(JOURNAL_FIELDS, encodedQuery(journalConditions(id, kind), JOURNAL_ORDER)), sysparm_limit: limit },
  });
  return (res.data?.result ?? []).map(journalEntry);
}

const getJournal = contextListTool({
  name: 'sn_get_journal',
  title: 'Read a record\'s work notes and comments',
  description: 'The work notes (internal) and comments (customer-visible) of an incident, problem, change or other task, newest first; '
    + `each entry says which it is. ${UNTRUSTED_NOTE}`,
  input: {
    sys_id: sysId('record'),
    kind: z.enum(['work_notes', 'comments', 'both']).optional().describe('Which entries (default both)'),
  },
  row: JOURNAL_ENTRY_ROW,
  request: (a) => ({
    path: tablePath('sys_journal_field'),
    query: tableQuery(JOURNAL_FIELDS, encodedQuery(journalConditions(a.sys_id, a.kind ?? 'both'), JOURNAL_ORDER)),
  }),
  map: journalEntry,
});

// ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----

const NOTE_TABLES = { incident: 'INC', problem: 'PRB', change_request: 'CHG', change_task: 'CTASK' } as const;
type NoteTable = keyof typeof NOTE_TABLES;

const noteTarget = {
  table: z.enum(Object.keys(NOTE_TABLES) as [NoteTable, ...NoteTable[]]).describe('The record\'s table'),
  record: z.string().trim().regex(/^(?:[A-Za-z]{2,6}\d{4,12}|[0-9a-f]{32})$/, 'record must be a number like INC0010001 or a sys_id (32 hexadecimal characters)')
    .describe('The record\'s number (INC0010001, PRB0040001, CHG0030001, CTASK0010001) or sys_id'),
  text: z.string().trim().min(1).max(32_000),
};

const NOTE_OUTPUT = z.object({ sys_id: z.string(), number: z.unknown().optional(), table: z.string(), field: z.string(), visibility: z.string() });

function noteTool(field: keyof typeof KINDS, spec: { name: string; title: string; description: string }) {
  return writeTool({
    ...spec,
    input: noteTarget,
    output: NOTE_OUTPUT,
    async run(a, ctx) {
      const prefix = NOTE_TABLES[a.table];
      if (!/^[0-9a-f]{32}$/.test(a.record) && !a.record.toUpperCase().startsWith(prefix)) {
        answer.refuse(`record ${a.record} is not a ${a.table} number (those start with ${prefix}); give the ${a.table} number or its sys_id`);
      }
      const { sysId: id } = await sysIdOf(ctx, a.table, a.record, a.table.replace('_', ' '));
      const res = await ctx.upstream.request<{ result?: Row }>({
        method: 'PATCH',
        path: tablePath(a.table, id),
        query: { sysparm_fields: 'sys_id,number', sysparm_exclude_reference_link: true },
        body: { [field]: a.text },
      });
      const number = valueOf(res.data?.result?.number);
      const visibility = field === 'work_notes' ? 'internal' : 'customer-visible';
      return answer.message(`Added ${field === 'work_notes' ? 'an' : 'a'} ${KINDS[field]} to ${a.table} ${String(number ?? id)}.`, { sys_id: id, number, table: a.table, field, visibility });
    },
  });
}

const addWorkNote = noteTool('work_notes', {
  name: 'sn_add_work_note',
  title: 'Add an internal work note',
  description: 'Add a work note to an incident, problem, change or change task: internal, seen by fulfillers only, not by the caller. '
    + 'To write to the caller, use sn_add_customer_comment.',
});

const addCustomerComment = noteTool('comments', {
  name: 'sn_add_customer_comment',
  title: 'Add a customer-visible comment',
  description: 'Add a comment (Additional comments) to an incident, problem, change or change task: VISIBLE TO THE CALLER, who is usually emailed. '
    + 'For internal notes use sn_add_work_note.',
});

export const journalTools = [getJournal, addWorkNote, addCustomerComment];
