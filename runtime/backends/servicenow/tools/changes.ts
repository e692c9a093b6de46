/**
 * Change requests through the Change Management API (`/api/sn_chg_rest/change`, plugin
 * `sn_chg_rest`): search, read with tasks, approvals and next states, conflict check; create,
 * update (state moves only along the next states the instance offers), approve or reject, and
 * risk calculation. The API answers every field as `{ value, display_value }`.
 */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, listTool, output, pathSegment, readTool, rowSchema, writeTool, type Row, type ToolContext } from '../../../kit';
import { pages, resultRows } from '../paging';
import { NEWEST_FIRST, encodedQuery, type Condition } from '../query';
import { reference } from '../records';
import {
  APPROVAL_FIELDS, CHANGE_API, CHANGE_DETAIL_FIELDS, CHANGE_FIELDS, CHANGE_ROW, CHANGE_STATES, CHANGE_TASK_FIELDS,
  dateTime, isSysId, nameOrId, numberOf, recordRef, resultRecord, shown, shownRow, stateEnum, sysId, tablePath, tableQuery, valueOf,
} from '../shapes';

const CHANGE_STATE = stateEnum(CHANGE_STATES);
const STATE_NAMES = Object.fromEntries(Object.entries(CHANGE_STATES).map(([name, code]) => [String(code), name]));
const changePath = (id: string, sub?: string) => `${CHANGE_API}/${pathSegment(id, 'change')}${sub ? `/${sub}` : ''}`;
const changeRef = recordRef('change', 'CHG');

/** A change by number or sys_id, as the Change Management API answers it. */
async function findChange(ctx: ToolContext, ref: string): Promise<Row> {
  if (isSysId(ref)) return resultRecord((await ctx.upstream.request({ path: changePath(ref) })).data, 'change');
  const res = await ctx.upstream.request({ path: CHANGE_API, query: { sysparm_query: `number=${ref.toUpperCase()}`, sysparm_limit: 1 } });
  const record = resultRows(res.data, 'sn_get_change')[0];
  if (!record) answer.refuse(`No change ${ref.toUpperCase()} on this instance, or the integration user cannot see it`);
  return record;
}

async function changeId(ctx: ToolContext, ref: string): Promise<string> {
  return isSysId(ref) ? ref : String(valueOf((await findChange(ctx, ref)).sys_id));
}

const searchChanges = listTool({
  name: 'sn_search_changes',
  title: 'Search change requests',
  description: 'Search change requests, most recently updated first, by state, type, assignment, configuration item, planned window or text.',
  input: {
    state: z.array(CHANGE_STATE).min(1).optional().describe('Any of these states'),
    type: z.enum(['normal', 'standard', 'emergency']).optional(),
    active: z.boolean().optional().describe('true: only open changes; false: only closed or canceled ones'),
    assignment_group: nameOrId('assignment group').optional(),
    cmdb_ci: nameOrId('configuration item').optional(),
    contains: z.string().min(1).max(200).optional().describe('Text the short description contains'),
    keywords: z.string().min(1).max(200).optional().describe('Full-text search over every field (the API\'s textSearch)'),
    starts_after: dateTime('Planned start at or after').optional(),
    starts_before: dateTime('Planned start at or before').optional(),
  },
  paging: pages,
  row: CHANGE_ROW,
  request: (a) => {
    const conditions: Array<Condition | undefined> = [
      a.active === undefined ? undefined : { field: 'active', op: '=', value: a.active },
      a.state ? { field: 'state', op: 'IN', value: a.state.map((s) => CHANGE_STATES[s]), what: 'state' } : undefined,
      a.type ? { field: 'type', op: '=', value: a.type } : undefined,
      reference('assignment_group', a.assignment_group, 'assignment_group', 'name'),
      reference('cmdb_ci', a.cmdb_ci, 'cmdb_ci', 'name'),
      a.contains === undefined ? undefined : { field: 'short_description', op: 'LIKE', value: a.contains, what: 'contains' },
      a.starts_after === undefined ? undefined : { field: 'start_date', op: '>=', value: a.starts_after, what: 'starts_after' },
      a.starts_before === undefined ? undefined : { field: 'start_date', op: '<=', value: a.starts_before, what: 'starts_before' },
    ];
    // textSearch is a parameter of its own, never part of the encoded query.
    return { path: CHANGE_API, query: { sysparm_query: encodedQuery(conditions, NEWEST_FIRST), textSearch: a.keywords } };
  },
  map: (r) => shownRow(r, CHANGE_FIELDS, `change ${numberOf(r)}`),
});

