/** Incidents: list, one incident (with alerts and notes), its timeline, notes, alerts, related and past incidents. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, output, pick, readTool, type Row } from '../../../kit';
import { pdList, wholeList } from '../paging';
import { myUserId, pd } from '../requests';
import {
  ALERT_ROW, INCIDENT_ROW, INCIDENT_WINDOW, LOG_ENTRY_ROW, NOTE_ROW,
  alertRow, incidentRow, logEntryRow, noteRow, pdId, pdIds, ref, seg, time, timeWindow,
} from '../shapes';

const STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
const OPEN = ['triggered', 'acknowledged'];
const SORTS = ['created_at:desc', 'created_at:asc', 'incident_number:desc', 'incident_number:asc', 'resolved_at:desc', 'resolved_at:asc', 'urgency:desc', 'urgency:asc'] as const;

export const incidentId = pdId('incident_id').describe('The incident\'s ID (e.g. Q2P5XBFJGZQAB5), as list_incidents gives it');
const incidentPath = (id: string) => `/incidents/${seg(id, 'incident_id')}`;

const listIncidents = pdList({
  name: 'list_incidents',
  title: 'List incidents',
  description: 'List PagerDuty incidents, filtered by status, service, team, urgency and assignee, newest first. '
    + 'Without since/until: open incidents (the default statuses) of any age; with resolved ones, the last 30 days. '
    + 'since and until are always sent together (a since alone runs to now; at most 180 days). Titles come from alert sources.',
  input: {
    statuses: z.array(z.enum(STATUSES)).min(1).max(3).optional().describe('Default: triggered and acknowledged'),
    service_ids: pdIds('service_ids'),
    team_ids: pdIds('team_ids'),
    user_ids: pdIds('user_ids').describe('Assigned to these users'),
    mine: z.boolean().optional().describe('Only incidents assigned to the API key\'s own user (user-level keys); not with user_ids'),
    urgencies: z.array(z.enum(['high', 'low'])).min(1).max(2).optional(),
    since: time('since').describe('Created at or after (ISO 8601)'),
    until: time('until').describe('Created before (ISO 8601)'),
    sort_by: z.enum(SORTS).optional().describe('Default: created_at:desc'),
  },
  key: 'incidents',
  row: INCIDENT_ROW,
  map: (i) => incidentRow(i),
  async request(a, ctx) {
    if (a.mine && a.user_ids) answer.refuse('give mine or user_ids, not both');
    const users = a.mine ? [await myUserId(ctx, 'list_incidents')] : a.user_ids;
    const statuses = a.statuses ?? OPEN;
    let dates: Record<string, string>;
    let window: string;
    if (a.since === undefined && a.until === undefined && !statuses.includes('resolved')) {
      // Open incidents of any age: PagerDuty's default window (one month) would hide older ones.
      dates = { date_range: 'all' };
      window = `${statuses.join(' and ')} incidents of any age.`;
    } else {
      dates = { ...timeWindow(a.since, a.until, INCIDENT_WINDOW) };
      window = `Incidents created from ${dates.since} to ${dates.until}.`;
    }
    return {
      path: '/incidents',
      query: {
        'statuses[]': statuses,
        'service_ids[]': a.service_ids,
        'team_ids[]': a.team_ids,
        'user_ids[]': users,
        'urgencies[]': a.urgencies,
        ...dates,
        'sort_by': a.sort_by ?? 'created_at:desc',
        'total': true,
      },
      window,
    };
  },
});

const INCLUDES = ['alerts', 'notes'] as const;

const getIncident = readTool({
  name: 'get_incident',
  title: 'Get an incident',
  description: `Get one PagerDuty incident with its description and details; include alerts (the first 25) and notes. ${UNTRUSTED_NOTE}`,
  input: {
    incident_id: incidentId,
    include: z.array(z.enum(INCLUDES)).max(2).optional().describe('Also get these: alerts (GET /incidents/{id}/alerts), notes'),
  },
  output: output.item(INCIDENT_ROW.extend({
    alerts: z.array(ALERT_ROW).optional(),
    more_alerts: z.boolean().optional().describe('Whether the incident has more alerts than these'),
    notes: z.array(NOTE_ROW).optional(),
  })),
  async run(a, ctx) {
    const path = incidentPath(a.incident_id);
    const res = await pd<{ incident: Row }>(ctx, { path });
    const item: Row = incidentRow(res.data.incident, true);
    if (a.include?.includes('alerts')) {
      const alerts = await pd<{ alerts: Row[]; more?: boolean }>(ctx, { path: `${path}/alerts`, query: { limit: 25, offset: 0 } });
      item.alerts = alerts.data.alerts.map(alertRow);
      item.more_alerts = alerts.data.more === true;
    }
    if (a.include?.includes('notes')) {
      item.notes = (await pd<{ notes: Row[] }>(ctx, { path: `${path}/notes` })).data.notes.map(noteRow);
    }
    const more = item.more_alerts ? ' It has more alerts than these 25: list_incident_alerts pages through them.' : '';
    return answer.item(item, `Incident #${String(res.data.incident.incident_number ?? '?')} (${String(res.data.incident.status ?? '?')}).${more}`);
  },
});

const timeline = pdList({
  name: 'get_incident_timeline',
  title: 'Get an incident\'s timeline',
  description: 'The log entries of an incident, oldest first: triggered, notified, acknowledged, escalated, reassigned, annotated, resolved; '
    + `by whom and through which channel. overview=true (default) keeps the important changes only. ${UNTRUSTED_NOTE}`,
  input: {
    incident_id: incidentId,
    overview: z.boolean().optional().describe('Only the important changes (default true); false also lists every notification'),
  },
  key: 'log_entries',
  row: LOG_ENTRY_ROW,
  map: logEntryRow,
  request: (a) => ({ path: `${incidentPath(a.incident_id)}/log_entries`, query: { is_overview: a.overview ?? true } }),
});

const notes = readTool({
  name: 'list_incident_notes',
  title: 'List an incident\'s notes',
  description: `The notes responders added to an incident, oldest first (PagerDuty gives them all at once). ${UNTRUSTED_NOTE}`,
  input: { incident_id: incidentId },
  output: output.list(NOTE_ROW),
  async run(a, ctx) {
    const res = await pd<{ notes: Row[] }>(ctx, { path: `${incidentPath(a.incident_id)}/notes` });
    return wholeList(res.data.notes.map(noteRow), 'note');
  },
});

const alerts = pdList({
  name: 'list_incident_alerts',
  title: 'List an incident\'s alerts',
  description: `The alerts grouped into an incident, with their severity, dedup key and details. ${UNTRUSTED_NOTE}`,
  input: {
    incident_id: incidentId,
    statuses: z.array(z.enum(['triggered', 'resolved'])).min(1).max(2).optional(),
  },
  key: 'alerts',
  row: ALERT_ROW,
  map: alertRow,
  request: (a) => ({ path: `${incidentPath(a.incident_id)}/alerts`, query: { 'statuses[]': a.statuses } }),
});

const RELATED_ROW = z.looseObject({
  incident: z.unknown().optional().describe('{ id, title, status, created_at, html_url }'),
  relationships: z.unknown().optional().describe('why it is related: machine_learning_inferred, service_dependency'),
  score: z.unknown().optional().describe('similarity (past incidents)'),
});

const related = readTool({
  name: 'get_related_incidents',
  title: 'Get related or past incidents',
  description: 'Incidents PagerDuty relates to this one: kind=related (happening now on related services) or kind=past '
    + '(similar incidents of the past, with a similarity score). Needs PagerDuty AIOps; without it, the answer says so.',
  input: {
    incident_id: incidentId,
    kind: z.enum(['related', 'past']).optional().describe('Default: related'),
    limit: z.number().int().min(1).max(100).optional().describe('Past incidents, 1-100 (default 10)'),
  },
  output: output.list(RELATED_ROW),
  async run(a, ctx) {
    const short = (i: unknown) => (i && typeof i === 'object' ? { ...ref(i), ...pickIncident(i as Row) } : undefined);
    if ((a.kind ?? 'related') === 'past') {
      const res = await pd<{ past_incidents: Row[] }>(ctx, { path: `${incidentPath(a.incident_id)}/past_incidents`, query: { limit: a.limit ?? 10 } });
      return wholeList(res.data.past_incidents.map((p) => ({ incident: short(p.incident), score: p.score })), 'past incident');
    }
    const res = await pd<{ related_incidents: Row[] }>(ctx, { path: `${incidentPath(a.incident_id)}/related_incidents` });
    return wholeList(res.data.related_incidents.map((r) => ({
      incident: short(r.incident),
      relationships: Array.isArray(r.relationships) ? r.relationships.map((x) => (x as Row).type) : undefined,
    })), 'related incident');
  },
});

const pickIncident = (i: Row): Row => pick(i, ['title', 'status', 'urgency', 'created_at', 'html_url']);

export const incidentTools = [listIncidents, getIncident, timeline, notes, alerts, related];
