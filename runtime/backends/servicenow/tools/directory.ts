/** Users and groups: a name or email to the sys_id the other tools (and the writes) take. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, listTool, rowSchema } from '../../../kit';
import { pages } from '../paging';
import { encodedQuery, type Condition } from '../query';
import { GROUP_FIELDS, USER_FIELDS, shown, shownRow, tablePath, tableQuery } from '../shapes';

const FIELDS = [...new Set([...USER_FIELDS, ...GROUP_FIELDS])];

const findUserOrGroup = listTool({
  name: 'sn_find_user_or_group',
  title: 'Find users or groups',
  description: 'Find users (by name, user name or email) or groups (by name) and their sys_ids, active ones only unless include_inactive. '
    + UNTRUSTED_NOTE,
  input: {
    kind: z.enum(['user', 'group']),
    query: z.string().trim().min(1).max(200).describe('Part of the name (users: also of the user name or email)'),
    include_inactive: z.boolean().optional().describe('Also inactive users or groups (default false)'),
  },
  paging: pages,
  row: rowSchema(FIELDS),
  request: (a) => {
    const fields = a.kind === 'user' ? USER_FIELDS : GROUP_FIELDS;
    const match = (field: string): Condition => ({ field, op: 'LIKE', value: a.query, what: 'query' });
    const text: Condition[] = a.kind === 'user' ? [match('name'), match('user_name'), match('email')] : [match('name')];
    const active: Condition | undefined = a.include_inactive ? undefined : { field: 'active', op: '=', value: true };
    return {
      path: tablePath(a.kind === 'user' ? 'sys_user' : 'sys_user_group'),
      query: tableQuery(fields, encodedQuery([active, text], [{ field: 'name' }, { field: 'sys_id' }])),
    };
  },
  map: (r) => shownRow(r, FIELDS, `group ${String(shown(r.name))}`),
});

export const directoryTools = [findUserOrGroup];
