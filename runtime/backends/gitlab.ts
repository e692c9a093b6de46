/**
 * GitLab (gitlab.com or self-managed) through its REST API v4.
 *
 * Authentication: a personal, group or project access token in the `PRIVATE-TOKEN` header
 * (`read_api` scope for the read tools, `api` for the write tools). Without a token the tools
 * read public projects anonymously, as the GitLab API allows.
 *
 * Pagination follows GitLab's offset pagination: `page` / `per_page` in, `x-page`,
 * `x-next-page`, `x-total` / `x-total-pages` out (the totals are omitted by GitLab above
 * 10,000 rows). Every list answer says which page it is and how to ask for the next one.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { GITLAB_DEFAULT_API_URL } from '../../src/contract';
import type { BackendDefinition, ToolContext, ToolDefinition, UpstreamFailure, UpstreamResponse } from '../core/types';

/** Upper bound of one answer's text, so a tool result stays readable for a model. */
export const MAX_TEXT_CHARS = 60_000;
/** Job logs are returned from the end (where the failure is), at most this much by default. */
const DEFAULT_LOG_TAIL_CHARS = 20_000;

// ---- input schema pieces --------------------------------------------------------------------

const projectId = z.union([
  z.number().int().positive(),
  z.string().trim().min(1).refine((v) => !/^\.{1,2}$/.test(safeDecode(v)), 'project_id "." or ".." is not a project'),
])
  .describe('Project ID (e.g. 42) or URL-encoded-or-not full path (e.g. "group/subgroup/project")');
const iid = (what: string) => z.number().int().positive().describe(`The ${what}'s IID (the number shown in the project, e.g. !12 or #12)`);
const page = z.number().int().positive().optional().describe('Page number, from 1 (default 1)');
const perPage = z.number().int().min(1).max(100).optional().describe('Results per page, 1-100 (default 20)');

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;

// ---- helpers -----------------------------------------------------------------------------

