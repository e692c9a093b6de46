/** Planning: a project's labels (with how much uses each) and milestones. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, listTool } from '../../../kit';
import { pages } from '../paging';
import { LABEL_FIELDS, MILESTONE_ROW, projectId, projectPath, summarizeMilestone } from '../shapes';

export const planningTools = [
  listTool({
    name: 'list_labels',
    title: 'List labels',
    description: 'List the labels a project\'s issues and merge requests can carry (its own and its groups\'), by name; with_counts adds '
      + 'how many open and closed issues and open merge requests carry each. Use the names in list_issues and list_merge_requests labels.',
    input: {
      project_id: projectId,
      search: z.string().trim().min(1).optional().describe('Part of the label name'),
      with_counts: z.boolean().optional().describe('Add open_issues_count, closed_issues_count and open_merge_requests_count (slower on big projects)'),
    },
    paging: pages,
    fields: LABEL_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/labels`, query: { search: a.search, with_counts: a.with_counts } }),
  }),
  listTool({
    name: 'list_milestones',
    title: 'List milestones',
    description: 'List the milestones of a project: title, state, start and due dates, whether it is past due. '
      + `Use a title in list_issues milestone. ${UNTRUSTED_NOTE}`,
    input: {
      project_id: projectId,
      state: z.enum(['active', 'closed']).optional().describe('Default: both'),
      search: z.string().trim().min(1).optional().describe('Part of the title or description'),
    },
    paging: pages,
    row: MILESTONE_ROW,
    request: (a) => ({ path: `${projectPath(a.project_id)}/milestones`, query: { state: a.state, search: a.search } }),
    map: (m) => summarizeMilestone(m),
  }),
];
