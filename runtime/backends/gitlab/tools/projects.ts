/** Projects: find them, and read one. */
import { z } from 'zod';
import { itemTool, listTool, nested, pick } from '../../../kit';
import { pages } from '../paging';
import { PROJECT_FIELDS, PROJECT_ROW, projectId, projectPath, sort } from '../shapes';

export const projectTools = [
  listTool({
    name: 'list_projects',
    title: 'List projects',
    description: 'List GitLab projects the token can see, optionally filtered by a search string. Returns ID, full path, default branch, visibility and web URL.',
    input: {
      search: z.string().optional().describe('Match against project name and path'),
      membership: z.boolean().optional().describe('Only projects the token user is a member of'),
      owned: z.boolean().optional().describe('Only projects owned by the token user'),
      archived: z.boolean().optional().describe('Filter by archived state'),
      order_by: z.enum(['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'star_count']).optional(),
      sort,
    },
    paging: pages,
    fields: PROJECT_FIELDS,
    request: (a) => ({
      path: '/projects',
      query: { search: a.search, membership: a.membership, owned: a.owned, archived: a.archived, order_by: a.order_by, sort: a.sort, simple: true },
    }),
  }),
  itemTool({
    name: 'get_project',
    title: 'Get a project',
    description: 'Get one GitLab project by ID or full path (e.g. "group/project").',
    input: { project_id: projectId },
    row: PROJECT_ROW,
    request: (a) => ({ path: projectPath(a.project_id) }),
    map: (p) => ({ ...pick(p, PROJECT_FIELDS), topics: p.topics, namespace: nested(p.namespace, 'full_path') }),
  }),
];