/** `/projects/<id>` with the id encoded the way GitLab wants (`group/app` -> `group%2Fapp`). */
export function projectPath(id: number | string): string {
  const raw = typeof id === 'number' ? String(id) : safeDecode(id.trim());
  return `/projects/${encodeURIComponent(raw)}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

/** Stringifies `data` as JSON and cuts it to MAX_TEXT_CHARS, saying so. */
export function jsonText(data: unknown, note?: string): string {
  const body = JSON.stringify(data, null, 2);
  const cut = body.length > MAX_TEXT_CHARS
    ? `${body.slice(0, MAX_TEXT_CHARS)}\n… [truncated: ${body.length - MAX_TEXT_CHARS} more characters; ask for fewer results (per_page) or a narrower query]`
    : body;
  return note ? `${note}\n${cut}` : cut;
}

/** The paging line for a list answer, from GitLab's pagination headers. */
export function pagingNote(res: UpstreamResponse<unknown>, requestedPage: number): string {
  const rows = Array.isArray(res.data) ? res.data.length : 0;
  const h = (name: string) => res.headers.get(name) ?? '';
  const current = Number(h('x-page')) || requestedPage;
  const next = h('x-next-page');
  const total = h('x-total');
  const totalPages = h('x-total-pages');
  const parts = [`${rows} result${rows === 1 ? '' : 's'} on page ${current}${totalPages ? ` of ${totalPages}` : ''}${total ? ` (${total} in total)` : ''}.`];
  parts.push(next ? `More results: call again with page=${next}.` : 'This is the last page.');
  return parts.join(' ');
}

/** Picks the fields a person reads; GitLab objects carry dozens of links and flags. */
function pick<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (obj as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function userName(u: unknown): unknown {
  return u && typeof u === 'object' ? (u as { username?: string }).username : u;
}

const PROJECT_FIELDS = ['id', 'path_with_namespace', 'name', 'description', 'default_branch', 'visibility', 'web_url', 'last_activity_at', 'star_count', 'open_issues_count', 'archived'];
const ISSUE_FIELDS = ['id', 'iid', 'project_id', 'title', 'state', 'labels', 'milestone', 'created_at', 'updated_at', 'closed_at', 'due_date', 'web_url', 'user_notes_count', 'confidential'];
const MR_FIELDS = ['id', 'iid', 'project_id', 'title', 'state', 'draft', 'source_branch', 'target_branch', 'labels', 'merge_status', 'detailed_merge_status', 'has_conflicts', 'created_at', 'updated_at', 'merged_at', 'web_url', 'user_notes_count', 'sha'];
const PIPELINE_FIELDS = ['id', 'iid', 'project_id', 'status', 'source', 'ref', 'sha', 'created_at', 'updated_at', 'web_url'];
const JOB_FIELDS = ['id', 'name', 'stage', 'status', 'failure_reason', 'allow_failure', 'duration', 'queued_duration', 'created_at', 'started_at', 'finished_at', 'web_url'];

function summarizeIssue(i: Record<string, unknown>, withBody = false): Record<string, unknown> {
  return {
    ...pick(i, ISSUE_FIELDS),
    milestone: (i.milestone as { title?: string } | null | undefined)?.title ?? undefined,
    author: userName(i.author),
    assignees: Array.isArray(i.assignees) ? i.assignees.map(userName) : undefined,
    ...(withBody ? { description: i.description } : {}),
  };
}

function summarizeMr(m: Record<string, unknown>, withBody = false): Record<string, unknown> {
  return {
    ...pick(m, MR_FIELDS),
    author: userName(m.author),
    assignees: Array.isArray(m.assignees) ? m.assignees.map(userName) : undefined,
    reviewers: Array.isArray(m.reviewers) ? m.reviewers.map(userName) : undefined,
    ...(withBody ? { description: m.description, head_pipeline: m.head_pipeline ? pick(m.head_pipeline as object, ['id', 'status', 'web_url']) : undefined } : {}),
  };
}

type Args = Record<string, any>;

/** A paged GET whose rows are mapped by `map`; the answer starts with the paging line. */
type Query = Record<string, string | number | boolean | undefined>;

async function listTool(
  ctx: ToolContext, path: string, args: Args, query: Query, map: (row: Record<string, unknown>) => unknown,
): Promise<CallToolResult> {
  const pageNo = args.page ?? 1;
  const res = await ctx.upstream.request<Record<string, unknown>[]>({ path, query: { ...query, page: pageNo, per_page: args.per_page ?? 20 } });
  const rows = Array.isArray(res.data) ? res.data.map(map) : res.data;
  return text(jsonText(rows, pagingNote(res, pageNo)));
}

function tool<S extends z.ZodRawShape>(def: Omit<ToolDefinition, 'inputSchema' | 'handler'> & { shape: S; handler: (args: z.infer<z.ZodObject<S>>, ctx: ToolContext) => Promise<CallToolResult> }): ToolDefinition {
  const { shape, ...rest } = def;
  return { ...rest, inputSchema: z.object(shape).strict() };
}

// ---- tools -------------------------------------------------------------------------------

const tools: ToolDefinition[] = [
  tool({
    name: 'list_projects',
    title: 'List projects',
    description: 'List GitLab projects the token can see, optionally filtered by a search string. Returns ID, full path, default branch, visibility and web URL.',
    annotations: READ,
    mutating: false,
    shape: {
      search: z.string().optional().describe('Match against project name and path'),
      membership: z.boolean().optional().describe('Only projects the token user is a member of'),
      owned: z.boolean().optional().describe('Only projects owned by the token user'),
      archived: z.boolean().optional().describe('Filter by archived state'),
      order_by: z.enum(['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'star_count']).optional(),
      sort: z.enum(['asc', 'desc']).optional(),
      page,
      per_page: perPage,
    },
    handler: (a, ctx) => listTool(ctx, '/projects', a, {
      search: a.search, membership: a.membership, owned: a.owned, archived: a.archived, order_by: a.order_by, sort: a.sort, simple: true,
    }, (p) => pick(p, PROJECT_FIELDS)),
  }),
  tool({
    name: 'get_project',
    title: 'Get a project',
    description: 'Get one GitLab project by ID or full path (e.g. "group/project").',
    annotations: READ,
    mutating: false,
    shape: { project_id: projectId },
    handler: async (a, ctx) => {
      const res = await ctx.upstream.request<Record<string, unknown>>({ path: projectPath(a.project_id) });
      const namespace = (res.data.namespace as { full_path?: string } | undefined)?.full_path;
      return text(jsonText({ ...pick(res.data, PROJECT_FIELDS), topics: res.data.topics, namespace }));
    },
  }),
  tool({
    name: 'list_issues',
    title: 'List issues',
    description: 'List issues of a project, newest first, filtered by state, labels, assignee or a search string.',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      state: z.enum(['opened', 'closed', 'all']).optional().describe('Default: opened'),
      labels: z.string().optional().describe('Comma-separated label names; all must match'),
      search: z.string().optional().describe('Match against title and description'),
      assignee_username: z.string().optional(),
      order_by: z.enum(['created_at', 'updated_at', 'priority', 'due_date']).optional(),
      sort: z.enum(['asc', 'desc']).optional(),
      page,
      per_page: perPage,
    },
    handler: (a, ctx) => listTool(ctx, `${projectPath(a.project_id)}/issues`, a, {
      state: a.state ?? 'opened', labels: a.labels, search: a.search, assignee_username: a.assignee_username, order_by: a.order_by, sort: a.sort,
    }, (i) => summarizeIssue(i)),
  }),
  tool({
    name: 'get_issue',
    title: 'Get an issue',
    description: 'Get one issue of a project, with its description.',
    annotations: READ,
    mutating: false,
    shape: { project_id: projectId, issue_iid: iid('issue') },
    handler: async (a, ctx) => {
      const res = await ctx.upstream.request<Record<string, unknown>>({ path: `${projectPath(a.project_id)}/issues/${a.issue_iid}` });
      return text(jsonText(summarizeIssue(res.data, true)));
    },
  }),
  tool({
    name: 'list_merge_requests',
    title: 'List merge requests',
    description: 'List merge requests of a project, filtered by state, target branch, labels or a search string.',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      state: z.enum(['opened', 'closed', 'locked', 'merged', 'all']).optional().describe('Default: opened'),
      target_branch: z.string().optional(),
      source_branch: z.string().optional(),
      labels: z.string().optional().describe('Comma-separated label names'),
      search: z.string().optional(),
      author_username: z.string().optional(),
      order_by: z.enum(['created_at', 'updated_at', 'merged_at', 'title']).optional(),
      sort: z.enum(['asc', 'desc']).optional(),
      page,
      per_page: perPage,
    },
    handler: (a, ctx) => listTool(ctx, `${projectPath(a.project_id)}/merge_requests`, a, {
      state: a.state ?? 'opened',
      target_branch: a.target_branch,
      source_branch: a.source_branch,
      labels: a.labels,
      search: a.search,
      author_username: a.author_username,
      order_by: a.order_by,
      sort: a.sort,
    }, (m) => summarizeMr(m)),
  }),
  tool({
    name: 'get_merge_request',
    title: 'Get a merge request',
    description: 'Get one merge request with its description, merge status and head pipeline.',
    annotations: READ,
    mutating: false,
    shape: { project_id: projectId, merge_request_iid: iid('merge request') },
    handler: async (a, ctx) => {
      const res = await ctx.upstream.request<Record<string, unknown>>({ path: `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}` });
      return text(jsonText(summarizeMr(res.data, true)));
    },
  }),
  tool({
    name: 'get_merge_request_diffs',
    title: 'Get merge request changes',
    description: 'Get the file diffs of a merge request (unified diff per file), paged.',
    annotations: READ,
    mutating: false,
    shape: { project_id: projectId, merge_request_iid: iid('merge request'), page, per_page: perPage },
    handler: (a, ctx) => listTool(ctx, `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}/diffs`, a, {},
      (d) => pick(d, ['old_path', 'new_path', 'new_file', 'renamed_file', 'deleted_file', 'too_large', 'diff'])),
  }),
  tool({
    name: 'list_pipelines',
    title: 'List pipelines',
    description: 'List CI/CD pipelines of a project, newest first, filtered by status or ref.',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      status: z.enum(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled']).optional(),
      ref: z.string().optional().describe('Branch or tag'),
      page,
      per_page: perPage,
    },
    handler: (a, ctx) => listTool(ctx, `${projectPath(a.project_id)}/pipelines`, a, { status: a.status, ref: a.ref }, (p) => pick(p, PIPELINE_FIELDS)),
  }),
  tool({
    name: 'get_pipeline_jobs',
    title: 'List the jobs of a pipeline',
    description: 'List the jobs of a pipeline with stage, status, failure reason and duration; use get_job_log on a failed job.',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      pipeline_id: z.number().int().positive(),
      scope: z.enum(['created', 'pending', 'running', 'failed', 'success', 'canceled', 'skipped', 'manual']).optional().describe('Only jobs in this state'),
      page,
      per_page: perPage,
    },
    handler: (a, ctx) => listTool(ctx, `${projectPath(a.project_id)}/pipelines/${a.pipeline_id}/jobs`, a, { scope: a.scope }, (j) => pick(j, JOB_FIELDS)),
  }),
  tool({
    name: 'get_job_log',
    title: 'Get a job log',
    description: 'Get the end of a CI job\'s log (where failures are), at most tail_chars characters.',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      job_id: z.number().int().positive(),
      tail_chars: z.number().int().min(100).max(MAX_TEXT_CHARS).optional().describe(`How many characters from the end (default ${DEFAULT_LOG_TAIL_CHARS})`),
    },
    handler: async (a, ctx) => {
      // Logs can be far larger than an answer should be: keep only the end while reading.
      const res = await ctx.upstream.request<string>({ path: `${projectPath(a.project_id)}/jobs/${a.job_id}/trace`, responseType: 'text', keep: 'tail' });
      // eslint-disable-next-line no-control-regex
      const log = res.data.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
      const tail = a.tail_chars ?? DEFAULT_LOG_TAIL_CHARS;
      if (log.length <= tail && !res.droppedBytes) return text(log === '' ? '(the job log is empty)' : log);
      return text(`[log truncated: showing the last ${Math.min(tail, log.length)} characters of a ${res.bytes}-byte log]\n${log.slice(-tail)}`);
    },
  }),
  tool({
    name: 'get_file_contents',
    title: 'Get a file from a repository',
    description: 'Get a file\'s content from a repository at a branch, tag or commit (default: the default branch).',
    annotations: READ,
    mutating: false,
    shape: {
      project_id: projectId,
      file_path: z.string().min(1).describe('Path in the repository, e.g. "src/index.ts"'),
      ref: z.string().min(1).optional().describe('Branch, tag or commit SHA (default HEAD)'),
    },
    handler: async (a, ctx) => {
      const path = `${projectPath(a.project_id)}/repository/files/${encodeURIComponent(a.file_path.replace(/^\/+/, ''))}`;
      const res = await ctx.upstream.request<{ file_path: string; ref: string; size: number; encoding: string; content: string; blob_id: string; last_commit_id: string }>({ path, query: { ref: a.ref ?? 'HEAD' } });
      const f = res.data;
      const buf = f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : Buffer.from(f.content ?? '', 'utf8');
      if (buf.subarray(0, 8000).includes(0)) {
        return text(`${f.file_path} at ${f.ref} is a binary file of ${f.size} bytes (blob ${f.blob_id}); its content is not shown.`);
      }
      const content = buf.toString('utf8');
      const header = `${f.file_path} at ${f.ref} (${f.size} bytes, last commit ${f.last_commit_id})`;
      if (content.length <= MAX_TEXT_CHARS) return text(`${header}\n\n${content}`);
      return text(`${header} [truncated: showing the first ${MAX_TEXT_CHARS} of ${content.length} characters]\n\n${content.slice(0, MAX_TEXT_CHARS)}`);
    },
  }),
  tool({
    name: 'search',
    title: 'Search GitLab',
    description: 'Search across GitLab (projects, issues, merge requests, milestones, users) or, with project_id, within one project (also blobs, commits, notes, wiki_blobs).',
    annotations: READ,
    mutating: false,
    shape: {
      scope: z.enum(['projects', 'issues', 'merge_requests', 'milestones', 'users', 'blobs', 'commits', 'notes', 'wiki_blobs']),
      search: z.string().min(2).describe('What to look for'),
      project_id: projectId.optional(),
      ref: z.string().optional().describe('Branch or tag, for blobs and commits within a project'),
      page,
      per_page: perPage,
    },
    handler: async (a, ctx) => {
      const projectOnly = ['blobs', 'commits', 'notes', 'wiki_blobs'];
      if (a.project_id === undefined && projectOnly.includes(a.scope)) {
        return { isError: true, content: [{ type: 'text', text: `search scope "${a.scope}" needs project_id (GitLab.com searches code, commits and notes per project)` }] };
      }
      const path = a.project_id === undefined ? '/search' : `${projectPath(a.project_id)}/search`;
      return listTool(ctx, path, a, { scope: a.scope, search: a.search, ref: a.ref }, (row) => row);
    },
  }),

  // ---- write tools (off unless <PREFIX>_ALLOW_WRITES=true) ----
  tool({
    name: 'create_issue',
    title: 'Create an issue',
    description: 'Create an issue in a project. Needs a token with the api scope and writes enabled for this server.',
    annotations: WRITE,
    mutating: true,
    shape: {
      project_id: projectId,
      title: z.string().min(1).max(255),
      description: z.string().max(1_000_000).optional().describe('Markdown'),
      labels: z.string().optional().describe('Comma-separated label names'),
      assignee_ids: z.array(z.number().int().positive()).optional(),
      confidential: z.boolean().optional(),
      due_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'due_date must be YYYY-MM-DD').optional(),
    },
    handler: async (a, ctx) => {
      const { project_id: id, ...body } = a;
      const res = await ctx.upstream.request<Record<string, unknown>>({ method: 'POST', path: `${projectPath(id)}/issues`, body });
      return text(jsonText(summarizeIssue(res.data), `Created issue #${String(res.data.iid)}: ${String(res.data.web_url ?? '')}`));
    },
  }),
  tool({
    name: 'create_issue_note',
    title: 'Comment on an issue',
    description: 'Add a comment to an issue. Needs a token with the api scope and writes enabled for this server.',
    annotations: WRITE,
    mutating: true,
    shape: { project_id: projectId, issue_iid: iid('issue'), body: z.string().min(1).max(1_000_000).describe('Markdown') },
    handler: async (a, ctx) => {
      const res = await ctx.upstream.request<Record<string, unknown>>({ method: 'POST', path: `${projectPath(a.project_id)}/issues/${a.issue_iid}/notes`, body: { body: a.body } });
      return text(`Added note ${String(res.data.id)} to issue #${a.issue_iid}.`);
    },
  }),
  tool({
    name: 'create_merge_request_note',
    title: 'Comment on a merge request',
    description: 'Add a comment to a merge request. Needs a token with the api scope and writes enabled for this server.',
    annotations: WRITE,
    mutating: true,
    shape: { project_id: projectId, merge_request_iid: iid('merge request'), body: z.string().min(1).max(1_000_000).describe('Markdown') },
    handler: async (a, ctx) => {
      const res = await ctx.upstream.request<Record<string, unknown>>({ method: 'POST', path: `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}/notes`, body: { body: a.body } });
      return text(`Added note ${String(res.data.id)} to merge request !${a.merge_request_iid}.`);
    },
  }),
];