const NEXT_STATE_ROW = z.object({
  state: z.string().describe('The state code to pass as state (by name) to sn_update_change'),
  name: z.string().optional().describe('The state\'s name for sn_update_change'),
  label: z.unknown().optional(),
  available: z.boolean().describe('Whether every condition of the move passes now'),
  failing_conditions: z.array(z.unknown()).describe('What stops the move, when it is not available'),
});

/**
 * `GET …/nextstates`: where the change may go from `current` (its state now), and what each move
 * still needs. `available_states` includes the current state; `state_transitions` have the conditions.
 */
async function nextStates(ctx: ToolContext, id: string, current?: string): Promise<Array<z.infer<typeof NEXT_STATE_ROW>>> {
  const res = await ctx.upstream.request<{ result?: Row }>({ path: changePath(id, 'nextstates') });
  const r = res.data?.result ?? {};
  const labels = (r.state_label ?? {}) as Record<string, unknown>;
  const transitions = Array.isArray(r.state_transitions) ? (r.state_transitions as Row[]) : [];
  const available = Array.isArray(r.available_states) ? (r.available_states as unknown[]).map(String) : [];
  const from = current ?? (transitions[0]?.from_state === undefined ? undefined : String(transitions[0].from_state));
  const states = [...new Set([...transitions.map((t) => String(t.to_state)), ...available])].filter((s) => s !== from);
  return states.map((s) => {
    const moves = transitions.filter((t) => String(t.to_state) === s);
    const failing = moves.flatMap((t) => (Array.isArray(t.conditions) ? (t.conditions as Row[]) : []))
      .filter((c) => c.passed === false)
      .map((c) => {
        const cond = (c.condition ?? {}) as Row;
        return cond.description ?? cond.name;
      });
    const ok = moves.length === 0 ? available.includes(s) : moves.some((t) => t.transition_available !== false);
    return { state: s, name: STATE_NAMES[s], label: labels[s], available: ok && failing.length === 0, failing_conditions: failing };
  });
}

const getChange = readTool({
  name: 'sn_get_change',
  title: 'Get a change request',
  description: 'Get one change request by number (CHG0030001) or sys_id, with its plans; include tasks, approvals (who approved or rejected) '
    + `and next_states (the states it may move to, and the conditions that still fail). ${UNTRUSTED_NOTE}`,
  input: {
    change: changeRef,
    include: z.array(z.enum(['tasks', 'approvals', 'next_states'])).optional(),
  },
  output: output.item(CHANGE_ROW.extend({
    tasks: z.array(rowSchema(CHANGE_TASK_FIELDS)).optional(),
    approvals: z.array(rowSchema(APPROVAL_FIELDS)).optional(),
    next_states: z.array(NEXT_STATE_ROW).optional(),
  })),
  async run(a, ctx) {
    const record = await findChange(ctx, a.change);
    const id = String(valueOf(record.sys_id));
    const number = numberOf(record);
    const item: Row = shownRow(record, CHANGE_DETAIL_FIELDS, `change ${number}`);
    const include = new Set(a.include ?? []);
    if (include.has('tasks')) {
      const res = await ctx.upstream.request({ path: changePath(id, 'task'), query: { sysparm_query: 'ORDERBYnumber', sysparm_limit: 50 } });
      item.tasks = resultRows(res.data, 'sn_get_change').map((t) => shownRow(t, CHANGE_TASK_FIELDS, `change task ${numberOf(t)}`));
    }
    if (include.has('approvals')) {
      const res = await ctx.upstream.request({
        path: tablePath('sysapproval_approver'),
        query: { ...tableQuery(APPROVAL_FIELDS, encodedQuery([{ field: 'sysapproval', op: '=', value: id }], [{ field: 'sys_created_on' }, { field: 'sys_id' }])), sysparm_limit: 50 },
      });
      item.approvals = resultRows(res.data, 'sn_get_change').map((r) => shownRow(r, APPROVAL_FIELDS, `approval of change ${number}`));
    }
    if (include.has('next_states')) item.next_states = await nextStates(ctx, id, String(valueOf(record.state)));
    return answer.item(item);
  },
});

