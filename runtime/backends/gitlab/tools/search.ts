/** Search across GitLab, within a group, or within one project; kept inside the server's allowed projects and groups. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, output, readTool, type Row } from '../../../kit';
import { pages, readPage } from '../paging';
import { targetOf } from '../scope';
import { SEARCH_ROW, framed, groupId, projectId } from '../shapes';

/** Scopes GitLab.com searches per project only (or per group with advanced search). */
const PROJECT_ONLY = ['blobs', 'commits', 'notes', 'wiki_blobs'];

/** Free text of the result rows written by others (issue and MR descriptions, comments, commit messages). */
const FREE_TEXT = ['description', 'body', 'message'];

function frameRow(row: Row, scope: string): Row {
  const out = { ...row };
  for (const key of FREE_TEXT) {
    if (typeof out[key] === 'string') out[key] = framed(out[key], `${key} of a search result (${scope})`);
  }
  return out;
}

export const searchTools = [
  readTool({
    name: 'search',
    title: 'Search GitLab',
    description: 'Search GitLab for projects, issues, merge requests, milestones or users; with project_id (or group) also code (blobs), '
      + 'commits, comments (notes) and wiki pages. Where the server is limited to some projects and groups, the search stays inside them. '
      + `${UNTRUSTED_NOTE} ${pages.hint}`,
    input: {
      scope: z.enum(['projects', 'issues', 'merge_requests', 'milestones', 'users', 'blobs', 'commits', 'notes', 'wiki_blobs']),
      search: z.string().min(2).describe('What to look for'),
      project_id: projectId.optional(),
      group: groupId.optional().describe('Search within this group and its subgroups, by full path'),
      ref: z.string().optional().describe('Branch or tag, for blobs and commits within a project'),
      ...pages.input,
    },
    output: output.list(SEARCH_ROW),
    async run(a, ctx) {
      const base = await targetOf(ctx, a, 'searches');
      if (base === '' && PROJECT_ONLY.includes(a.scope)) answer.refuse(`search scope "${a.scope}" needs project_id or group (GitLab.com searches code, commits and notes per project)`);
      const { rows, continuation } = await readPage(ctx, 'search', a, `${base}/search`, { scope: a.scope, search: a.search, ref: a.ref });
      return answer.list(rows.map((r) => frameRow(r, a.scope)), continuation);
    },
  }),
];
