/** Search across GitLab or within one project. */
import { z } from 'zod';
import { answer, listTool } from '../../../kit';
import { pages } from '../paging';
import { SEARCH_ROW, projectId, projectPath } from '../shapes';

/** Scopes GitLab.com searches per project only. */
const PROJECT_ONLY = ['blobs', 'commits', 'notes', 'wiki_blobs'];

export const searchTools = [
  listTool({
    name: 'search',
    title: 'Search GitLab',
    description: 'Search across GitLab (projects, issues, merge requests, milestones, users) or, with project_id, within one project (also blobs, commits, notes, wiki_blobs).',
    input: {
      scope: z.enum(['projects', 'issues', 'merge_requests', 'milestones', 'users', 'blobs', 'commits', 'notes', 'wiki_blobs']),
      search: z.string().min(2).describe('What to look for'),
      project_id: projectId.optional(),
      ref: z.string().optional().describe('Branch or tag, for blobs and commits within a project'),
    },
    paging: pages,
    row: SEARCH_ROW,
    request: (a) => {
      if (a.project_id === undefined && PROJECT_ONLY.includes(a.scope)) {
        answer.refuse(`search scope "${a.scope}" needs project_id (GitLab.com searches code, commits and notes per project)`);
      }
      return { path: a.project_id === undefined ? '/search' : `${projectPath(a.project_id)}/search`, query: { scope: a.scope, search: a.search, ref: a.ref } };
    },
    map: (row) => row,
  }),
];