const CONFLICT_FIELDS = ['type', 'change', 'conflicting_change', 'configuration_item', 'ci', 'schedule', 'description'];

const checkConflicts = readTool({
  name: 'sn_check_change_conflicts',
  title: 'Check a change for conflicts',
  description: 'Run ServiceNow\'s conflict check for a change (blackout and maintenance windows, other changes on the same configuration items) and '
    + 'return its status and conflicts. It starts a background check that records conflicts but changes nothing on the change itself. '
    + `The check can take a few seconds: while status says it is running, call again with start=false. ${UNTRUSTED_NOTE}`,
  input: {
    change: changeRef,
    start: z.boolean().optional().describe('Start a new check first (default true); false: read the last check\'s results'),
  },
  output: z.object({
    change: z.string(),
    status: z.unknown().optional(),
    last_run: z.unknown().optional(),
    record_count: z.unknown().optional(),
    conflicts: z.array(rowSchema(CONFLICT_FIELDS)),
  }),
  async run(a, ctx) {
    const id = await changeId(ctx, a.change);
    // POST starts the conflict checker (a background job); the GET reads its status and results.
    if (a.start !== false) await ctx.upstream.request({ method: 'POST', path: changePath(id, 'conflict') });
    const res = await ctx.upstream.request<{ result?: Row }>({ path: changePath(id, 'conflict') });
    const r = res.data?.result ?? {};
    const conflicts = (Array.isArray(r.conflicts) ? (r.conflicts as Row[]) : []).map((c) => shownRow(c, CONFLICT_FIELDS, 'conflict'));
    const data = { change: id, status: r.status, last_run: r.last_run, record_count: r.record_count, conflicts };
    return answer.message(`Conflict check of change ${a.change}: ${String(r.status ?? 'unknown status')}, ${conflicts.length} conflict(s).\n${JSON.stringify(data, null, 2)}`, data);
  },
});

// ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----

const plans = {
  description: z.string().max(32_000).optional(),
  justification: z.string().max(4000).optional(),
  implementation_plan: z.string().max(4000).optional(),
  backout_plan: z.string().max(4000).optional(),
  test_plan: z.string().max(4000).optional(),
  start_date: dateTime('Planned start').optional(),
  end_date: dateTime('Planned end').optional(),
  assignment_group: sysId('assignment group').optional(),
  assigned_to: sysId('assignee').optional(),
  cmdb_ci: sysId('configuration item').optional(),
};

function changeAnswer(record: Row, note: string) {
  return answer.item(shownRow(record, CHANGE_FIELDS, `change ${numberOf(record)}`), note);
}

const createChange = writeTool({
  name: 'sn_create_change',
  title: 'Create a change request',
  description: 'Create a normal or emergency change request, or a standard one from a published standard change template (template sys_id). '
    + 'It starts in state new; move it on with sn_update_change.',
  input: {
    type: z.enum(['normal', 'emergency', 'standard']),
    template: sysId('standard change template').optional().describe('The standard change template\'s sys_id (type standard only)'),
    short_description: z.string().trim().min(1).max(160).optional().describe('Required for normal and emergency changes; a standard change takes the template\'s'),
    ...plans,
  },
  output: output.item(CHANGE_ROW),
  async run(a, ctx) {
    const { type, template, ...fields } = a;
    if (type === 'standard' && !template) answer.refuse('a standard change needs template: the sys_id of a published standard change template');
    if (type !== 'standard' && template) answer.refuse(`template goes with type standard only, got type ${type}`);
    if (type !== 'standard' && !fields.short_description) answer.refuse(`${type === 'emergency' ? 'an' : 'a'} ${type} change needs short_description`);
    const path = type === 'standard' ? `${CHANGE_API}/standard/${pathSegment(template!, 'template')}` : `${CHANGE_API}/${type}`;
    const res = await ctx.upstream.request({ method: 'POST', path, body: fields });
    const record = resultRecord(res.data, 'new change');
    return changeAnswer(record, `Created ${type} change ${numberOf(record)} (sys_id ${String(valueOf(record.sys_id))}).`);
  },
});

