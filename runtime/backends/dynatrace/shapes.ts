/**
 * What Dynatrace answers look like to a model: the fields kept of each classic object (times as
 * ISO 8601 instead of epoch milliseconds, entity references as ids and names), the Grail fields
 * each typed query asks for, and the row schemas. Text written by people or programs (problem
 * comments, log lines) is framed with `untrusted`.
 */
import { z } from 'zod';
import { nested, output, pick, rowSchema, untrusted, type Row } from '../../kit';

/** Epoch milliseconds as ISO 8601; Dynatrace's `-1` (not ended) as null. */
export function iso(ms: unknown): string | null | undefined {
  if (typeof ms !== 'number') return ms === undefined ? undefined : null;
  if (ms < 0) return null;
  return new Date(ms).toISOString();
}

/** `{ entityId: { id, type }, name }` (problems, events) as `{ id, type, name }`. */
function entityRef(value: unknown): Row | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { entityId?: { id?: unknown; type?: unknown }; name?: unknown };
  return { id: v.entityId?.id, type: v.entityId?.type, name: v.name };
}

const refs = (value: unknown) => (Array.isArray(value) ? value.map(entityRef) : undefined);
const names = (value: unknown) => (Array.isArray(value) ? value.map((v) => nested(v, 'name')) : undefined);
const tagStrings = (value: unknown) => (Array.isArray(value) ? value.map((t) => nested(t, 'stringRepresentation') ?? nested(t, 'key')) : undefined);

// ---- problems -----------------------------------------------------------------------------------

const PROBLEM_FIELDS = ['problemId', 'displayId', 'title', 'status', 'severityLevel', 'impactLevel'];

export function summarizeProblem(p: Row, detail = false): Row {
  const row: Row = {
    ...pick(p, PROBLEM_FIELDS),
    start: iso(p.startTime),
    end: iso(p.endTime),
    rootCauseEntity: entityRef(p.rootCauseEntity) ?? null,
    affectedEntities: refs(p.affectedEntities),
    managementZones: names(p.managementZones),
  };
  if (!detail) return row;
  return {
    ...row,
    impactedEntities: refs(p.impactedEntities),
    entityTags: tagStrings(p.entityTags),
    evidenceDetails: p.evidenceDetails,
    impactAnalysis: p.impactAnalysis,
    // Comments are written by people: data, not instructions.
    recentComments: Array.isArray((p.recentComments as { comments?: unknown })?.comments)
      ? ((p.recentComments as { comments: Row[] }).comments).map((c) => ({
        id: c.id,
        author: c.authorName,
        created: iso(c.createdAtTimestamp),
        context: c.context,
        content: typeof c.content === 'string' ? untrusted(c.content, 'problem comment') : c.content,
      }))
      : undefined,
  };
}

/** The fields of `dt.davis.problems` the Problems app shows (Grail). */
export const GRAIL_PROBLEM_FIELDS = [
  'display_id', 'event.id', 'event.name', 'event.status', 'event.category', 'event.start', 'event.end',
  'root_cause_entity_id', 'root_cause_entity_name', 'affected_entity_ids', 'affected_entity_types', 'dt.davis.event_ids',
  'maintenance.is_under_maintenance', 'entity_tags',
];

export const PROBLEM_ROW = rowSchema([...PROBLEM_FIELDS, 'start', 'end', 'rootCauseEntity', 'affectedEntities', 'managementZones', ...GRAIL_PROBLEM_FIELDS]);

// ---- entities -----------------------------------------------------------------------------------

export function summarizeEntity(e: Row, detail = false): Row {
  const row: Row = {
    entityId: e.entityId,
    type: e.type,
    displayName: e.displayName,
    firstSeen: iso(e.firstSeenTms),
    lastSeen: iso(e.lastSeenTms),
    tags: tagStrings(e.tags),
    managementZones: names(e.managementZones),
  };
  if (!detail) return row;
  return { ...row, properties: e.properties, fromRelationships: e.fromRelationships, toRelationships: e.toRelationships };
}

export const ENTITY_ROW = rowSchema(['entityId', 'type', 'displayName', 'firstSeen', 'lastSeen', 'tags', 'managementZones', 'id', 'entity.name']);

// ---- events -------------------------------------------------------------------------------------

export function summarizeEvent(e: Row): Row {
  return {
    eventId: e.eventId,
    eventType: e.eventType,
    title: e.title,
    status: e.status,
    start: iso(e.startTime),
    end: iso(e.endTime),
    entity: entityRef(e.entityId),
    properties: Array.isArray(e.properties) ? Object.fromEntries((e.properties as Row[]).map((p) => [String(p.key), p.value])) : e.properties,
    managementZones: names(e.managementZones),
    correlationId: e.correlationId,
  };
}

