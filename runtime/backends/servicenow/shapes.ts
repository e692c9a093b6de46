/**
 * What ServiceNow answers look like to a model: the input pieces the tools share, the fields
 * asked for (`sysparm_fields`: full records carry a hundred fields), how a field's
 * `{ value, display_value }` pair is shown, and which text is framed as untrusted.
 *
 * Display values: the Table API tools ask for `sysparm_display_value=all` (with
 * `sysparm_exclude_reference_link=true`), and the Change Management API always answers that way.
 * A field whose label is its value is shown as the value; a choice or reference field as
 * `{ value, display_value }`, so the label a person reads ("In Progress", "Service Desk") and the
 * code or sys_id the next call needs are both there (with `true` the sys_ids are lost, with
 * `false` the labels).
 */
import { z } from 'zod';
import { htmlToText } from './html';
import { Refusal, pathSegment, rowSchema, untrusted, type Query, type Row } from '../../kit';

// ---- input pieces ------------------------------------------------------------------------------

const SYS_ID = /^[0-9a-f]{32}$/;

export const sysId = (what: string) => z.string().trim().regex(SYS_ID, `${what} must be a sys_id (32 hexadecimal characters)`)
  .describe(`The ${what}'s sys_id (32 hexadecimal characters)`);

/**
 * A record by number (`INC0010001`) or sys_id. Numbers are letters then digits, so they can stand
 * in a query as they are.
 */
export const recordRef = (what: string, prefix: string) => z.string().trim()
  .regex(new RegExp(`^(?:${prefix}\\d{4,12}|[0-9a-f]{32})$`, 'i'), `${what} must be a number like ${prefix}0010001 or a sys_id (32 hexadecimal characters)`)
  .describe(`The ${what}'s number (e.g. ${prefix}0010001) or sys_id`);

export const isSysId = (v: string) => SYS_ID.test(v);

/** A date, or a date and time (UTC), as ServiceNow writes them in queries. */
export const dateTime = (what: string) => z.string().trim()
  .regex(/^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$/, `${what} must be "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC)`)
  .describe(`${what}: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC)`);

/** A user, group or CI given by name or sys_id (the query compares the sys_id, or the name field). */
export const nameOrId = (what: string) => z.string().trim().min(1).max(200).describe(`The ${what}'s name or sys_id`);

// ---- paths and queries -------------------------------------------------------------------------

export const TABLE_API = '/api/now/table';
export const CHANGE_API = '/api/sn_chg_rest/change';

export function tablePath(table: string, id?: string): string {
  return `${TABLE_API}/${pathSegment(table, 'table')}${id === undefined ? '' : `/${pathSegment(id, 'sys_id')}`}`;
}

/** The Table API query parameters every read sends: the fields, display values with both forms, no reference links. */
export function tableQuery(fields: readonly string[], sysparmQuery?: string): Query {
  return {
    sysparm_query: sysparmQuery,
    sysparm_fields: fields.join(','),
    sysparm_display_value: 'all',
    sysparm_exclude_reference_link: true,
  };
}

// ---- fields ------------------------------------------------------------------------------------

export const INCIDENT_FIELDS = ['sys_id', 'number', 'short_description', 'state', 'priority', 'impact', 'urgency', 'category', 'assignment_group', 'assigned_to', 'caller_id', 'cmdb_ci', 'opened_at', 'sys_updated_on', 'resolved_at'];
export const INCIDENT_DETAIL_FIELDS = [...INCIDENT_FIELDS, 'description', 'subcategory', 'contact_type', 'business_service', 'problem_id', 'close_code', 'close_notes', 'closed_at', 'sys_created_on'];
export const PROBLEM_FIELDS = ['sys_id', 'number', 'short_description', 'state', 'priority', 'impact', 'urgency', 'category', 'assignment_group', 'assigned_to', 'cmdb_ci', 'known_error', 'opened_at', 'sys_updated_on'];
export const CHANGE_FIELDS = ['sys_id', 'number', 'short_description', 'type', 'state', 'phase', 'approval', 'risk', 'impact', 'priority', 'category', 'assignment_group', 'assigned_to', 'cmdb_ci', 'start_date', 'end_date', 'conflict_status', 'sys_updated_on'];
export const CHANGE_DETAIL_FIELDS = [...CHANGE_FIELDS, 'description', 'justification', 'implementation_plan', 'backout_plan', 'test_plan', 'close_code', 'close_notes', 'chg_model', 'requested_by', 'conflict_last_run'];
export const CHANGE_TASK_FIELDS = ['sys_id', 'number', 'short_description', 'state', 'change_task_type', 'assignment_group', 'assigned_to', 'planned_start_date', 'planned_end_date'];
export const APPROVAL_FIELDS = ['sys_id', 'approver', 'state', 'comments', 'sys_created_on', 'sys_updated_on'];
export const JOURNAL_FIELDS = ['sys_id', 'element', 'element_id', 'name', 'value', 'sys_created_on', 'sys_created_by'];
export const CI_FIELDS = ['sys_id', 'name', 'sys_class_name', 'operational_status', 'install_status', 'ip_address', 'fqdn', 'environment', 'support_group', 'owned_by', 'location', 'sys_updated_on'];
export const KB_FIELDS = ['sys_id', 'number', 'short_description', 'kb_knowledge_base', 'kb_category', 'workflow_state', 'sys_updated_on', 'text'];
export const USER_FIELDS = ['sys_id', 'user_name', 'name', 'email', 'title', 'department', 'active'];
export const GROUP_FIELDS = ['sys_id', 'name', 'description', 'email', 'manager', 'active'];

