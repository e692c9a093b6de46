/** Incidents and problems through the Table API: search, read, create, update. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, listTool, output, readTool, writeTool, type Row } from '../../../kit';
import { pages } from '../paging';
import { NEWEST_FIRST, encodedQuery, keywords, type Condition } from '../query';
import { findRecord, reference, sysIdOf } from '../records';
import {
  INCIDENT_DETAIL_FIELDS, INCIDENT_FIELDS, INCIDENT_ROW, INCIDENT_STATES, PROBLEM_FIELDS, PROBLEM_ROW, PROBLEM_STATES,
  dateTime, nameOrId, numberOf, recordRef, shownRow, stateEnum, sysId, tablePath, tableQuery, valueOf,
} from '../shapes';
import { journalEntries, JOURNAL_ENTRY_ROW } from './journal';

/** Filters incidents and problems share (both are tasks). */
const taskFilters = {
  active: z.boolean().optional().describe('true: only open records; false: only closed ones (default: both)'),
  priority: z.array(z.number().int().min(1).max(5)).min(1).optional().describe('Any of these priorities (1 critical ... 5 planning)'),
  assignment_group: nameOrId('assignment group').optional(),
  assigned_to: z.string().trim().min(1).max(200).optional().describe('The assignee\'s user name, email or sys_id'),
  cmdb_ci: nameOrId('configuration item').optional(),
  contains: z.string().min(1).max(200).optional().describe('Text the short description contains'),
  keywords: z.string().min(1).max(200).optional().describe('Keyword search over every indexed field (ServiceNow\'s text index)'),
  updated_after: dateTime('Updated at or after').optional(),
  opened_after: dateTime('Opened at or after').optional(),
};

type TaskFilters = { [K in keyof typeof taskFilters]?: z.infer<(typeof taskFilters)[K]> };

function taskConditions(a: TaskFilters, states: readonly number[] | undefined): Condition[] {
  const c: Array<Condition | undefined> = [
    a.active === undefined ? undefined : { field: 'active', op: '=', value: a.active },
    states ? { field: 'state', op: 'IN', value: states, what: 'state' } : undefined,
    a.priority ? { field: 'priority', op: 'IN', value: a.priority, what: 'priority' } : undefined,
    reference('assignment_group', a.assignment_group, 'assignment_group', 'name'),
    reference('assigned_to', a.assigned_to, 'assigned_to', 'user'),
    reference('cmdb_ci', a.cmdb_ci, 'cmdb_ci', 'name'),
    a.contains === undefined ? undefined : { field: 'short_description', op: 'LIKE', value: a.contains, what: 'contains' },
    keywords(a.keywords),
    a.updated_after === undefined ? undefined : { field: 'sys_updated_on', op: '>=', value: a.updated_after, what: 'updated_after' },
    a.opened_after === undefined ? undefined : { field: 'opened_at', op: '>=', value: a.opened_after, what: 'opened_after' },
  ];
  return c.filter((x): x is Condition => x !== undefined);
}

const INCIDENT_STATE = stateEnum(INCIDENT_STATES);
const PROBLEM_STATE = stateEnum(PROBLEM_STATES);

const searchIncidents = listTool({
  name: 'sn_search_incidents',
  title: 'Search incidents',
  description: 'Search incidents, most recently updated first, by state, priority, assignment, configuration item, text or dates. '
    + 'Choice and reference fields show { value, display_value } (the code or sys_id, and its label).',
  input: {
    state: z.array(INCIDENT_STATE).min(1).optional().describe('Any of these states'),
    caller: z.string().trim().min(1).max(200).optional().describe('The caller\'s user name, email or sys_id'),
    ...taskFilters,
  },
  paging: pages,
  row: INCIDENT_ROW,
  request: (a) => ({
    path: tablePath('incident'),
    query: tableQuery(INCIDENT_FIELDS, encodedQuery([
      ...taskConditions(a, a.state?.map((s) => INCIDENT_STATES[s])),
      reference('caller_id', a.caller, 'caller', 'user'),
    ], NEWEST_FIRST)),
  }),
  map: (r) => shownRow(r, INCIDENT_FIELDS, `incident ${numberOf(r)}`),
});

const searchProblems = listTool({
  name: 'sn_search_problems',
  title: 'Search problems',
  description: 'Search problems, most recently updated first, by state, priority, assignment, configuration item, text or dates.',
  input: { state: z.array(PROBLEM_STATE).min(1).optional().describe('Any of these states'), ...taskFilters },
  paging: pages,
  row: PROBLEM_ROW,
  request: (a) => ({
    path: tablePath('problem'),
    query: tableQuery(PROBLEM_FIELDS, encodedQuery(taskConditions(a, a.state?.map((s) => PROBLEM_STATES[s])), NEWEST_FIRST)),
  }),
  map: (r) => shownRow(r, PROBLEM_FIELDS, `problem ${numberOf(r)}`),
});

const incidentRef = recordRef('incident', 'INC');

