/** Services (with their technical dependencies) and change events (deploys, config changes). */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, output, readTool, type Row } from '../../../kit';
import { pdList } from '../paging';
import { pd } from '../requests';
import { CHANGE_ROW, CHANGE_WINDOW, SERVICE_ROW, changeRow, pdId, pdIds, ref, seg, serviceRow, time, timeWindow } from '../shapes';

const listServices = pdList({
  name: 'list_services',
  title: 'List services',
  description: 'List PagerDuty services, by name or team, with their status (active, warning, critical, maintenance, disabled) and escalation policy.',
  input: {
    query: z.string().trim().min(1).max(200).optional().describe('Part of the service\'s name'),
    team_ids: pdIds('team_ids'),
  },
  key: 'services',
  row: SERVICE_ROW,
  map: serviceRow,
  request: (a) => ({ path: '/services', query: { 'query': a.query, 'team_ids[]': a.team_ids, 'include[]': ['escalation_policies'], 'sort_by': 'name' } }),
});

const getService = readTool({
  name: 'get_service',
  title: 'Get a service',
  description: 'One service: status, escalation policy, teams, alert grouping; with dependencies=true, the technical services it depends on and that depend on it.',
  input: {
    service_id: pdId('service_id'),
    dependencies: z.boolean().optional().describe('Also get its technical service dependencies (GET /service_dependencies/technical_services/{id}); default false'),
  },
  output: output.item(SERVICE_ROW),
  async run(a, ctx) {
    const id = seg(a.service_id, 'service_id');
    const res = await pd<{ service: Row }>(ctx, { path: `/services/${id}`, query: { 'include[]': ['escalation_policies', 'teams'] } });
    const item = serviceRow(res.data.service);
    if (a.dependencies) {
      const deps = await pd<{ relationships?: Row[] }>(ctx, { path: `/service_dependencies/technical_services/${id}` });
      const rel = deps.data.relationships ?? [];
      const other = (r: Row, side: string) => ref(r[side]);
      item.dependencies = {
        depends_on: rel.filter((r) => (r.dependent_service as Row | undefined)?.id === a.service_id).map((r) => other(r, 'supporting_service')),
        depended_on_by: rel.filter((r) => (r.supporting_service as Row | undefined)?.id === a.service_id).map((r) => other(r, 'dependent_service')),
      };
    }
    return answer.item(item);
  },
});

const listChanges = pdList({
  name: 'list_change_events',
  title: 'List change events',
  description: 'Change events (deploys, config changes sent by CI/CD integrations), newest first, over since..until '
    + '(default: the last 7 days; always sent together, at most 180 days), by team or integration. '
    + `With incident_id: the changes PagerDuty relates to that incident, and why. ${UNTRUSTED_NOTE}`,
  input: {
    incident_id: pdId('incident_id').optional().describe('Only the changes related to this incident (GET /incidents/{id}/related_change_events)'),
    team_ids: pdIds('team_ids'),
    integration_ids: pdIds('integration_ids'),
    since: time('since').describe('At or after (ISO 8601)'),
    until: time('until').describe('Before (ISO 8601)'),
  },
  key: 'change_events',
  row: CHANGE_ROW,
  map: changeRow,
  request(a) {
    if (a.incident_id !== undefined) {
      if (a.since !== undefined || a.until !== undefined || a.team_ids || a.integration_ids) {
        return refuse('with incident_id, PagerDuty chooses the related changes itself: leave out since, until, team_ids and integration_ids');
      }
      return { path: `/incidents/${seg(a.incident_id, 'incident_id')}/related_change_events`, window: `Changes related to incident ${a.incident_id}.` };
    }
    const now = Date.now();
    const window = a.since === undefined && a.until === undefined
      ? timeWindow(new Date(now - 7 * 86_400_000).toISOString(), new Date(now).toISOString(), CHANGE_WINDOW)
      : timeWindow(a.since, a.until, CHANGE_WINDOW);
    return {
      path: '/change_events',
      query: { 'team_ids[]': a.team_ids, 'integration_ids[]': a.integration_ids, ...window },
      window: `Changes from ${window.since} to ${window.until}.`,
    };
  },
});

function refuse(message: string): never {
  return answer.refuse(message);
}

export const serviceTools = [listServices, getService, listChanges];
