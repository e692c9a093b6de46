/**
 * Writes (registered only with `<PREFIX>_ALLOW_WRITES=true`): acknowledge, resolve or reassign
 * incidents, add a note, open an incident, request responders, post a status update. Each sends
 * the `From` user (requests.ts); PagerDuty records that user as the one who acted, and makes the
 * acknowledger an assignee.
 */
import { z } from 'zod';
import { answer, output, writeTool, type Row } from '../../../kit';
import { pdWrite, requester, requesterId } from '../requests';
import { INCIDENT_ROW, incidentRow, pdId, pdIds, seg } from '../shapes';
import { incidentId } from './incidents';

const FROM = 'Sent with From: the server\'s fromEmail, or the API key\'s own user.';
const userRef = (id: string) => ({ assignee: { id, type: 'user_reference' } });

const updateIncidents = writeTool({
  name: 'update_incidents',
  title: 'Acknowledge, resolve or reassign incidents',
  description: 'Acknowledge or resolve one or more incidents (PUT /incidents), or change their urgency, escalation level or assignees. '
    + `PagerDuty makes the From user an assignee of what it acknowledges. ${FROM}`,
  input: {
    incident_ids: z.array(pdId('incident_ids')).min(1).max(25).describe('The incidents to change, 1-25'),
    status: z.enum(['acknowledged', 'resolved']).optional(),
    resolution: z.string().trim().min(1).max(25_000).optional().describe('With status=resolved: a note on how it was resolved'),
    urgency: z.enum(['high', 'low']).optional(),
    escalation_level: z.number().int().min(1).max(20).optional().describe('Escalate (or de-escalate) to this level of the escalation policy'),
    assignee_user_ids: pdIds('assignee_user_ids', 10).describe('Reassign to these users (replaces the assignees)'),
  },
  idempotent: true,
  output: z.object({ incidents: z.array(INCIDENT_ROW), from: z.string() }),
  async run(a, ctx) {
    if (!a.status && !a.urgency && a.escalation_level === undefined && !a.assignee_user_ids) {
      answer.refuse('update_incidents needs a change: status, urgency, escalation_level or assignee_user_ids');
    }
    if (a.resolution !== undefined && a.status !== 'resolved') answer.refuse(`resolution goes with status "resolved", got status: ${JSON.stringify(a.status ?? null)}`);
    if (a.escalation_level !== undefined && a.assignee_user_ids) answer.refuse('give escalation_level or assignee_user_ids, not both (PagerDuty applies one)');
    const incidents = a.incident_ids.map((id) => ({
      id,
      type: 'incident_reference',
      ...(a.status ? { status: a.status } : {}),
      ...(a.resolution !== undefined ? { resolution: a.resolution } : {}),
      ...(a.urgency ? { urgency: a.urgency } : {}),
      ...(a.escalation_level !== undefined ? { escalation_level: a.escalation_level } : {}),
      ...(a.assignee_user_ids ? { assignments: a.assignee_user_ids.map(userRef) } : {}),
    }));
    const { res, from } = await pdWrite<{ incidents: Row[] }>(ctx, { method: 'PUT', path: '/incidents', body: { incidents } });
    const rows = (res.data.incidents ?? []).map((i) => incidentRow(i));
    const what = rows.map((r) => `#${String(r.incident_number ?? r.id)} ${String(r.status ?? '')}`.trim()).join(', ');
    return answer.message(`Updated ${rows.length} incident${rows.length === 1 ? '' : 's'} as ${from.email}: ${what}.`, { incidents: rows, from: from.email });
  },
});

const addNote = writeTool({
  name: 'add_incident_note',
  title: 'Add a note to an incident',
  description: `Add a note to an incident's timeline (POST /incidents/{id}/notes). ${FROM}`,
  input: { incident_id: incidentId, content: z.string().trim().min(1).max(25_000).describe('The note, plain text (at most 25,000 characters)') },
  output: z.object({ id: z.unknown().describe('The new note\'s ID'), incident_id: z.string(), from: z.string() }),
  async run(a, ctx) {
    const { res, from } = await pdWrite<{ note: Row }>(ctx, { method: 'POST', path: `/incidents/${seg(a.incident_id, 'incident_id')}/notes`, body: { note: { content: a.content } } });
    return answer.message(`Added note ${String(res.data.note?.id)} to incident ${a.incident_id} as ${from.email}.`, { id: res.data.note?.id, incident_id: a.incident_id, from: from.email });
  },
});

