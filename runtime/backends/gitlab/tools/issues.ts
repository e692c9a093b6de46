/** Issues: list, read, create. */
import { z } from 'zod';
import { answer, itemTool, listTool, output, writeTool, type Row } from '../../../kit';
import { pages } from '../paging';
import { ISSUE_ROW, iid, labels, projectId, projectPath, sort, summarizeIssue } from '../shapes';
import { issueNote } from './notes';

export const issueTools = [
  listTool({
    name: 'list_issues',
    title: 'List issues',
    description: 'List issues of a project, newest first, filtered by state, labels, assignee or a search string.',
    input: {
      project_id: projectId,
      state: z.enum(['opened', 'closed', 'all']).optional().describe('Default: opened'),
      labels,
      search: z.string().optional().describe('Match against title and description'),
      assignee_username: z.string().optional(),
      order_by: z.enum(['created_at', 'updated_at', 'priority', 'due_date']).optional(),
      sort,
    },
    paging: pages,
    row: ISSUE_ROW,
    request: (a) => ({
      path: `${projectPath(a.project_id)}/issues`,
      query: { state: a.state ?? 'opened', labels: a.labels, search: a.search, assignee_username: a.assignee_username, order_by: a.order_by, sort: a.sort },
    }),
    map: (i) => summarizeIssue(i),
  }),
  itemTool({
    name: 'get_issue',
    title: 'Get an issue',
    description: 'Get one issue of a project, with its description.',
    input: { project_id: projectId, issue_iid: iid('issue') },
    row: ISSUE_ROW,
    request: (a) => ({ path: `${projectPath(a.project_id)}/issues/${a.issue_iid}` }),
    map: (i) => summarizeIssue(i, true),
  }),

  // ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----
  writeTool({
    name: 'create_issue',
    title: 'Create an issue',
    description: 'Create an issue in a project. Needs a token with the api scope and writes enabled for this server.',
    input: {
      project_id: projectId,
      title: z.string().min(1).max(255),
      description: z.string().max(1_000_000).optional().describe('Markdown'),
      labels: z.string().optional().describe('Comma-separated label names'),
      assignee_ids: z.array(z.number().int().positive()).optional(),
      confidential: z.boolean().optional(),
      due_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'due_date must be YYYY-MM-DD').optional(),
    },
    output: output.item(ISSUE_ROW),
    async run(a, ctx) {
      const { project_id: id, ...body } = a;
      const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${projectPath(id)}/issues`, body });
      return answer.item(summarizeIssue(res.data), `Created issue #${String(res.data.iid)}: ${String(res.data.web_url ?? '')}`);
    },
  }),
  issueNote,
];
