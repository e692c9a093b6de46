/**
 * The entity filter several tools share (problems' affected entity, events, metrics, event
 * ingest): typed arguments turned into a classic `entitySelector` or a Grail condition, values
 * quoted by selectors.ts.
 */
import { z } from 'zod';
import { criterion, dqlString, entityId, entityType, textValue, typeOfId } from './selectors';
import { Refusal } from '../../kit';

export const entityFilterInput = {
  entity_id: entityId.optional().describe('Only this entity, e.g. SERVICE-0123456789ABCDEF'),
  entity_type: entityType.optional().describe('With entity_name_contains or entity_tags: the entity type, e.g. SERVICE, HOST'),
  entity_name_contains: textValue('entity_name_contains').optional().describe('Entities whose name contains this (classic token; needs entity_type)'),
  entity_tags: z.array(textValue('entity_tags')).min(1).max(10).optional().describe('Entities with all these tags, "key" or "key:value" (classic token; needs entity_type)'),
};

export interface EntityFilter {
  entity_id?: string;
  entity_type?: string;
  entity_name_contains?: string;
  entity_tags?: string[];
}

const hasFilter = (f: EntityFilter) =>
  f.entity_id !== undefined || f.entity_type !== undefined || f.entity_name_contains !== undefined || f.entity_tags !== undefined;

/** The classic `entitySelector`, or undefined without entity filters. */
export function entitySelector(f: EntityFilter): string | undefined {
  if (!hasFilter(f)) return undefined;
  if (f.entity_id !== undefined) {
    if (f.entity_name_contains !== undefined || f.entity_tags !== undefined) {
      throw new Refusal('give entity_id alone, or entity_type with entity_name_contains / entity_tags: an id already names one entity');
    }
    return criterion('entityId', [f.entity_id], 'entity_id');
  }
  if (f.entity_type === undefined) {
    throw new Refusal('entity_name_contains and entity_tags need entity_type (Dynatrace selects entities of one type at a time), e.g. entity_type: "SERVICE"');
  }
  const parts = [criterion('type', [f.entity_type], 'entity_type')];
  if (f.entity_name_contains !== undefined) parts.push(criterion('entityName.contains', [f.entity_name_contains], 'entity_name_contains'));
  for (const tag of f.entity_tags ?? []) parts.push(criterion('tag', [tag], 'entity_tags'));
  return parts.join(',');
}

/**
 * A Grail condition on an entity id held in `field` (or in the field of its type, e.g.
 * `dt.entity.service`); name and tag filters need the classic API.
 */
export function grailEntityCondition(f: EntityFilter, fields: (id: string) => string[]): string | undefined {
  if (!hasFilter(f)) return undefined;
  if (f.entity_id === undefined) {
    throw new Refusal('with a platform token, filter entities by entity_id (find it with find_entities); entity_type, entity_name_contains and entity_tags filter only through the classic API');
  }
  const id = dqlString(f.entity_id, 'entity_id');
  return fields(f.entity_id).map((field) => (field.startsWith('in:') ? `in(${id}, ${field.slice(3)})` : `${field} == ${id}`)).join(' or ');
}

/** `dt.entity.service` for a SERVICE-... id. */
export function entityField(id: string): string {
  return `dt.entity.${typeOfId(id).toLowerCase()}`;
}
