/** Configuration items through the CMDB instance API (`/api/now/cmdb/instance/{class}`): find, and read with relations. */
import { z } from 'zod';
import { answer, listTool, output, pathSegment, readTool, rowSchema, type Row } from '../../../kit';
import { pages } from '../paging';
import { encodedQuery, type Condition } from '../query';
import { CI_FIELDS, CI_ROW, resultRecord, shown, shownRow, sysId, valueOf } from '../shapes';

const CMDB_API = '/api/now/cmdb/instance';

const ciClass = z.string().trim().regex(/^cmdb_[a-z0-9_]{1,76}$/, 'class must be a CMDB class name starting with cmdb_ (e.g. cmdb_ci_linux_server)')
  .optional().describe('The CI class (table), e.g. cmdb_ci_server, cmdb_ci_service, cmdb_ci_appl (default cmdb_ci: every class)');

const classPath = (cls: string | undefined, id?: string) => `${CMDB_API}/${pathSegment(cls ?? 'cmdb_ci', 'class')}${id ? `/${pathSegment(id, 'sys_id')}` : ''}`;

const findCi = listTool({
  name: 'sn_find_ci',
  title: 'Find configuration items',
  description: 'Find configuration items of a CMDB class by name, IP address or status; gives each one\'s sys_id and name (read one with sn_get_ci).',
  input: {
    class: ciClass,
    name: z.string().trim().min(1).max(200).optional().describe('The exact name'),
    name_contains: z.string().trim().min(1).max(200).optional().describe('Text the name contains'),
    ip_address: z.string().trim().regex(/^[0-9a-fA-F.:]{2,45}$/, 'ip_address must be an IPv4 or IPv6 address').optional(),
    operational_status: z.enum(['operational', 'non_operational', 'repair_in_progress', 'retired']).optional(),
  },
  paging: pages,
  row: rowSchema(['sys_id', 'name']),
  request: (a) => {
    const STATUS = { operational: 1, non_operational: 2, repair_in_progress: 3, retired: 6 } as const;
    const conditions: Array<Condition | undefined> = [
      a.name === undefined ? undefined : { field: 'name', op: '=', value: a.name, what: 'name' },
      a.name_contains === undefined ? undefined : { field: 'name', op: 'LIKE', value: a.name_contains, what: 'name_contains' },
      a.ip_address === undefined ? undefined : { field: 'ip_address', op: '=', value: a.ip_address },
      a.operational_status === undefined ? undefined : { field: 'operational_status', op: '=', value: STATUS[a.operational_status] },
    ];
    return { path: classPath(a.class), query: { sysparm_query: encodedQuery(conditions, [{ field: 'name' }, { field: 'sys_id' }]) } };
  },
  map: (r) => ({ sys_id: valueOf(r.sys_id), name: shown(r.name) }),
});

const RELATION_ROW = z.object({ sys_id: z.unknown(), type: z.unknown(), ci: z.unknown().describe('{ sys_id, name } of the other CI') });

function relation(r: Row) {
  const target = (r.target ?? {}) as Row;
  const type = (r.type as Row | undefined)?.display_value ?? valueOf(r.type);
  return { sys_id: valueOf(r.sys_id), type, ci: { sys_id: target.value, name: target.display_value } };
}

const getCi = readTool({
  name: 'sn_get_ci',
  title: 'Get a configuration item',
  description: 'Get one configuration item with its attributes and relations: outbound (what it depends on, runs on...) and inbound '
    + '(what depends on it). Relation types read "<outbound>::<inbound>", e.g. "Depends on::Used by".',
  input: {
    sys_id: sysId('configuration item'),
    class: ciClass,
    relation_limit: z.number().int().min(0).max(200).optional().describe('At most this many relations of each direction (default 25)'),
  },
  output: output.item(CI_ROW.extend({ inbound_relations: z.array(RELATION_ROW), outbound_relations: z.array(RELATION_ROW) })),
  async run(a, ctx) {
    const res = await ctx.upstream.request({ path: classPath(a.class, a.sys_id), query: { sysparm_relation_limit: a.relation_limit ?? 25 } });
    const r = resultRecord(res.data, 'configuration item');
    const attributes = (r.attributes ?? {}) as Row;
    const list = (v: unknown) => (Array.isArray(v) ? (v as Row[]).map(relation) : []);
    return answer.item({
      ...shownRow(attributes, CI_FIELDS, 'configuration item'),
      outbound_relations: list(r.outbound_relations),
      inbound_relations: list(r.inbound_relations),
    });
  },
});

export const cmdbTools = [findCi, getCi];
