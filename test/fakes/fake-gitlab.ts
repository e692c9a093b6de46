/**
 * A fake GitLab REST API v4 on 127.0.0.1, built on the generic fake (fake-http-api.ts: recording,
 * queued answers, delays, shutdown): the real paths, response shapes, pagination headers
 * (`x-page`, `x-next-page`, `x-total`, `x-total-pages`), `PRIVATE-TOKEN` handling and error
 * bodies, with a small fixed data set. Only routes and data live here.
 */
import { startFakeHttpApi, type FakeAnswer, type FakeHttpApi, type FakeRoute, type RecordedRequest } from './fake-http-api';

export type { RecordedRequest } from './fake-http-api';
/** A canned answer for `queue` (status, headers, body, delayMs...). */
export type QueuedAnswer = FakeAnswer;
/** `url` is the API base URL, `http://127.0.0.1:<port>/api/v4`. */
export type FakeGitLab = FakeHttpApi;

const NOW = '2026-11-20T10:00:00.000Z';
const user = (id: number, username: string) => ({ id, username, name: username, state: 'active', web_url: `https://gitlab.example.com/${username}` });

const PROJECTS = [
  { id: 42, path_with_namespace: 'platform/fleet', name: 'fleet', description: 'MCP fleet', default_branch: 'main', visibility: 'internal', web_url: 'https://gitlab.example.com/platform/fleet', last_activity_at: NOW, star_count: 3, open_issues_count: 2, archived: false, topics: ['mcp'], namespace: { full_path: 'platform' }, _links: { self: 'x' } },
  { id: 77, path_with_namespace: 'platform/fleet-docs', name: 'fleet-docs', description: null, default_branch: 'main', visibility: 'public', web_url: 'https://gitlab.example.com/platform/fleet-docs', last_activity_at: NOW, star_count: 0, open_issues_count: 0, archived: false, topics: [], namespace: { full_path: 'platform' } },
  ...[7, 8, 9].map((id) => ({ id, path_with_namespace: `team/service-${id}`, name: `service-${id}`, description: null, default_branch: 'main', visibility: 'private', web_url: `https://gitlab.example.com/team/service-${id}`, last_activity_at: NOW, star_count: 0, open_issues_count: 0, archived: false, topics: [], namespace: { full_path: 'team' } })),
  ...Array.from({ length: 40 }, (_, i) => ({ id: 100 + i, path_with_namespace: `sandbox/p${i}`, name: `p${i}`, description: null, default_branch: 'main', visibility: 'private', web_url: `https://gitlab.example.com/sandbox/p${i}`, last_activity_at: NOW, star_count: 0, open_issues_count: 0, archived: false, topics: [], namespace: { full_path: 'sandbox' } })),
];

const issue = (iid: number, title: string, state = 'opened') => ({
  id: 1000 + iid,
  iid,
  project_id: 42,
  title,
  description: `Description of ${title}`,
  state,
  labels: ['bug'],
  milestone: { id: 1, title: 'v1.0' },
  author: user(1, 'alice'),
  assignees: [user(2, 'bob')],
  created_at: NOW,
  updated_at: NOW,
  closed_at: null,
  due_date: null,
  web_url: `https://gitlab.example.com/platform/fleet/-/issues/${iid}`,
  user_notes_count: 1,
  confidential: false,
  time_stats: {},
});
const ISSUES = [issue(3, 'Lambda cold start is slow'), issue(4, 'Add PagerDuty'), issue(5, 'Old bug', 'closed')];

const mr = (iid: number, title: string) => ({
  id: 2000 + iid,
  iid,
  project_id: 42,
  title,
  description: `Why: ${title}`,
  state: 'opened',
  draft: false,
  source_branch: `feature-${iid}`,
  target_branch: 'main',
  labels: [],
  merge_status: 'can_be_merged',
  detailed_merge_status: 'mergeable',
  has_conflicts: false,
  created_at: NOW,
  updated_at: NOW,
  merged_at: null,
  web_url: `https://gitlab.example.com/platform/fleet/-/merge_requests/${iid}`,
  user_notes_count: 0,
  sha: 'abc123',
  author: user(1, 'alice'),
  assignees: [],
  reviewers: [user(2, 'bob')],
  head_pipeline: { id: 9001, status: 'failed', web_url: 'https://gitlab.example.com/platform/fleet/-/pipelines/9001', ref: `feature-${iid}` },
});
const MRS = [mr(12, 'Cache tools/list'), mr(13, 'Retry on 429')];

