/**
 * Monitored entities (services, hosts, process groups, Kubernetes workloads...): the classic
 * Entities API v2 (`entitySelector`, `nextPageKey`) or Grail's `dt.entity.<type>` tables.
 */
import { z } from 'zod';
import { Refusal, answer, pathSegment, readTool, type Row } from '../../../kit';
import { classicAnswer, grailAnswer } from '../answers';
import { runDql } from '../grail';
import { PAGED_HINT, classicPage, cursorInput, sizeInput } from '../paging';
import { criterion, dqlString, entityId, entityTable, entityType, textValue, timestamp, typeOfId } from '../selectors';
import { ENTITY_ROW, dualItem, dualList, summarizeEntity } from '../shapes';
import { tokenKind } from '../tokens';

const findEntities = readTool({
  name: 'find_entities',
  title: 'Find entities',
  description: 'Find monitored entities of one type (SERVICE, HOST, PROCESS_GROUP, APPLICATION, KUBERNETES_CLUSTER...) by name, tag or management zone; returns their ids (e.g. SERVICE-0123456789ABCDEF) for the other tools. '
    + `Classic token: Entities API v2; platform token: Grail dt.entity.<type>. ${PAGED_HINT}`,
  input: {
    entity_type: entityType,
    name_contains: textValue('name_contains').optional().describe('Names containing this (case-insensitive)'),
    name_equals: textValue('name_equals').optional().describe('This exact name'),
    tags: z.array(textValue('tags')).min(1).max(10).optional().describe('All these tags, "key" or "key:value"'),
    management_zone: textValue('management_zone').optional().describe('Only entities in this management zone, by name'),
    from: timestamp('from', 'now-3d (entities seen since)'),
    limit: sizeInput(500, 25),
    cursor: cursorInput,
  },
  output: dualList(ENTITY_ROW),
  async run(a, ctx) {
    if (await tokenKind(ctx) === 'classic') {
      const selector = [
        criterion('type', [a.entity_type], 'entity_type'),
        ...(a.name_contains ? [criterion('entityName.contains', [a.name_contains], 'name_contains')] : []),
        ...(a.name_equals ? [criterion('entityName.equals', [a.name_equals], 'name_equals')] : []),
        ...(a.tags ?? []).map((t) => criterion('tag', [t], 'tags')),
        ...(a.management_zone ? [criterion('mzName', [a.management_zone], 'management_zone')] : []),
      ].join(',');
      const page = await classicPage(ctx, 'find_entities', '/api/v2/entities', {
        entitySelector: selector, from: a.from, fields: '+tags,+managementZones,+lifetime',
      }, { rows: 'entities' }, a);
      return classicAnswer(page, (e) => summarizeEntity(e));
    }
    const limit = a.limit ?? 25;
    const query = [
      `fetch ${entityTable(a.entity_type)}`,
      ...(a.name_contains ? [`| filter contains(entity.name, ${dqlString(a.name_contains, 'name_contains')}, caseSensitive: false)`] : []),
      ...(a.name_equals ? [`| filter entity.name == ${dqlString(a.name_equals, 'name_equals')}`] : []),
      '| fieldsAdd tags, managementZones',
      ...(a.tags ?? []).map((t) => `| filter in(${dqlString(t, 'tags')}, tags)`),
      ...(a.management_zone ? [`| filter in(${dqlString(a.management_zone, 'management_zone')}, managementZones)`] : []),
      '| sort entity.name asc',
      `| limit ${limit + 1}`,
    ].join('\n');
    const run = await runDql(ctx, { query, from: a.from ?? 'now-3d', maxRecords: limit + 1 }, 'find_entities');
    return grailAnswer(run, (r) => r, limit);
  },
});

const getEntity = readTool({
  name: 'get_entity',
  title: 'Get an entity',
  description: 'Get one monitored entity by id: its properties, tags, management zones and relationships (calls, runs on, belongs to; classic token), or its Grail record (platform token).',
  input: { entity_id: entityId },
  output: dualItem(z.looseObject({})),
  async run(a, ctx) {
    if (await tokenKind(ctx) === 'classic') {
      const res = await ctx.upstream.request<Row>({
        path: `/api/v2/entities/${pathSegment(a.entity_id, 'entity_id')}`, query: { fields: '+tags,+managementZones,+properties,+fromRelationships,+toRelationships,+lifetime' },
      });
      const item = answer.item(summarizeEntity(res.data, true));
      return { text: item.text, data: { ...item.data, api: 'classic' as const } };
    }
    const run = await runDql(ctx, {
      query: [`fetch ${entityTable(typeOfId(a.entity_id))}`, `| filter id == ${dqlString(a.entity_id, 'entity_id')}`, '| fieldsAdd tags, managementZones', '| limit 1'].join('\n'),
      from: 'now-30d',
      maxRecords: 1,
    }, 'get_entity');
    if (!run.records[0]) throw new Refusal(`no entity ${a.entity_id} in Grail's ${entityTable(typeOfId(a.entity_id))} over the last 30 days that this token can see`);
    const item = answer.item(run.records[0]);
    return { text: item.text, data: { ...item.data, api: 'platform' as const } };
  },
});

export const entityTools = [findEntities, getEntity];