// ---- failures ----------------------------------------------------------------------------

/** The message GitLab put in an error body: `{message}`, `{error, error_description}` or field errors. */
function gitlabMessage(body: unknown): string | undefined {
  const detail = gitlabDetail(body);
  return detail && detail.length > 500 ? `${detail.slice(0, 500)}…` : detail;
}

function gitlabDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; error?: unknown; error_description?: unknown };
  if (typeof b.error_description === 'string') return b.error_description;
  if (typeof b.message === 'string') return b.message;
  if (b.message && typeof b.message === 'object') {
    return Object.entries(b.message as Record<string, unknown>).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('; ');
  }
  if (typeof b.error === 'string') return b.error;
  return undefined;
}

const HINTS: Record<number, string> = {
  400: 'check the arguments',
  401: 'the token is missing, expired or revoked',
  403: 'the token\'s user lacks the role this needs, or the project forbids it',
  404: 'the project, issue, merge request, pipeline, job or file does not exist, or the token cannot see it',
  409: 'it conflicts with the current state',
  422: 'GitLab refused the values',
  429: 'GitLab\'s rate limit was hit',
};

/** GitLab's answer when a token's scopes do not cover the endpoint: `{ error: 'insufficient_scope', scope: 'api read_api' }`. */
function insufficientScope(f: UpstreamFailure): boolean {
  return f.status === 403 && typeof f.body === 'object' && f.body !== null && (f.body as { error?: unknown }).error === 'insufficient_scope';
}

export function describeGitLabFailure(f: UpstreamFailure): string {
  const detail = gitlabMessage(f.body);
  const hint = insufficientScope(f)
    ? `the token lacks the ${f.method === 'GET' ? 'read_api' : 'api'} scope`
    : HINTS[f.status] ?? (f.status >= 500 ? 'GitLab had a server error; try again later' : undefined);
  return `GitLab answered ${f.status} for ${f.method} ${f.path}${detail ? `: ${detail}` : ''}${hint ? ` (${hint})` : ''}`;
}

export const gitlab: BackendDefinition = {
  kind: 'gitlab',
  displayName: 'GitLab',
  urlEnv: 'API_URL',
  defaultUrl: GITLAB_DEFAULT_API_URL,
  credentials: [{ env: 'TOKEN', optional: true, description: 'GitLab access token (read_api scope; api for write tools)' }],
  authHeaders: (creds): Record<string, string> => (creds.TOKEN ? { 'PRIVATE-TOKEN': creds.TOKEN } : {}),
  describeFailure: describeGitLabFailure,
  tools,
};