export const GRAIL_EVENT_FIELDS = ['timestamp', 'event.id', 'event.type', 'event.kind', 'event.name', 'event.status', 'event.start', 'event.end', 'dt.source_entity', 'dt.entity.service', 'dt.entity.host', 'deployment.name', 'deployment.version'];

export const EVENT_ROW = rowSchema(['eventId', 'eventType', 'title', 'status', 'start', 'end', 'entity', 'properties', ...GRAIL_EVENT_FIELDS]);

// ---- logs ---------------------------------------------------------------------------------------

/** A log line (classic `results[]` or a Grail `logs` record), its content framed as untrusted. */
export function summarizeLog(l: Row): Row {
  const content = l.content;
  return {
    timestamp: typeof l.timestamp === 'number' ? iso(l.timestamp) : l.timestamp,
    status: l.status ?? l.loglevel,
    ...pick(l, ['event.type', 'log.source', 'host.name', 'dt.entity.host', 'dt.entity.process_group', 'k8s.namespace.name', 'k8s.pod.name', 'dt.source_entity']),
    content: typeof content === 'string' ? untrusted(content, 'log line') : content,
    ...(l.additionalColumns ? { additionalColumns: l.additionalColumns } : {}),
  };
}

export const LOG_ROW = rowSchema(['timestamp', 'status', 'content', 'event.type', 'log.source', 'host.name', 'additionalColumns']);

// ---- security problems and SLOs -------------------------------------------------------------------

export function summarizeSecurityProblem(s: Row): Row {
  const risk = (s.riskAssessment ?? {}) as Row;
  return {
    ...pick(s, ['securityProblemId', 'displayId', 'status', 'muted', 'vulnerabilityType', 'technology', 'title', 'url', 'cveIds']),
    riskLevel: risk.riskLevel,
    riskScore: risk.riskScore,
    exposure: risk.exposure,
    firstSeen: iso(s.firstSeenTimestamp),
    lastUpdated: iso(s.lastUpdatedTimestamp),
  };
}

export const GRAIL_VULNERABILITY_FIELDS = [
  'vulnerability.display_id', 'vulnerability.id', 'vulnerability.title', 'vulnerability.risk.level', 'vulnerability.risk.score',
  'vulnerability.references.cve', 'vulnerability.resolution.status', 'vulnerability.mute.status', 'affected_entity.id', 'affected_entity.name', 'vulnerability.url',
];

export const SECURITY_ROW = rowSchema(['securityProblemId', 'displayId', 'status', 'title', 'riskLevel', 'riskScore', 'cveIds', 'technology', ...GRAIL_VULNERABILITY_FIELDS]);

export function summarizeSlo(s: Row): Row {
  return {
    ...pick(s, ['id', 'name', 'status', 'target', 'warning', 'evaluatedPercentage', 'errorBudget', 'timeframe', 'enabled', 'metricExpression', 'description']),
    burnRate: nested(s.errorBudgetBurnRate, 'burnRateValue'),
  };
}

export const SLO_ROW = rowSchema(['id', 'name', 'status', 'target', 'warning', 'evaluatedPercentage', 'errorBudget', 'timeframe', 'burnRate']);

// ---- output: list answers of either API ---------------------------------------------------------------

const grailSchema = z.object({
  scanned_bytes: z.number().optional().describe('Bytes Grail read for the query (what it bills)'),
  records_cut: z.boolean().describe('Grail cut the result at max_records: there are more'),
  scan_cut: z.boolean().describe('Grail stopped at the scan limit: records may be missing'),
  notifications: z.array(z.object({
    severity: z.unknown().optional(), notificationType: z.unknown().optional(), message: z.unknown().optional(),
  })).optional(),
}).describe('Present when the answer came from Grail (platform token)');

/** `output.list(row)` plus which API answered and, for Grail, what the caps did. */
export function dualList<R extends z.ZodType>(row: R) {
  return output.list(row).extend({
    api: z.enum(['classic', 'platform']).describe('classic: Environment API v2 (classic token); platform: Grail DQL (platform token)'),
    grail: grailSchema.optional(),
  });
}

/** `output.item(row)` plus which API answered. */
export function dualItem<R extends z.ZodType>(row: R) {
  return output.item(row).extend({ api: z.enum(['classic', 'platform']) });
}
