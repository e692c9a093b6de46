/** Issues: list, read (with their comments), create. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, count, output, readTool, writeTool, type Row } from '../../../kit';
import { pages, readPage } from '../paging';
import { targetOf } from '../scope';
import { ISSUE_ROW, groupId, iid, isoTime, labels, projectId, projectPath, sort, summarizeIssue, summarizeNote } from '../shapes';
import { issueNote, markdownBody } from './notes';

/** How many comments get_issue reads with include notes: one page, GitLab's largest. */
const NOTES_PER_ISSUE = 100;

export const issueTools = [
  readTool({
    name: 'list_issues',
    title: 'List issues',
    description: 'List issues of a project or a group, newest first, filtered by state, labels, assignee, milestone, update time or a search string. '
      + 'Without either, issues across GitLab by scope (GitLab\'s default: created_by_me); where the server is limited to some projects and groups, '
      + `the list stays inside them. ${pages.hint}`,
    input: {
      project_id: projectId.optional(),
      group: groupId.optional().describe('Issues of this group and its subgroups, by full path'),
      scope: z.enum(['created_by_me', 'assigned_to_me', 'all']).optional().describe('Whose issues (GitLab\'s default: created_by_me across GitLab, all in a project or group)'),
      state: z.enum(['opened', 'closed', 'all']).optional().describe('Default: opened'),
      labels,
      search: z.string().optional().describe('Match against title and description'),
      assignee_username: z.string().optional(),
      author_username: z.string().optional(),
      milestone: z.string().optional().describe('Milestone title'),
      updated_after: isoTime('updated_after').optional(),
      order_by: z.enum(['created_at', 'updated_at', 'priority', 'due_date']).optional(),
      sort,
      ...pages.input,
    },
    output: output.list(ISSUE_ROW),
    async run(a, ctx) {
      const base = await targetOf(ctx, a, 'lists issues');
      const { rows, continuation } = await readPage(ctx, 'list_issues', a, `${base}/issues`, {
        scope: a.scope,
        state: a.state ?? 'opened',
        labels: a.labels,
        search: a.search,
        assignee_username: a.assignee_username,
        author_username: a.author_username,
        milestone: a.milestone,
        updated_after: a.updated_after,
        order_by: a.order_by,
        sort: a.sort,
      });
      return answer.list(rows.map((i) => summarizeIssue(i)), continuation);
    },
  }),
  readTool({
    name: 'get_issue',
    title: 'Get an issue',
    description: `Get one issue of a project, with its description; include notes adds its comments, oldest first (up to ${NOTES_PER_ISSUE}). ${UNTRUSTED_NOTE}`,
    input: {
      project_id: projectId,
      issue_iid: iid('issue'),
      include: z.array(z.enum(['notes'])).max(1).optional().describe('notes: the issue\'s comments'),
    },
    output: output.item(ISSUE_ROW),
    async run(a, ctx) {
      const path = `${projectPath(a.project_id)}/issues/${a.issue_iid}`;
      const issue = summarizeIssue((await ctx.upstream.request<Row>({ path })).data, true);
      if (!a.include?.includes('notes')) return answer.item(issue);
      const res = await ctx.upstream.request<Row[]>({ path: `${path}/notes`, query: { sort: 'asc', order_by: 'created_at', per_page: NOTES_PER_ISSUE } });
      const notes = (Array.isArray(res.data) ? res.data : []).map(summarizeNote);
      const more = (res.headers.get('x-next-page') ?? '') !== '';
      const note = more
        ? `${count(notes.length, 'comment')} shown, the oldest; the issue has more (${res.headers.get('x-total') ?? 'unknown'} in all): read them in GitLab (${String(issue.web_url ?? '')}) or with search scope notes.`
        : undefined;
      return answer.item({ ...issue, notes }, note);
    },
  }),

  // ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----
  writeTool({
    name: 'create_issue',
    title: 'Create an issue',
    description: 'Create an issue in a project. Needs a token with the api scope and writes enabled for this server.',
    input: {
      project_id: projectId,
      title: z.string().min(1).max(255),
      description: markdownBody('description').optional(),
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