const createIncident = writeTool({
  name: 'create_incident',
  title: 'Open an incident',
  description: 'Open an incident on a service (POST /incidents); it pages whoever the service\'s escalation policy names, '
    + `or assignee_user_ids. incident_key deduplicates: an open incident with the same key is not opened twice. ${FROM}`,
  input: {
    title: z.string().trim().min(1).max(1_024),
    service_id: pdId('service_id'),
    urgency: z.enum(['high', 'low']).optional().describe('Default: the service\'s urgency rule'),
    details: z.string().max(25_000).optional().describe('The incident body: what is happening, plain text'),
    incident_key: z.string().trim().min(1).max(255).optional().describe('Deduplication key'),
    priority_id: pdId('priority_id').optional(),
    escalation_policy_id: pdId('escalation_policy_id').optional().describe('Instead of the service\'s policy'),
    assignee_user_ids: pdIds('assignee_user_ids', 10).describe('Assign to these users instead of the escalation policy'),
  },
  output: output.item(INCIDENT_ROW),
  async run(a, ctx) {
    if (a.escalation_policy_id && a.assignee_user_ids) answer.refuse('give escalation_policy_id or assignee_user_ids, not both (PagerDuty takes one)');
    const incident = {
      type: 'incident',
      title: a.title,
      service: { id: a.service_id, type: 'service_reference' },
      ...(a.urgency ? { urgency: a.urgency } : {}),
      ...(a.details !== undefined ? { body: { type: 'incident_body', details: a.details } } : {}),
      ...(a.incident_key ? { incident_key: a.incident_key } : {}),
      ...(a.priority_id ? { priority: { id: a.priority_id, type: 'priority_reference' } } : {}),
      ...(a.escalation_policy_id ? { escalation_policy: { id: a.escalation_policy_id, type: 'escalation_policy_reference' } } : {}),
      ...(a.assignee_user_ids ? { assignments: a.assignee_user_ids.map(userRef) } : {}),
    };
    const { res, from } = await pdWrite<{ incident: Row }>(ctx, { method: 'POST', path: '/incidents', body: { incident } });
    const i = res.data.incident;
    return answer.item(incidentRow(i), `Opened incident #${String(i.incident_number ?? i.id)} as ${from.email}: ${String(i.html_url ?? '')}`);
  },
});

const addResponders = writeTool({
  name: 'add_responders',
  title: 'Request responders',
  description: 'Ask more people to respond to an incident (POST /incidents/{id}/responder_requests): users, or whoever an escalation policy pages. '
    + `The request names the From user as its requester. ${FROM}`,
  input: {
    incident_id: incidentId,
    message: z.string().trim().min(1).max(1_000).describe('Why they are needed; sent to them'),
    user_ids: pdIds('user_ids', 10),
    escalation_policy_ids: pdIds('escalation_policy_ids', 10),
  },
  output: z.object({ requested: z.array(z.unknown()), from: z.string() }),
  async run(a, ctx) {
    if (!a.user_ids && !a.escalation_policy_ids) answer.refuse('add_responders needs user_ids or escalation_policy_ids');
    const who = await requester(ctx);
    const targets = [
      ...(a.user_ids ?? []).map((id) => ({ responder_request_target: { id, type: 'user_reference' } })),
      ...(a.escalation_policy_ids ?? []).map((id) => ({ responder_request_target: { id, type: 'escalation_policy_reference' } })),
    ];
    const body = { requester_id: await requesterId(ctx, who), message: a.message, responder_request_targets: targets };
    const { res, from } = await pdWrite<{ responder_request: Row }>(ctx, { method: 'POST', path: `/incidents/${seg(a.incident_id, 'incident_id')}/responder_requests`, body });
    const got = res.data.responder_request?.responder_request_targets;
    const requested = Array.isArray(got) ? got.map((t) => (t as Row).responder_request_target ?? t) : targets.map((t) => t.responder_request_target);
    return answer.message(`Requested ${targets.length} responder${targets.length === 1 ? '' : 's'} for incident ${a.incident_id} as ${from.email}.`, { requested, from: from.email });
  },
});

const statusUpdate = writeTool({
  name: 'post_status_update',
  title: 'Post a status update',
  description: `Post a status update on an incident (POST /incidents/{id}/status_updates): sent to its subscribers and stakeholders. ${FROM}`,
  input: {
    incident_id: incidentId,
    message: z.string().trim().min(1).max(5_000).describe('The update, plain text'),
    subject: z.string().trim().min(1).max(500).optional().describe('The email subject of the update'),
  },
  output: z.object({ id: z.unknown(), incident_id: z.string(), from: z.string() }),
  async run(a, ctx) {
    const body = { message: a.message, ...(a.subject ? { subject: a.subject } : {}) };
    const { res, from } = await pdWrite<{ status_update: Row }>(ctx, { method: 'POST', path: `/incidents/${seg(a.incident_id, 'incident_id')}/status_updates`, body });
    return answer.message(`Posted status update ${String(res.data.status_update?.id)} on incident ${a.incident_id} as ${from.email}.`, { id: res.data.status_update?.id, incident_id: a.incident_id, from: from.email });
  },
});

export const writeTools = [updateIncidents, addNote, createIncident, addResponders, statusUpdate];
