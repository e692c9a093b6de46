/**
 * Field helpers: upstream objects carry dozens of links and flags; answers keep the fields a
 * person reads, and say which ones in their output schema.
 */
import { z } from 'zod';

/** An upstream object. */
export type Row = Record<string, unknown>;

/**
 * The fields of `obj` named in `keys` that are present (undefined ones are left out).
 *
 * @example
 * pick({ id: 1, title: 'x', _links: {} }, ['id', 'title']); // { id: 1, title: 'x' }
 */
export function pick(obj: object, keys: readonly string[]): Row {
  const out: Row = {};
  for (const k of keys) {
    const v = (obj as Row)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * One field of a nested object (`author.username`), or the value itself when it is not an object.
 *
 * @example
 * nested({ username: 'alice', id: 1 }, 'username'); // 'alice'
 * nested(null, 'username');                        // null
 */
export function nested(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Row)[key] : value;
}

/** `nested` over a list; `undefined` when `value` is not a list. */
export function nestedAll(value: unknown, key: string): unknown[] | undefined {
  return Array.isArray(value) ? value.map((v) => nested(v, key)) : undefined;
}

/**
 * The output schema of a row made with `pick(obj, keys)` (plus `extra` fields): each named field
 * may be absent, and holds what the upstream sent (so the schema never refuses an upstream's
 * null or a new type). Other fields are allowed: rows may be widened.
 *
 * @example
 * const ISSUE_ROW = rowSchema(ISSUE_FIELDS, { author: z.unknown().optional().describe('username') });
 */
export function rowSchema(keys: readonly string[], extra: z.ZodRawShape = {}) {
  const shape: Record<string, z.ZodType> = {};
  for (const k of keys) shape[k] = z.unknown().optional();
  return z.looseObject({ ...shape, ...extra });
}
