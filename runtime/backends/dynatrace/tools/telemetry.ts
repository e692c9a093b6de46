/**
 * Metrics, logs and events: the classic Metrics v2 (`metricSelector` with transformations), Logs
 * search (`nextSliceKey`) and Events v2 (`eventSelector`) APIs, or Grail (`timeseries`,
 * `fetch logs`, `fetch events`).
 */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, answer, readTool, type Row } from '../../../kit';
import { classicAnswer, grailAnswer } from '../answers';
import { entityField, entityFilterInput, entitySelector, grailEntityCondition } from '../entities-filter';
import { runDql } from '../grail';
import { PAGED_HINT, classicPage, cursorInput, sizeInput } from '../paging';
import { criterion, dqlString, fieldName, metricKey, selectorValue, textValue, timestamp } from '../selectors';
import { EVENT_ROW, GRAIL_EVENT_FIELDS, LOG_ROW, dualList, iso, summarizeEvent, summarizeLog } from '../shapes';
import { tokenKind } from '../tokens';

// ---- metrics ------------------------------------------------------------------------------------

const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count'] as const;
const RESOLUTION = /^\d{1,4}[mhd]$/;

const SERIES_ROW = z.looseObject({
  metric: z.unknown().optional(),
  dimensions: z.unknown().optional().describe('The split-by dimensions of this series'),
  timestamps: z.unknown().optional(),
  values: z.unknown().optional(),
});

const queryMetrics = readTool({
  name: 'query_metrics',
  title: 'Query a metric',
  description: 'Get one metric\'s data points over a timeframe, aggregated (avg by default) and split by dimensions, for entities you filter. '
    + 'Metric keys differ by token: classic (Metrics API v2) e.g. builtin:service.response.time, builtin:host.cpu.usage; platform (Grail timeseries) e.g. dt.service.request.response_time, dt.host.cpu.usage. '
    + 'One row per series: its dimensions, timestamps and values.',
  input: {
    metric_key: metricKey.describe('The metric key (see above: classic builtin:..., Grail dt....)'),
    aggregation: z.enum(AGGREGATIONS).optional().describe('Default avg'),
    split_by: z.array(fieldName('split_by')).min(1).max(5).optional().describe('Dimensions to split by, e.g. ["dt.entity.service"]'),
    ...entityFilterInput,
    from: timestamp('from', 'now-2h'),
    to: timestamp('to', 'now'),
    resolution: z.string().trim().regex(RESOLUTION, 'resolution must be a number and m, h or d, e.g. 5m, 1h').optional().describe('Time between data points, e.g. 5m, 1h (default: Dynatrace picks)'),
  },
  output: dualList(SERIES_ROW),
  async run(a, ctx) {
    const aggregation = a.aggregation ?? 'avg';
    const from = a.from ?? 'now-2h';
    if (await tokenKind(ctx) === 'classic') {
      const split = a.split_by ? `:splitBy(${a.split_by.map((d) => selectorValue(d, 'split_by')).join(',')})` : '';
      type MetricData = { result?: Array<{ metricId?: unknown; data?: Row[] }>; totalCount?: number; resolution?: string; warnings?: unknown };
      const res = await ctx.upstream.request<MetricData>({
        path: '/api/v2/metrics/query',
        query: { metricSelector: `${a.metric_key}${split}:${aggregation}`, entitySelector: entitySelector(a), from, to: a.to, resolution: a.resolution },
      });
      const rows = (res.data.result ?? []).flatMap((m) => (m.data ?? []).map((d) => ({
        metric: m.metricId,
        dimensions: d.dimensionMap,
        timestamps: Array.isArray(d.timestamps) ? d.timestamps.map(iso) : d.timestamps,
        values: d.values,
      })));
      const warnings = Array.isArray(res.data.warnings) && res.data.warnings.length > 0 ? ` Dynatrace warns: ${res.data.warnings.join('; ')}` : '';
      const l = answer.list(rows, { has_more: false, note: `${rows.length} series${res.data.resolution ? ` at resolution ${res.data.resolution}` : ''}.${warnings}` });
      return { text: l.text, data: { ...l.data, api: 'classic' as const } };
    }
    const entity = grailEntityCondition(a, (id) => [entityField(id)]);
    const by = [...new Set([...(a.split_by ?? []), ...(a.entity_id ? [entityField(a.entity_id)] : [])])];
    const query = [
      `timeseries value = ${aggregation}(${a.metric_key})`
        + `${by.length > 0 ? `, by: {${by.join(', ')}}` : ''}${a.resolution ? `, interval: ${a.resolution}` : ''}${entity ? `, filter: ${entity}` : ''}`,
      '| limit 101',
    ].join('\n');
    const run = await runDql(ctx, { query, from, to: a.to, maxRecords: 101 }, 'query_metrics');
    return grailAnswer(run, (r) => {
      const { value, timeframe, interval, ...dimensions } = r;
      return { metric: a.metric_key, dimensions, timeframe, interval, values: value };
    }, 100);
  },
});

// ---- logs ---------------------------------------------------------------------------------------

const LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'NONE'] as const;
/** The classic log query language has no documented escape: a value with `"` or `\` is refused there. */
function classicLogValue(value: string, what: string): string {
  if (/["\\]/.test(value)) throw new Refusal(`${what} contains " or \\, which the classic log search query cannot carry; leave them out (a platform token searches with any text)`);
  return `"${value}"`;
}

const searchLogs = readTool({
  name: 'search_logs',
  title: 'Search logs',
  description: 'Search log lines, newest first, by text, level and source entity or host. Classic token: Logs API v2 search; platform token: Grail fetch logs (matchesPhrase on the content). '
    + `${PAGED_HINT} ${UNTRUSTED_NOTE}`,
  input: {
    text: textValue('text').optional().describe('A phrase the log content contains'),
    level: z.array(z.enum(LEVELS)).min(1).optional().describe('Any of these log levels (status)'),
    host_name: textValue('host_name').optional().describe('Only lines from this host name'),
    entity_id: entityFilterInput.entity_id.describe('Only lines of this entity (host, process group, service...)'),
    from: timestamp('from', 'now-1h'),
    to: timestamp('to', 'now'),
    limit: sizeInput(500, 50),
    cursor: cursorInput,
  },
  output: dualList(LOG_ROW),
  async run(a, ctx) {
    const from = a.from ?? 'now-1h';
    if (await tokenKind(ctx) === 'classic') {
      const terms = [
        ...(a.text ? [`content=${classicLogValue(a.text, 'text')}`] : []),
        ...(a.level ? [`(${a.level.map((l) => `status="${l}"`).join(' OR ')})`] : []),
        ...(a.host_name ? [`host.name=${classicLogValue(a.host_name, 'host_name')}`] : []),
        ...(a.entity_id ? [`${entityField(a.entity_id)}="${a.entity_id}"`] : []),
      ];
      const page = await classicPage(ctx, 'search_logs', '/api/v2/logs/search', {
        query: terms.join(' AND '), from, to: a.to, sort: '-timestamp',
      }, { rows: 'results', keyParam: 'nextSliceKey', sizeParam: 'limit', defaultSize: 50 }, a);
      return classicAnswer(page, summarizeLog);
    }
    const limit = a.limit ?? 50;
    const query = [
      'fetch logs',
      ...(a.text ? [`| filter matchesPhrase(content, ${dqlString(a.text, 'text')})`] : []),
      ...(a.level ? [`| filter in(loglevel, array(${a.level.map((l) => dqlString(l)).join(', ')}))`] : []),
      ...(a.host_name ? [`| filter host.name == ${dqlString(a.host_name, 'host_name')}`] : []),
      ...(a.entity_id ? [`| filter ${entityField(a.entity_id)} == ${dqlString(a.entity_id)} or dt.source_entity == ${dqlString(a.entity_id)}`] : []),
      '| sort timestamp desc',
      `| limit ${limit + 1}`,
      '| fields timestamp, loglevel, status, content, log.source, host.name, dt.entity.host, dt.entity.process_group, k8s.namespace.name, k8s.pod.name, dt.source_entity',
    ].join('\n');
    const run = await runDql(ctx, { query, from, to: a.to, maxRecords: limit + 1 }, 'search_logs');
    return grailAnswer(run, summarizeLog, limit);
  },
});

// ---- events -------------------------------------------------------------------------------------

const EVENT_TYPE = /^[A-Z][A-Z0-9_]{0,79}$/;

const listEvents = readTool({
  name: 'list_events',
  title: 'List events',
  description: 'List events (deployments, configuration changes, custom info and annotations, Davis events), newest first, by type, status and entity: what changed before a problem. '
    + `Classic token: Events API v2; platform token: Grail fetch events. Event types: CUSTOM_DEPLOYMENT, CUSTOM_CONFIGURATION, CUSTOM_INFO, CUSTOM_ANNOTATION, ERROR_EVENT, ... ${PAGED_HINT}`,
  input: {
    event_type: z.string().trim().regex(EVENT_TYPE, 'event_type must be an event type in capitals, e.g. CUSTOM_DEPLOYMENT').optional().describe('Only this event type, e.g. CUSTOM_DEPLOYMENT'),
    status: z.enum(['OPEN', 'CLOSED']).optional(),
    ...entityFilterInput,
    from: timestamp('from', 'now-24h'),
    to: timestamp('to', 'now'),
    limit: sizeInput(500, 25),
    cursor: cursorInput,
  },
  output: dualList(EVENT_ROW),
  async run(a, ctx) {
    const from = a.from ?? 'now-24h';
    if (await tokenKind(ctx) === 'classic') {
      const selector = [
        ...(a.event_type ? [criterion('eventType', [a.event_type], 'event_type')] : []),
        ...(a.status ? [criterion('status', [a.status], 'status')] : []),
      ].join(',');
      const page = await classicPage(ctx, 'list_events', '/api/v2/events', {
        eventSelector: selector, entitySelector: entitySelector(a), from, to: a.to,
      }, { rows: 'events' }, a);
      return classicAnswer(page, summarizeEvent);
    }
    const limit = a.limit ?? 25;
    const entity = grailEntityCondition(a, (id) => ['dt.source_entity', entityField(id), 'in:affected_entity_ids']);
    const query = [
      'fetch events',
      ...(a.event_type ? [`| filter event.type == ${dqlString(a.event_type)}`] : []),
      ...(a.status ? [`| filter event.status == ${dqlString(a.status === 'OPEN' ? 'ACTIVE' : 'CLOSED')}`] : []),
      ...(entity ? [`| filter ${entity}`] : []),
      '| sort timestamp desc',
      `| limit ${limit + 1}`,
      `| fields ${GRAIL_EVENT_FIELDS.join(', ')}`,
    ].join('\n');
    const run = await runDql(ctx, { query, from, to: a.to, maxRecords: limit + 1 }, 'list_events');
    return grailAnswer(run, (r) => r, limit);
  },
});

export const telemetryTools = [queryMetrics, searchLogs, listEvents];