const getIncident = readTool({
  name: 'sn_get_incident',
  title: 'Get an incident',
  description: 'Get one incident by number (INC0010001) or sys_id, with its description and resolution; include "journal" for its latest '
    + `work notes (internal) and comments (customer-visible). ${UNTRUSTED_NOTE}`,
  input: {
    incident: incidentRef,
    include: z.array(z.enum(['journal'])).optional().describe('"journal": the 20 latest work notes and comments (sn_get_journal pages through all)'),
  },
  output: output.item(INCIDENT_ROW.extend({ journal: z.array(JOURNAL_ENTRY_ROW).optional() })),
  async run(a, ctx) {
    const record = await findRecord(ctx, 'incident', a.incident, INCIDENT_DETAIL_FIELDS, 'incident');
    const item: Row = shownRow(record, INCIDENT_DETAIL_FIELDS, `incident ${numberOf(record)}`);
    if (a.include?.includes('journal')) item.journal = await journalEntries(ctx, String(valueOf(record.sys_id)), 'both', 20);
    return answer.item(item);
  },
});

// ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----

const level = (what: string) => z.number().int().min(1).max(3).optional().describe(`${what}: 1 high, 2 medium, 3 low`);

const createIncident = writeTool({
  name: 'sn_create_incident',
  title: 'Create an incident',
  description: 'Create an incident. References (caller, assignment group, configuration item) are sys_ids: find them with sn_find_user_or_group and sn_find_ci.',
  input: {
    short_description: z.string().trim().min(1).max(160),
    description: z.string().max(32_000).optional(),
    urgency: level('Urgency'),
    impact: level('Impact'),
    category: z.string().trim().min(1).max(40).optional().describe('A category value of the instance, e.g. "network"'),
    caller_id: sysId('caller').optional(),
    assignment_group: sysId('assignment group').optional(),
    cmdb_ci: sysId('configuration item').optional(),
  },
  output: output.item(INCIDENT_ROW),
  async run(a, ctx) {
    const res = await ctx.upstream.request({ method: 'POST', path: tablePath('incident'), query: tableQuery(INCIDENT_FIELDS), body: a });
    const record = (res.data as { result?: Row }).result ?? {};
    const item = shownRow(record, INCIDENT_FIELDS, `incident ${numberOf(record)}`);
    return answer.item(item, `Created incident ${numberOf(record)} (sys_id ${String(valueOf(record.sys_id))}).`);
  },
});

const HOLD_REASONS = { awaiting_caller: 1, awaiting_problem: 3, awaiting_vendor: 4, awaiting_change: 5 } as const;

const updateIncident = writeTool({
  name: 'sn_update_incident',
  title: 'Update an incident',
  description: 'Change an incident\'s state, assignment, urgency or impact, or resolve it. Resolving or closing needs close_code and close_notes '
    + '(the instance\'s data policy); on_hold needs hold_reason. For notes use sn_add_work_note or sn_add_customer_comment.',
  input: {
    incident: incidentRef,
    state: INCIDENT_STATE.optional(),
    hold_reason: stateEnum(HOLD_REASONS).optional().describe('Why it is on hold (with state on_hold)'),
    close_code: z.string().trim().min(1).max(80).optional().describe('The resolution code, a choice of the instance, e.g. "Solution provided"'),
    close_notes: z.string().trim().min(1).max(4000).optional().describe('How it was resolved'),
    assigned_to: sysId('assignee').optional(),
    assignment_group: sysId('assignment group').optional(),
    urgency: level('Urgency'),
    impact: level('Impact'),
  },
  output: output.item(INCIDENT_ROW),
  async run(a, ctx) {
    const { incident, state, hold_reason: hold, ...fields } = a;
    const resolving = state === 'resolved' || state === 'closed';
    // ServiceNow's data policy refuses these without the fields, after the call; saying so first saves the round trip.
    if (resolving && (!a.close_code || !a.close_notes)) {
      answer.refuse(`state ${state} needs close_code and close_notes (the resolution), got ${a.close_code ? 'close_notes missing' : a.close_notes ? 'close_code missing' : 'neither'}`);
    }
    if (state === 'on_hold' && !hold) answer.refuse('state on_hold needs hold_reason (awaiting_caller, awaiting_problem, awaiting_vendor or awaiting_change)');
    if (hold && state !== 'on_hold') answer.refuse(`hold_reason goes with state on_hold, got state ${state === undefined ? '(none)' : state}`);
    const body: Row = { ...fields };
    if (state) body.state = String(INCIDENT_STATES[state]);
    if (hold) body.hold_reason = String(HOLD_REASONS[hold]);
    if (Object.keys(body).length === 0) answer.refuse('give at least one field to change (state, assignment, urgency, impact, close_code/close_notes)');
    const { sysId: id } = await sysIdOf(ctx, 'incident', incident, 'incident');
    const res = await ctx.upstream.request({ method: 'PATCH', path: tablePath('incident', id), query: tableQuery(INCIDENT_FIELDS), body });
    const record = (res.data as { result?: Row }).result ?? {};
    return answer.item(shownRow(record, INCIDENT_FIELDS, `incident ${numberOf(record)}`), `Updated incident ${numberOf(record)}: ${Object.keys(body).join(', ')}.`);
  },
});

export const incidentTools = [searchIncidents, getIncident, searchProblems, createIncident, updateIncident];