const updateChange = writeTool({
  name: 'sn_update_change',
  title: 'Update a change request',
  description: 'Change a change request\'s fields or move its state. A state move is checked first against the states the instance offers next '
    + '(see sn_get_change include next_states); closing needs close_code and close_notes.',
  input: {
    change: changeRef,
    state: CHANGE_STATE.optional(),
    short_description: z.string().trim().min(1).max(160).optional(),
    close_code: z.enum(['successful', 'successful_issues', 'unsuccessful']).optional(),
    close_notes: z.string().trim().min(1).max(4000).optional(),
    ...plans,
  },
  output: output.item(CHANGE_ROW),
  async run(a, ctx) {
    const { change, state, ...fields } = a;
    if (state === 'closed' && (!a.close_code || !a.close_notes)) answer.refuse('state closed needs close_code and close_notes');
    const body: Row = { ...fields };
    if (Object.keys(body).length === 0 && state === undefined) answer.refuse('give at least one field to change, or a state');
    const id = await changeId(ctx, change);
    if (state !== undefined) {
      const code = String(CHANGE_STATES[state]);
      const next = await nextStates(ctx, id);
      const target = next.find((n) => n.state === code);
      if (!target || !target.available) {
        const offered = next.filter((n) => n.available).map((n) => n.name ?? n.state);
        const why = target ? `: ${target.failing_conditions.map(String).join('; ') || 'a condition fails'}` : '';
        answer.refuse(`change ${change} cannot move to ${state} now${why}; it may move to: ${offered.join(', ') || 'no state'}`);
      }
      body.state = code;
    }
    const res = await ctx.upstream.request({ method: 'PATCH', path: changePath(id), body });
    const record = resultRecord(res.data, 'change');
    return changeAnswer(record, `Updated change ${numberOf(record)}: ${Object.keys(body).join(', ')}.`);
  },
});

const decideApproval = writeTool({
  name: 'sn_decide_change_approval',
  title: 'Approve or reject a change',
  description: 'Approve or reject the change approval assigned to the integration user (the API acts as that user). A rejection needs comments.',
  input: {
    change: changeRef,
    decision: z.enum(['approved', 'rejected']),
    comments: z.string().trim().min(1).max(4000).optional().describe('Why; required to reject'),
  },
  output: output.item(CHANGE_ROW),
  async run(a, ctx) {
    if (a.decision === 'rejected' && !a.comments) answer.refuse('a rejection needs comments (why it is rejected)');
    const id = await changeId(ctx, a.change);
    const res = await ctx.upstream.request({ method: 'PATCH', path: changePath(id, 'approvals'), body: { state: a.decision, ...(a.comments ? { comments: a.comments } : {}) } });
    const record = resultRecord(res.data, 'change');
    return changeAnswer(record, `Change ${numberOf(record)}: ${a.decision}; approval now ${JSON.stringify(shown(record.approval))}.`);
  },
});

const calculateRisk = writeTool({
  name: 'sn_calculate_change_risk',
  title: 'Calculate a change\'s risk',
  description: 'Run the instance\'s risk and impact calculation on a change and save the result on it.',
  idempotent: true,
  input: { change: changeRef },
  output: output.item(CHANGE_ROW),
  async run(a, ctx) {
    const id = await changeId(ctx, a.change);
    const res = await ctx.upstream.request({ method: 'PATCH', path: changePath(id, 'risk') });
    const record = resultRecord(res.data, 'change');
    return changeAnswer(record, `Risk of change ${numberOf(record)}: ${JSON.stringify(shown(record.risk))}, impact ${JSON.stringify(shown(record.impact))}.`);
  },
});

export const changeTools = [searchChanges, getChange, checkConflicts, createChange, updateChange, decideApproval, calculateRisk];
