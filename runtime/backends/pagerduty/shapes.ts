/**
 * What PagerDuty answers look like to a model: the input pieces tools share (IDs, time windows),
 * the fields kept of each object (PagerDuty objects carry `self` links, `type` tags and nested
 * references), and their row schemas. Text written by others (notes, incident details, alert
 * bodies, log entry channels) is framed with `untrusted()`.
 */
import { z } from 'zod';
import { Refusal, nested, pathSegment, pick, rowSchema, textWindow, untrusted, type Row } from '../../kit';

// ---- input pieces ------------------------------------------------------------------------------

/** PagerDuty IDs are letters and digits (`PT4KHLK`, `Q0RIJJZL24RC6W`). */
const ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * A PagerDuty ID argument: refused before any call when it is empty, an artifact (`undefined`,
 * `<id>`, a URL) or anything but letters and digits, naming the argument and the value.
 */
export function pdId(what: string) {
  return z.string().trim().superRefine((v, ctx) => {
    if (!ID.test(v) || /^(?:undefined|null|none|nan)$/i.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a PagerDuty ID (letters and digits, e.g. PT4KHLK), got: ${JSON.stringify(v)}` });
    }
  });
}

/** A list of IDs for a `<name>[]` filter (each checked like `pdId`). */
export function pdIds(what: string, max = 25) {
  return z.array(pdId(what)).min(1).max(max).optional();
}

/** `/incidents/<id>`-style path segment (the schema checked it; encoded once here). */
export const seg = (id: string, what: string) => pathSegment(id, what);

export const time = (what: string) => z.string().trim().min(1).superRefine((v, ctx) => {
  if (Number.isNaN(Date.parse(v))) ctx.addIssue({ code: 'custom', message: `${what} must be an ISO 8601 date-time such as 2026-11-20T10:00:00Z, got: ${JSON.stringify(v)}` });
}).optional();

// ---- time windows --------------------------------------------------------------------------------

const DAY = 86_400_000;

/** How an endpoint takes `since`/`until`: its longest range, and the missing end computed from the given one. */
export interface WindowRule {
  /** `incidents`, for messages. */
  readonly what: string;
  readonly maxDays: number;
  /** With neither end given: a window that starts now (ahead: who will be on call), instead of one that ends now. */
  readonly ahead?: boolean;
  /** `until` for a given `since` (epoch ms). */
  untilFor(since: number, now: number): number;
  /** `since` for a given `until`. */
  sinceFor(until: number, now: number): number;
}

/**
 * Incidents (and change events): PagerDuty allows 6 months, and a `since` alone would get a
 * one-month window (pdpyras#46): so a `since` alone runs to now (at most 180 days on), an `until`
 * alone looks back 30 days.
 */
export const INCIDENT_WINDOW: WindowRule = {
  what: 'incidents',
  maxDays: 180,
  untilFor: (since, now) => Math.max(since + DAY, Math.min(now, since + 180 * DAY)),
  sinceFor: (until) => until - 30 * DAY,
};
export const CHANGE_WINDOW: WindowRule = { ...INCIDENT_WINDOW, what: 'change events' };
/** On-call periods: PagerDuty answers at most 90 days; one end alone makes a one-day window. */
export const ONCALL_WINDOW: WindowRule = {
  what: 'on-call periods',
  ahead: true,
  maxDays: 90,
  untilFor: (since) => since + DAY,
  sinceFor: (until, now) => (until > now ? now : until - DAY),
};
/** A schedule's rendered entries: a week from the given end; 90 days at most keeps the answer readable. */
export const SCHEDULE_WINDOW: WindowRule = {
  what: 'a rendered schedule',
  ahead: true,
  maxDays: 90,
  untilFor: (since) => since + 7 * DAY,
  sinceFor: (until, now) => (until > now ? now : until - 7 * DAY),
};

export interface Window {
  readonly since: string;
  readonly until: string;
}

/**
 * Both ends of a window, as PagerDuty wants them (always together): the missing one computed by
 * `rule`; refused when `since` is not before `until` or the range is longer than the endpoint takes.
 *
 * @example
 * timeWindow('2026-01-01T00:00:00Z', undefined, INCIDENT_WINDOW); // { since: '2026-01-01T00:00:00.000Z', until: '2026-06-30T00:00:00.000Z' } (or now, if earlier)
 */
export function timeWindow(since: string | undefined, until: string | undefined, rule: WindowRule, now = Date.now()): Window {
  const s = since !== undefined ? Date.parse(since) : until === undefined && rule.ahead ? now : undefined;
  const u = until !== undefined ? Date.parse(until) : undefined;
  const start = s ?? rule.sinceFor(u ?? now, now);
  const end = u ?? rule.untilFor(start, now);
  if (!(start < end)) {
    throw new Refusal(`since (${new Date(start).toISOString()}) must be before until (${new Date(end).toISOString()})`);
  }
  const days = (end - start) / DAY;
  if (days > rule.maxDays) {
    throw new Refusal(`since ${new Date(start).toISOString()} to until ${new Date(end).toISOString()} spans ${Math.ceil(days)} days; `
      + `PagerDuty takes at most ${rule.maxDays} days for ${rule.what}: narrow the range, or call once per ${rule.maxDays}-day window`);
  }
  return { since: new Date(start).toISOString(), until: new Date(end).toISOString() };
}

// ---- fields and rows -----------------------------------------------------------------------------

/** A PagerDuty reference (`{ id, type, summary, self, html_url }`) as `{ id, summary }`. */
export function ref(value: unknown): Row | undefined {
  return value && typeof value === 'object' ? pick(value, ['id', 'summary']) : undefined;
}

export function refs(value: unknown): Row[] | undefined {
  return Array.isArray(value) ? value.map((v) => ref(v)!).filter(Boolean) : undefined;
}

/** Longest piece of text written by others kept in a row of a list (the item tools keep more). */
const LIST_TEXT_CHARS = 2_000;

/** Text (or JSON details) written by others, framed; long text keeps its start and says what was cut. */
export function framed(value: unknown, what: string, max = LIST_TEXT_CHARS): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1);
  const w = textWindow(text, max, 'head');
  return untrusted(w.omitted > 0 ? `${w.text}… [cut: ${w.omitted} more characters]` : w.text, what);
}

const ref$ = z.unknown().optional().describe('{ id, summary }');
const refs$ = z.unknown().optional().describe('[{ id, summary }]');
const framed$ = (what: string) => z.unknown().optional().describe(`${what}, framed as untrusted text`);

const INCIDENT_FIELDS = ['id', 'incident_number', 'title', 'status', 'urgency', 'created_at', 'updated_at', 'last_status_change_at', 'resolved_at', 'incident_key', 'alert_counts', 'html_url'];
export const INCIDENT_ROW = rowSchema(INCIDENT_FIELDS, {
  priority: z.unknown().optional().describe('priority name (P1...)'),
  service: ref$,
  escalation_policy: ref$,
  teams: refs$,
  assigned_to: refs$,
  acknowledged_by: refs$,
  description: framed$('the incident\'s description'),
  details: framed$('the incident body\'s details'),
});

export function incidentRow(i: Row, full = false): Row {
  const row: Row = {
    ...pick(i, INCIDENT_FIELDS),
    priority: nested(i.priority, 'summary') ?? undefined,
    service: ref(i.service),
    escalation_policy: ref(i.escalation_policy),
    teams: refs(i.teams),
    assigned_to: Array.isArray(i.assignments) ? i.assignments.map((a) => ref(nested(a, 'assignee'))).filter(Boolean) : undefined,
    acknowledged_by: Array.isArray(i.acknowledgements) ? i.acknowledgements.map((a) => ref(nested(a, 'acknowledger'))).filter(Boolean) : undefined,
  };
  if (full) {
    if (typeof i.title === 'string') row.title = framed(i.title, 'incident title', 10_000);
    // PagerDuty copies the title into `description` unless a description was given.
    if (i.description !== undefined && i.description !== i.title) row.description = framed(i.description, 'incident description', 20_000);
    row.details = framed(nested(i.body, 'details'), 'incident details', 20_000);
  }
  return row;
}

const LOG_FIELDS = ['id', 'type', 'summary', 'created_at'];
export const LOG_ENTRY_ROW = rowSchema(LOG_FIELDS, {
  agent: ref$,
  channel: z.unknown().optional().describe('how it happened: api, web_ui, email, note, auto...'),
  channel_text: framed$('what the channel carried (a note, an alert description)'),
  assigned_to: refs$,
});
export function logEntryRow(e: Row): Row {
  const channel = (e.channel ?? {}) as Row;
  const text = [channel.summary, channel.details].filter((v) => v !== undefined && v !== null && v !== '');
  return {
    ...pick(e, LOG_FIELDS),
    agent: ref(e.agent),
    channel: channel.type,
    channel_text: text.length > 0 ? framed(text.length === 1 ? text[0] : text, `${String(e.type ?? 'log entry')} channel`) : undefined,
    assigned_to: refs(e.assignees),
  };
}

export const NOTE_ROW = rowSchema(['id', 'created_at'], { user: ref$, content: framed$('the note') });
export function noteRow(n: Row): Row {
  return { ...pick(n, ['id', 'created_at']), user: ref(n.user), content: framed(n.content, 'incident note', 25_000) };
}

const ALERT_FIELDS = ['id', 'alert_key', 'status', 'severity', 'created_at', 'html_url', 'suppressed'];
export const ALERT_ROW = rowSchema(ALERT_FIELDS, { summary: framed$('the alert\'s summary'), service: ref$, details: framed$('the alert body\'s details') });
export function alertRow(a: Row): Row {
  return {
    ...pick(a, ALERT_FIELDS),
    summary: framed(a.summary, 'alert summary'),
    service: ref(a.service),
    details: framed(nested(a.body, 'details') ?? nested(a.body, 'cef_details'), 'alert details'),
  };
}

export const ONCALL_ROW = rowSchema(['escalation_level', 'start', 'end'], { user: ref$, schedule: ref$, escalation_policy: ref$ });
export function oncallRow(o: Row): Row {
  // `start`/`end` are null for someone on call through an escalation rule without a schedule (always on call).
  return { user: ref(o.user), schedule: ref(o.schedule) ?? null, escalation_policy: ref(o.escalation_policy), ...pick(o, ['escalation_level', 'start', 'end']) };
}

const SERVICE_FIELDS = ['id', 'name', 'description', 'status', 'created_at', 'last_incident_timestamp', 'alert_creation', 'html_url'];
export const SERVICE_ROW = rowSchema(SERVICE_FIELDS, { escalation_policy: ref$, teams: refs$, dependencies: z.unknown().optional() });
export function serviceRow(s: Row): Row {
  return { ...pick(s, SERVICE_FIELDS), escalation_policy: ref(s.escalation_policy), teams: refs(s.teams) };
}

const SCHEDULE_FIELDS = ['id', 'name', 'time_zone', 'description', 'html_url'];
export const SCHEDULE_ROW = rowSchema(SCHEDULE_FIELDS, {
  users: refs$,
  escalation_policies: refs$,
  teams: refs$,
  final_schedule: z.unknown().optional().describe('who is on call when, over since..until: { coverage_percentage, entries: [{ start, end, user }] }'),
  overrides: z.unknown().optional(),
  layers: z.unknown().optional(),
  since: z.unknown().optional(),
  until: z.unknown().optional(),
});
export function scheduleRow(s: Row, full = false): Row {
  const row: Row = { ...pick(s, SCHEDULE_FIELDS), users: refs(s.users), escalation_policies: refs(s.escalation_policies), teams: refs(s.teams) };
  if (!full) return row;
  const entries = (sub: unknown) => {
    const list = nested(sub, 'rendered_schedule_entries');
    return Array.isArray(list) ? list.map((e: Row) => ({ start: e.start, end: e.end, user: ref(e.user) })) : undefined;
  };
  row.final_schedule = { coverage_percentage: nested(s.final_schedule, 'rendered_coverage_percentage'), entries: entries(s.final_schedule) };
  row.overrides = entries(s.overrides_subschedule);
  row.layers = Array.isArray(s.schedule_layers)
    ? s.schedule_layers.map((l: Row) => ({
      ...pick(l, ['id', 'name', 'start', 'end', 'rotation_turn_length_seconds']),
      users: Array.isArray(l.users) ? l.users.map((u) => ref(nested(u, 'user'))) : undefined,
    }))
    : undefined;
  return row;
}

const POLICY_FIELDS = ['id', 'name', 'description', 'num_loops', 'on_call_handoff_notifications', 'html_url'];
export const POLICY_ROW = rowSchema(POLICY_FIELDS, { services: refs$, teams: refs$, escalation_rules: z.unknown().optional().describe('[{ escalation_delay_in_minutes, targets: [{ id, type, summary }] }]') });
export function policyRow(p: Row, full = false): Row {
  const row: Row = { ...pick(p, POLICY_FIELDS), services: refs(p.services), teams: refs(p.teams) };
  if (full && Array.isArray(p.escalation_rules)) {
    row.escalation_rules = p.escalation_rules.map((r: Row) => ({
      escalation_delay_in_minutes: r.escalation_delay_in_minutes,
      targets: Array.isArray(r.targets) ? r.targets.map((t) => pick(t as Row, ['id', 'type', 'summary'])) : [],
    }));
  }
  return row;
}

const USER_FIELDS = ['id', 'name', 'email', 'role', 'job_title', 'time_zone', 'html_url'];
export const USER_ROW = rowSchema(USER_FIELDS, { teams: refs$ });
export function userRow(u: Row): Row {
  return { ...pick(u, USER_FIELDS), teams: refs(u.teams) };
}

const CHANGE_FIELDS = ['id', 'summary', 'timestamp', 'source', 'links'];
export const CHANGE_ROW = rowSchema(CHANGE_FIELDS, {
  services: refs$,
  integration: ref$,
  custom_details: framed$('the change\'s custom details'),
  correlation: z.unknown().optional().describe('why PagerDuty relates it to the incident'),
});
export function changeRow(c: Row): Row {
  return {
    ...pick(c, CHANGE_FIELDS),
    services: refs(c.services),
    integration: ref(c.integration),
    custom_details: framed(c.custom_details, 'change event details'),
    correlation: nested(c.correlation_reason, 'reason') ?? undefined,
  };
}
