/**
 * A fake GitLab REST API v4 on 127.0.0.1: the real paths, response shapes, pagination headers
 * (`x-page`, `x-next-page`, `x-total`, `x-total-pages`), `PRIVATE-TOKEN` handling and error
 * bodies, with a small fixed data set. It records every request and takes one-shot overrides
 * (`queue`) to produce failures, slow answers and edge cases.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The raw (still encoded) path, e.g. `/api/v4/projects/platform%2Ffleet`. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
  readonly headers: Record<string, string | undefined>;
}

export interface QueuedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export interface FakeGitLab {
  /** The API base URL, `http://127.0.0.1:<port>/api/v4`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answers the next request matching method and path (regex on the raw path) with `answer`, once. */
  queue(method: string, path: RegExp, answer: QueuedAnswer): void;
  close(): Promise<void>;
}

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

const FILES: Record<string, string | Buffer> = {
  'README.md': '# fleet\n\nRuns MCP servers.\n',
  'src/index.ts': 'export const answer = 42;\n',
  'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
};

const PROJECT_ROUTE = /^\/api\/v4\/projects\/([^/]+)(\/.*)?$/;

function paged<T>(res: ServerResponse, query: Record<string, string>, rows: T[]): void {
  const perPage = Math.min(Number(query.per_page ?? 20) || 20, 100);
  const page = Math.max(Number(query.page ?? 1) || 1, 1);
  const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  json(res, 200, slice, {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    'x-total': String(rows.length),
    'x-total-pages': String(totalPages),
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

const notFound = (res: ServerResponse, what = '404 Not found') => json(res, 404, { message: what });

function findProject(raw: string) {
  const id = decodeURIComponent(raw);
  return PROJECTS.find((p) => String(p.id) === id || p.path_with_namespace === id);
}

/** The fake's routes; answers like GitLab for the data set above. */
function route(req: RecordedRequest, res: ServerResponse): void {
  const { method, path, query } = req;
  if (method === 'GET' && path === '/api/v4/projects') {
    const rows = PROJECTS.filter((p) => !query.search || p.path_with_namespace.includes(query.search) || p.name.includes(query.search));
    return paged(res, query, rows);
  }
  if (method === 'GET' && path === '/api/v4/search') {
    if (!query.scope) return json(res, 400, { error: 'scope is missing, scope does not have a valid value' });
    if (query.scope === 'projects') return paged(res, query, PROJECTS.filter((p) => p.name.includes(query.search ?? '')));
    if (query.scope === 'issues') return paged(res, query, ISSUES.filter((i) => i.title.toLowerCase().includes((query.search ?? '').toLowerCase())));
    return paged(res, query, []);
  }
  const m = PROJECT_ROUTE.exec(path);
  if (!m) return notFound(res);
  const project = findProject(m[1]);
  if (!project) return notFound(res, '404 Project Not Found');
  const rest = m[2] ?? '';
  let mm: RegExpExecArray | null;

  if (method === 'GET' && rest === '') return json(res, 200, project);
  if (method === 'GET' && rest === '/issues') {
    const state = query.state ?? 'all';
    return paged(res, query, ISSUES.filter((i) => (state === 'all' || i.state === state) && (!query.labels || query.labels.split(',').every((l) => i.labels.includes(l)))));
  }
  if (method === 'GET' && (mm = /^\/issues\/(\d+)$/.exec(rest))) {
    const found = ISSUES.find((i) => i.iid === Number(mm![1]));
    return found ? json(res, 200, found) : notFound(res);
  }
  if (method === 'POST' && rest === '/issues') {
    const body = req.body as { title?: string; description?: string; labels?: string } | undefined;
    if (!body?.title) return json(res, 400, { message: { title: ['can\'t be blank'] } });
    return json(res, 201, { ...issue(99, body.title), description: body.description ?? null, labels: body.labels ? body.labels.split(',') : [] });
  }
  if (method === 'POST' && (mm = /^\/(issues|merge_requests)\/(\d+)\/notes$/.exec(rest))) {
    const body = req.body as { body?: string } | undefined;
    if (!body?.body) return json(res, 400, { message: { note: ['can\'t be blank'] } });
    return json(res, 201, { id: 7001, body: body.body, author: user(3, 'fleet-bot'), created_at: NOW, noteable_type: mm[1] === 'issues' ? 'Issue' : 'MergeRequest', noteable_iid: Number(mm[2]) });
  }
  if (method === 'GET' && rest === '/merge_requests') return paged(res, query, MRS);
  if (method === 'GET' && (mm = /^\/merge_requests\/(\d+)$/.exec(rest))) {
    const found = MRS.find((x) => x.iid === Number(mm![1]));
    return found ? json(res, 200, found) : notFound(res);
  }
  if (method === 'GET' && (mm = /^\/merge_requests\/(\d+)\/diffs$/.exec(rest))) {
    return paged(res, query, [
      { old_path: 'src/a.ts', new_path: 'src/a.ts', a_mode: '100644', b_mode: '100644', new_file: false, renamed_file: false, deleted_file: false, generated_file: false, diff: '@@ -1 +1 @@\n-old\n+new\n' },
      { old_path: 'src/b.ts', new_path: 'src/b.ts', a_mode: '0', b_mode: '100644', new_file: true, renamed_file: false, deleted_file: false, generated_file: false, diff: '@@ -0,0 +1 @@\n+added\n' },
    ]);
  }
  if (method === 'GET' && rest === '/pipelines') return paged(res, query, PIPELINES.filter((p) => (!query.status || p.status === query.status) && (!query.ref || p.ref === query.ref)));
  if (method === 'GET' && (mm = /^\/pipelines\/(\d+)\/jobs$/.exec(rest))) {
    if (!PIPELINES.some((p) => p.id === Number(mm![1]))) return notFound(res);
    return paged(res, query, JOBS.filter((j) => !query.scope || j.status === query.scope));
  }
  if (method === 'GET' && (mm = /^\/jobs\/(\d+)\/trace$/.exec(rest))) {
    if (!JOBS.some((j) => j.id === Number(mm![1]))) return notFound(res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end(JOB_LOG);
  }
  if (method === 'GET' && (mm = /^\/repository\/files\/([^/]+)$/.exec(rest))) {
    if (!query.ref) return json(res, 400, { error: 'ref is missing' });
    const filePath = decodeURIComponent(mm[1]);
    const content = FILES[filePath];
    if (content === undefined) return notFound(res, '404 File Not Found');
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    return json(res, 200, {
      file_name: filePath.split('/').pop(),
      file_path: filePath,
      size: buf.length,
      encoding: 'base64',
      content: buf.toString('base64'),
      content_sha256: 'x',
      ref: query.ref,
      blob_id: 'b10b',
      commit_id: 'c0ffee',
      last_commit_id: 'c0ffee',
      execute_filemode: false,
    });
  }
  if (method === 'GET' && rest === '/search') {
    if (query.scope === 'blobs') {
      return paged(res, query, [{ basename: 'index', data: 'export const answer = 42;', path: 'src/index.ts', filename: 'src/index.ts', ref: query.ref ?? 'main', startline: 1, project_id: project.id }]);
    }
    return paged(res, query, []);
  }
  return notFound(res);
}

export async function startFakeGitLab(): Promise<FakeGitLab> {
  const requests: RecordedRequest[] = [];
  const queued: { method: string; path: RegExp; answer: QueuedAnswer }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        headers,
      };
      requests.push(recorded);

      const i = queued.findIndex((q) => q.method === recorded.method && q.path.test(recorded.path));
      if (i >= 0) {
        const [{ answer }] = queued.splice(i, 1);
        const send = () => {
          if (res.destroyed) return;
          const isText = typeof answer.body === 'string';
          res.writeHead(answer.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...answer.headers });
          res.end(answer.body === undefined ? '' : isText ? answer.body as string : JSON.stringify(answer.body));
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, answer.delayMs);
          timers.add(timer);
        } else {send();}
        return;
      }
      // GitLab answers 401 to a token it does not know; the fake knows only glpat- tokens.
      const token = headers['private-token'];
      if (token !== undefined && !token.startsWith('glpat-')) return json(res, 401, { message: '401 Unauthorized' });
      route(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v4`,
    requests,
    queue: (method, path, answer) => queued.push({ method, path, answer }),
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