const PIPELINES = [
  { id: 9001, iid: 51, project_id: 42, status: 'failed', source: 'merge_request_event', ref: 'feature-12', sha: 'abc123', created_at: NOW, updated_at: NOW, web_url: 'https://gitlab.example.com/platform/fleet/-/pipelines/9001' },
  { id: 9000, iid: 50, project_id: 42, status: 'success', source: 'push', ref: 'main', sha: 'def456', created_at: NOW, updated_at: NOW, web_url: 'https://gitlab.example.com/platform/fleet/-/pipelines/9000' },
];
const JOBS = [
  { id: 501, name: 'build', stage: 'build', status: 'success', failure_reason: undefined, allow_failure: false, duration: 61.2, queued_duration: 1.1, created_at: NOW, started_at: NOW, finished_at: NOW, web_url: 'https://gitlab.example.com/platform/fleet/-/jobs/501', runner: { id: 1 } },
  { id: 502, name: 'test', stage: 'test', status: 'failed', failure_reason: 'script_failure', allow_failure: false, duration: 30.5, queued_duration: 0.4, created_at: NOW, started_at: NOW, finished_at: NOW, web_url: 'https://gitlab.example.com/platform/fleet/-/jobs/502', runner: { id: 1 } },
];
/** A job log with ANSI colours and CRLFs, long enough to be cut. */
const JOB_LOG = '\u001b[32;1mRunning with gitlab-runner 17.0\u001b[0;m\r\n' + 'npm test line\n'.repeat(3000) + '\u001b[31;1mFAIL test/runtime/pipeline.test.ts\u001b[0;m\r\nERROR: Job failed: exit code 1\n';

const DIFFS = [
  { old_path: 'src/a.ts', new_path: 'src/a.ts', a_mode: '100644', b_mode: '100644', new_file: false, renamed_file: false, deleted_file: false, generated_file: false, diff: '@@ -1 +1 @@\n-old\n+new\n' },
  { old_path: 'src/b.ts', new_path: 'src/b.ts', a_mode: '0', b_mode: '100644', new_file: true, renamed_file: false, deleted_file: false, generated_file: false, diff: '@@ -0,0 +1 @@\n+added\n' },
];

const FILES: Record<string, string | Buffer> = {
  'README.md': '# fleet\n\nRuns MCP servers.\n',
  'src/index.ts': 'export const answer = 42;\n',
  'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
};

/** One page of `rows`, with GitLab's pagination headers. */
function paged(query: Record<string, string>, rows: unknown[]): FakeAnswer {
  const perPage = Math.min(Number(query.per_page ?? 20) || 20, 100);
  const page = Math.max(Number(query.page ?? 1) || 1, 1);
  const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
  return {
    body: rows.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(rows.length),
      'x-total-pages': String(totalPages),
    },
  };
}

const notFound = (what = '404 Not found'): FakeAnswer => ({ status: 404, body: { message: what } });

function findProject(raw: string) {
  const id = decodeURIComponent(raw);
  return PROJECTS.find((p) => String(p.id) === id || p.path_with_namespace === id);
}

/** A route below `/api/v4/projects/:id`: `rest` is the rest of the path; an unknown project is GitLab's 404. */
type Project = (typeof PROJECTS)[number];

function project(method: string, rest: RegExp, handle: (req: RecordedRequest, m: RegExpExecArray, p: Project) => FakeAnswer): FakeRoute {
  const path = new RegExp(`^/api/v4/projects/([^/]+)${rest.source.replace(/^\^/, '')}`);
  return {
    method,
    path,
    handle: (req, m) => {
      const found = findProject(m[1]);
      return found ? handle(req, m.slice(1) as unknown as RegExpExecArray, found) : notFound('404 Project Not Found');
    },
  };
}

const found = (row: unknown): FakeAnswer => (row ? { body: row } : notFound());

function file(req: RecordedRequest, m: RegExpExecArray): FakeAnswer {
  if (!req.query.ref) return { status: 400, body: { error: 'ref is missing' } };
  const filePath = decodeURIComponent(m[1]);
  const content = FILES[filePath];
  if (content === undefined) return notFound('404 File Not Found');
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    body: {
      file_name: filePath.split('/').pop(),
      file_path: filePath,
      size: buf.length,
      encoding: 'base64',
      content: buf.toString('base64'),
      content_sha256: 'x',
      ref: req.query.ref,
      blob_id: 'b10b',
      commit_id: 'c0ffee',
      last_commit_id: 'c0ffee',
      execute_filemode: false,
    },
  };
}

