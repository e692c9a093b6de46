/**
 * Selectors and DQL built from typed filters. A tool argument never becomes selector or DQL syntax:
 * every value is a quoted literal with its quote and escape characters escaped, and names that
 * cannot be quoted (entity types, metric keys, dimension and field names) must match a strict
 * pattern, else the argument is refused before any call.
 *
 * - Selectors of the Environment API v2 (`entitySelector`, `problemSelector`, `eventSelector`,
 *   `securityProblemSelector`, `sloSelector`): `name("value")`, where a `"` or `~` inside the value is
 *   escaped with `~` (Dynatrace's selector escape character).
 * - DQL: string literals in double quotes, with `\` and `"` escaped by a backslash; control
 *   characters refused.
 */
import { z } from 'zod';
import { Refusal } from '../../kit';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkText(value: string, what: string): string {
  if (CONTROL.test(value)) throw new Refusal(`${what} contains a control character (newline, tab...), which a Dynatrace query cannot carry: ${JSON.stringify(value)}`);
  return value;
}

/** An input string that becomes a quoted value: trimmed, non-empty, no control characters, at most 500 characters. */
export function textValue(what: string) {
  return z.string().trim().min(1).max(500).superRefine((v, ctx) => {
    if (CONTROL.test(v)) ctx.addIssue({ code: 'custom', message: `${what} contains a control character (newline, tab...), which a Dynatrace query cannot carry` });
  });
}

/**
 * One quoted selector value: `"a~"b"` for `a"b`.
 *
 * @example
 * selectorValue('checkout "prod"'); // '"checkout ~"prod~""'
 */
export function selectorValue(value: string, what = 'value'): string {
  return `"${checkText(value, what).replace(/[~"]/g, (c) => `~${c}`)}"`;
}

/** `name("v1","v2")`: a selector criterion with quoted values. */
export function criterion(name: string, values: readonly string[], what: string): string {
  return `${name}(${values.map((v) => selectorValue(v, what)).join(',')})`;
}

/**
 * One DQL string literal.
 *
 * @example
 * dqlString('say "hi"\\'); // '"say \\"hi\\"\\\\"'
 */
export function dqlString(value: string, what = 'value'): string {
  return `"${checkText(value, what).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// ---- names that are not quoted: refused unless they match ----------------------------------------

/** Entity types: `SERVICE`, `HOST`, `PROCESS_GROUP_INSTANCE`, `KUBERNETES_CLUSTER`... */
export const ENTITY_TYPE = /^[A-Z][A-Z0-9_]{0,79}$/;
/** Entity ids: `SERVICE-0123456789ABCDEF`. */
export const ENTITY_ID = /^[A-Z][A-Z0-9_]{0,79}-[0-9A-F]{16}$/;
/** Metric keys: `builtin:service.response.time`, `dt.service.request.response_time`, `ext:my-metric`. */
export const METRIC_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,249}$/;
/** DQL field and dimension names: `dt.entity.service`, `k8s.namespace.name`, `loglevel`. */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;

export const entityType = z.string().trim().toUpperCase().regex(ENTITY_TYPE, 'entity_type must be an entity type in capitals, e.g. SERVICE, HOST, PROCESS_GROUP, KUBERNETES_CLUSTER')
  .describe('Entity type, e.g. SERVICE, HOST, PROCESS_GROUP, APPLICATION, KUBERNETES_CLUSTER');
export const entityId = z.string().trim().regex(ENTITY_ID, 'entity id must look like SERVICE-0123456789ABCDEF (a type, a hyphen, 16 hexadecimal digits)')
  .describe('A Dynatrace entity id, e.g. SERVICE-0123456789ABCDEF');
export const metricKey = z.string().trim().regex(METRIC_KEY, 'metric_key must be a metric key such as builtin:service.response.time (classic) or dt.service.request.response_time (Grail): letters, digits, ".", ":", "_", "-"');
export const fieldName = (what: string) => z.string().trim().regex(FIELD_NAME, `${what} must be a field or dimension name such as dt.entity.service: letters, digits, ".", "_", "-"`);

/** `SERVICE-0123...` -> `dt.entity.service`, the Grail table of its type. */
export function entityTable(type: string): string {
  return `dt.entity.${type.toLowerCase()}`;
}

/** The type part of an entity id. */
export function typeOfId(id: string): string {
  return id.slice(0, id.lastIndexOf('-'));
}

// ---- timeframes ---------------------------------------------------------------------------------

const RELATIVE = /^now(?:-(\d{1,5})([smhdw]))?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An input timestamp: `now`, `now-2h` (s, m, h, d, w) or ISO 8601 with a zone; the classic API takes both forms as they are. */
export function timestamp(what: string, fallback?: string) {
  return z.string().trim().refine((v) => RELATIVE.test(v) || (ISO.test(v) && !Number.isNaN(Date.parse(v))), {
    message: `${what} must be now, now-<n><unit> (units s, m, h, d, w; e.g. now-2h) or an ISO 8601 time with a zone (e.g. 2026-11-20T10:00:00Z)`,
  }).optional().describe(`${what === 'from' ? 'Start' : 'End'} of the timeframe: now-2h, now-7d, or ISO 8601 (e.g. 2026-11-20T10:00:00Z)${fallback ? `; default ${fallback}` : ''}`);
}

/** An absolute ISO time for Grail's `defaultTimeframeStart/End` (relative times are resolved now). */
export function absoluteTime(value: string, now = Date.now()): string {
  const m = RELATIVE.exec(value);
  if (!m) return new Date(Date.parse(value)).toISOString();
  const back = m[1] ? Number(m[1]) * UNIT_MS[m[2]] : 0;
  return new Date(now - back).toISOString();
}
