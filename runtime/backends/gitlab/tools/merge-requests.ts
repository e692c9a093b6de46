/** Merge requests: list, read, their diffs, and comments. */
import { z } from 'zod';
import { itemTool, listTool } from '../../../kit';
import { pages } from '../paging';
import { DIFF_FIELDS, MR_ROW, iid, labels, projectId, projectPath, sort, summarizeMr } from '../shapes';
import { mergeRequestNote } from './notes';

const mergeRequest = { project_id: projectId, merge_request_iid: iid('merge request') };
const mergeRequestPath = (a: { project_id: number | string; merge_request_iid: number }) => `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}`;

export const mergeRequestTools = [
  listTool({
    name: 'list_merge_requests',
    title: 'List merge requests',
    description: 'List merge requests of a project, filtered by state, target branch, labels or a search string.',
    input: {
      project_id: projectId,
      state: z.enum(['opened', 'closed', 'locked', 'merged', 'all']).optional().describe('Default: opened'),
      target_branch: z.string().optional(),
      source_branch: z.string().optional(),
      labels,
      search: z.string().optional(),
      author_username: z.string().optional(),
      order_by: z.enum(['created_at', 'updated_at', 'merged_at', 'title']).optional(),
      sort,
    },
    paging: pages,
    row: MR_ROW,
    request: (a) => ({
      path: `${projectPath(a.project_id)}/merge_requests`,
      query: {
        state: a.state ?? 'opened',
        target_branch: a.target_branch,
        source_branch: a.source_branch,
        labels: a.labels,
        search: a.search,
        author_username: a.author_username,
        order_by: a.order_by,
        sort: a.sort,
      },
    }),
    map: (m) => summarizeMr(m),
  }),
  itemTool({
    name: 'get_merge_request',
    title: 'Get a merge request',
    description: 'Get one merge request with its description, merge status and head pipeline.',
    input: mergeRequest,
    row: MR_ROW,
    request: (a) => ({ path: mergeRequestPath(a) }),
    map: (m) => summarizeMr(m, true),
  }),
  listTool({
    name: 'get_merge_request_diffs',
    title: 'Get merge request changes',
    description: 'Get the file diffs of a merge request (unified diff per file), paged.',
    input: mergeRequest,
    paging: pages,
    fields: DIFF_FIELDS,
    request: (a) => ({ path: `${mergeRequestPath(a)}/diffs` }),
  }),
  mergeRequestNote,
];