const ROUTES: FakeRoute[] = [
  {
    method: 'GET',
    path: '/api/v4/projects',
    handle: ({ query }) => paged(query, PROJECTS.filter((p) => !query.search || `${p.path_with_namespace} ${p.name}`.includes(query.search))),
  },
  {
    method: 'GET',
    path: '/api/v4/search',
    handle: ({ query }) => {
      if (!query.scope) return { status: 400, body: { error: 'scope is missing, scope does not have a valid value' } };
      if (query.scope === 'projects') return paged(query, PROJECTS.filter((p) => p.name.includes(query.search ?? '')));
      if (query.scope === 'issues') return paged(query, ISSUES.filter((i) => i.title.toLowerCase().includes((query.search ?? '').toLowerCase())));
      return paged(query, []);
    },
  },
  project('GET', /$/, (_req, _m, p) => ({ body: p })),
  project('GET', /\/issues$/, ({ query }) => {
    const state = query.state ?? 'all';
    return paged(query, ISSUES.filter((i) => (state === 'all' || i.state === state) && (!query.labels || query.labels.split(',').every((l) => i.labels.includes(l)))));
  }),
  project('GET', /\/issues\/(\d+)$/, (_req, m) => found(ISSUES.find((i) => i.iid === Number(m[1])))),
  project('POST', /\/issues$/, ({ body }) => {
    const b = body as { title?: string; description?: string; labels?: string } | undefined;
    if (!b?.title) return { status: 400, body: { message: { title: ['can\'t be blank'] } } };
    return { status: 201, body: { ...issue(99, b.title), description: b.description ?? null, labels: b.labels ? b.labels.split(',') : [] } };
  }),
  project('POST', /\/(issues|merge_requests)\/(\d+)\/notes$/, ({ body }, m) => {
    const b = body as { body?: string } | undefined;
    if (!b?.body) return { status: 400, body: { message: { note: ['can\'t be blank'] } } };
    return { status: 201, body: { id: 7001, body: b.body, author: user(3, 'fleet-bot'), created_at: NOW, noteable_type: m[1] === 'issues' ? 'Issue' : 'MergeRequest', noteable_iid: Number(m[2]) } };
  }),
  project('GET', /\/merge_requests$/, ({ query }) => paged(query, MRS)),
  project('GET', /\/merge_requests\/(\d+)$/, (_req, m) => found(MRS.find((x) => x.iid === Number(m[1])))),
  project('GET', /\/merge_requests\/(\d+)\/diffs$/, ({ query }) => paged(query, DIFFS)),
  project('GET', /\/pipelines$/, ({ query }) => paged(query, PIPELINES.filter((p) => (!query.status || p.status === query.status) && (!query.ref || p.ref === query.ref)))),
  project('GET', /\/pipelines\/(\d+)\/jobs$/, ({ query }, m) => (PIPELINES.some((p) => p.id === Number(m[1]))
    ? paged(query, JOBS.filter((j) => !query.scope || j.status === query.scope))
    : notFound())),
  project('GET', /\/jobs\/(\d+)\/trace$/, (_req, m) => (JOBS.some((j) => j.id === Number(m[1])) ? { body: JOB_LOG, headers: { 'content-type': 'text/plain' } } : notFound())),
  project('GET', /\/repository\/files\/([^/]+)$/, file),
  project('GET', /\/search$/, ({ query }, _m, p) => paged(query, query.scope === 'blobs'
    ? [{ basename: 'index', data: 'export const answer = 42;', path: 'src/index.ts', filename: 'src/index.ts', ref: query.ref ?? 'main', startline: 1, project_id: p.id }]
    : [])),
];

export async function startFakeGitLab(): Promise<FakeGitLab> {
  return startFakeHttpApi({
    basePath: '/api/v4',
    // GitLab answers 401 to a token it does not know; the fake knows only glpat- tokens.
    before: (req) => {
      const token = req.headers['private-token'];
      return token !== undefined && !token.startsWith('glpat-') ? { status: 401, body: { message: '401 Unauthorized' } } : undefined;
    },
    routes: ROUTES,
  });
}