/** Fields written by people other than the caller, framed as untrusted text wherever they are shown. */
const UNTRUSTED_FIELDS: Readonly<Record<string, string>> = {
  description: 'description',
  close_notes: 'close notes',
  justification: 'justification',
  implementation_plan: 'implementation plan',
  backout_plan: 'backout plan',
  test_plan: 'test plan',
  comments: 'approval comments',
};

// ---- display values ----------------------------------------------------------------------------

/**
 * One field as shown: the value when the label says the same (or the field has no pair), else
 * `{ value, display_value }`. Reference links are dropped.
 *
 * @example
 * shown({ value: '2', display_value: 'In Progress' }); // { value: '2', display_value: 'In Progress' }
 * shown({ value: 'Mail down', display_value: 'Mail down' }); // 'Mail down'
 */
export function shown(field: unknown): unknown {
  if (!field || typeof field !== 'object' || Array.isArray(field) || !('value' in field)) return field;
  const { value, display_value: label } = field as { value: unknown; display_value?: unknown };
  return label === undefined || label === null || label === '' || label === value ? value : { value, display_value: label };
}

/** The plain value of a field (its `value` when it is a pair): sys_ids, codes, numbers. */
export function valueOf(field: unknown): unknown {
  return field && typeof field === 'object' && !Array.isArray(field) && 'value' in field ? (field as { value: unknown }).value : field;
}

/** Text for an untrusted field: HTML becomes text (knowledge articles, `[code]` journal entries). */
export function readableText(raw: string): string {
  const code = /^\s*\[code\]([\s\S]*)\[\/code\]\s*$/.exec(raw);
  if (code) return htmlToText(code[1]);
  return /<[a-zA-Z][^>]*>/.test(raw) ? htmlToText(raw) : raw;
}

/**
 * The `fields` of a record as shown, with the text of others framed (`untrusted`): `what` names
 * the record (`incident INC0010001`).
 */
export function shownRow(record: Row, fields: readonly string[], what: string): Row {
  const out: Row = {};
  for (const f of fields) {
    if (!(f in record)) continue;
    const v = shown(record[f]);
    const label = UNTRUSTED_FIELDS[f];
    out[f] = label && typeof v === 'string' && v !== '' ? untrusted(readableText(v), `${what} ${label}`) : v;
  }
  return out;
}

/** `number` of a record, for messages and untrusted labels. */
export function numberOf(record: Row): string {
  const n = valueOf(record.number);
  return typeof n === 'string' && n !== '' ? n : String(valueOf(record.sys_id) ?? 'record');
}

export const INCIDENT_ROW = rowSchema(INCIDENT_DETAIL_FIELDS);
export const PROBLEM_ROW = rowSchema(PROBLEM_FIELDS);
export const CHANGE_ROW = rowSchema(CHANGE_DETAIL_FIELDS);
export const CI_ROW = rowSchema(CI_FIELDS);

/** The single record of a `{ result: {...} }` answer. */
export function resultRecord(data: unknown, what: string): Row {
  const r = (data as { result?: unknown } | null)?.result;
  // The Change Management API answers some single records as a one-element list.
  const record = Array.isArray(r) ? r[0] : r;
  if (!record || typeof record !== 'object') throw new Refusal(`ServiceNow answered without the ${what}`);
  return record as Row;
}

// ---- choice values -----------------------------------------------------------------------------

/** Incident states (`incident.state`): the names a caller gives, and their codes. */
export const INCIDENT_STATES = { new: 1, in_progress: 2, on_hold: 3, resolved: 6, closed: 7, canceled: 8 } as const;
/** Problem states since Orlando (`problem.state`). */
export const PROBLEM_STATES = { new: 101, assess: 102, root_cause_analysis: 103, fix_in_progress: 104, resolved: 106, closed: 107 } as const;
/** Change request states (`change_request.state`). */
export const CHANGE_STATES = { new: -5, assess: -4, authorize: -3, scheduled: -2, implement: -1, review: 0, closed: 3, canceled: 4 } as const;

export function stateEnum<T extends Record<string, number>>(states: T) {
  return z.enum(Object.keys(states) as [keyof T & string, ...(keyof T & string)[]]);
}
