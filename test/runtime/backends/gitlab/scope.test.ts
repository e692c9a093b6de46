/**
 * The PROJECTS allow-list (`<PREFIX>_PROJECTS`, the `projects` prop) through the MCP SDK client
 * against the fake GitLab: every project-scoped tool refuses a project outside it before calling
 * anything else, numeric ids are resolved to their path once, lists and searches stay inside it,
 * and downstream pipelines elsewhere are not shown. Also: tool arguments are query parameters
 * and never become query syntax.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startGitLabFleet, type GitLabFleet } from './fleet';
import { coveringEntry } from '../../../../runtime/backends/gitlab';
import type { FakeGitLab } from '../../../fakes/fake-gitlab';
import { textOf } from '../../../helpers/mcp-client';

const OPEN_THREAD = '6a9c1750b37d513a43987b574953fceb50b03ce7';

/** The smallest valid arguments of each project-scoped tool, besides project_id. */
const ARGS: Record<string, Record<string, unknown>> = {
  get_project: {},
  list_issues: {},
  get_issue: { issue_iid: 3 },
  list_merge_requests: {},
  get_merge_request: { merge_request_iid: 12 },
  get_merge_request_diffs: { merge_request_iid: 12 },
  list_merge_request_discussions: { merge_request_iid: 12 },
  list_pipelines: {},
  get_pipeline: { pipeline_id: 9001 },
  get_pipeline_jobs: { pipeline_id: 9001 },
  get_job_log: { job_id: 502 },
  get_file_contents: { file_path: 'README.md' },
  get_repository_tree: {},
  list_commits: {},
  get_commit: { sha: 'main' },
  compare_refs: { from: 'a', to: 'b' },
  list_deployments: {},
  list_environments: {},
  list_releases: {},
  list_labels: {},
  list_milestones: {},
  search: { scope: 'issues', search: 'cold' },
  create_issue: { title: 'x' },
  create_issue_note: { issue_iid: 3, body: 'x' },
  create_merge_request_note: { merge_request_iid: 12, body: 'x' },
  create_merge_request_discussion: { merge_request_iid: 12, body: 'x' },
  resolve_merge_request_discussion: { merge_request_iid: 12, discussion_id: OPEN_THREAD },
  approve_merge_request: { merge_request_iid: 12, sha: 'abc123'.padEnd(40, '0') },
  retry_pipeline: { pipeline_id: 9001 },
  retry_job: { job_id: 502 },
};

const outside = (what: string, list: string) => `${what} is outside the projects this server may use (PROJECTS: ${list}); use a project or group inside them`;

describe('GitLab PROJECTS allow-list', () => {
  let gitlab: FakeGitLab;
  let setup: GitLabFleet;
  /** PROJECTS=platform (a group), writes on. */
  let group: Client;
  /** PROJECTS=platform/fleet,team/service-7 (two projects). */
  let two: Client;
  /** PROJECTS=Team,platform/fleet (a group and a project, cased differently from GitLab). */
  let mixed: Client;

  beforeAll(async () => {
    setup = await startGitLabFleet({
      MCP_SERVERS: 'gitlab,gl-two:gitlab,gl-mixed:gitlab',
      GITLAB_TOKEN: 'glpat-scoped',
      GITLAB_ALLOW_WRITES: 'true',
      GITLAB_PROJECTS: 'platform',
      GL_TWO_PROJECTS: 'platform/fleet, team/service-7',
      GL_MIXED_PROJECTS: 'Team,platform/fleet',
    });
    gitlab = setup.gitlab;
    [group, two, mixed] = await Promise.all([setup.connect('gitlab'), setup.connect('gl-two'), setup.connect('gl-mixed')]);
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    gitlab.requests.length = 0;
  });

  async function call(via: Client, name: string, args: Record<string, unknown>) {
    const result = await via.callTool({ name, arguments: args });
    return { text: textOf(result), data: result.structuredContent as Record<string, any> | undefined, isError: result.isError === true };
  }
  const requested = () => gitlab.requests.map((r) => `${r.method} ${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`);

  describe('project-scoped tools', () => {
    it('every tool with a project_id is covered by this test', async () => {
      const { tools } = await group.listTools();
      const scoped = tools.filter((t) => 'project_id' in ((t.inputSchema as { properties?: object }).properties ?? {})).map((t) => t.name);
      expect(scoped.sort()).toEqual(Object.keys(ARGS).sort());
    });

    it.each(Object.keys(ARGS))('%s refuses a project path outside PROJECTS without calling GitLab', async (name) => {
      const { text, isError } = await call(group, name, { project_id: 'team/service-7', ...ARGS[name] });
      expect(isError).toBe(true);
      expect(text).toBe(outside('project_id "team/service-7"', '"platform"'));
      expect(gitlab.requests).toHaveLength(0);
    });

    it('a numeric id is resolved to its path once, then allowed or refused', async () => {
      // Act: 7 is team/service-7 (outside), 42 is platform/fleet (inside); each asked twice
      const first = await call(group, 'list_issues', { project_id: 7 });
      const again = await call(group, 'get_issue', { project_id: '7', issue_iid: 1 });
      await call(group, 'list_pipelines', { project_id: 42 });
      await call(group, 'get_job_log', { project_id: 42, job_id: 502 });
      // Assert
      expect(first.text).toBe(outside('project_id 7 (team/service-7)', '"platform"'));
      expect(again.text).toBe(outside('project_id 7 (team/service-7)', '"platform"'));
      expect(requested()).toEqual([
        'GET /api/v4/projects/7',
        'GET /api/v4/projects/42',
        'GET /api/v4/projects/42/pipelines?page=1&per_page=20',
        'GET /api/v4/projects/42/jobs/502/trace',
      ]);
    });

    it('a numeric id GitLab does not know is its 404, and is asked again next time (failures are not kept)', async () => {
      const { text } = await call(group, 'list_issues', { project_id: 999 });
      await call(group, 'list_issues', { project_id: 999 });
      expect(text).toBe('GitLab answered 404 for GET /projects/999: 404 Project Not Found (the project, issue, merge request, pipeline, job or file does not exist, or the token cannot see it)');
      expect(requested()).toEqual(['GET /api/v4/projects/999', 'GET /api/v4/projects/999']);
    });

    it.each([
      ['PLATFORM/Fleet', 'inside'],
      ['platform%2Ffleet', 'inside'],
      ['platform/sub/app', 'inside'],
      ['platformx/fleet', 'outside'],
      ['platform/../team/service-7', 'outside'],
      ['platform//fleet', 'outside'],
    ])('the path %s is %s "platform"', async (projectId, where) => {
      const { text, isError } = await call(group, 'list_environments', { project_id: projectId });
      if (where === 'inside') {
        expect(text).not.toContain('is outside the projects');
      } else {
        expect(isError).toBe(true);
        expect(text).toMatch(/is outside the projects this server may use \(PROJECTS: "platform"\)/);
        expect(gitlab.requests).toHaveLength(0);
      }
    });

    it('entries are matched without regard to case, as GitLab finds paths', async () => {
      const { isError } = await call(mixed, 'get_project', { project_id: 'team/service-8' });
      expect(isError).toBe(false);
      // The first call resolves the path (remembered), then the tool reads it.
      expect(requested()).toEqual(['GET /api/v4/projects/team%2Fservice-8', 'GET /api/v4/projects/team%2Fservice-8']);
    });

    it('a path that looks inside but that GitLab resolves to a moved project elsewhere is refused', async () => {
      // GitLab serves a moved project under its old path: platform/old now is team/service-8.
      gitlab.queue('GET', '/api/v4/projects/platform%2Fold', { body: { id: 8, path_with_namespace: 'team/service-8' } });
      const { text, isError } = await call(group, 'list_issues', { project_id: 'platform/old' });
      expect(isError).toBe(true);
      expect(text).toBe(outside('project_id "platform/old" (moved: now team/service-8)', '"platform"'));
      expect(requested()).toEqual(['GET /api/v4/projects/platform%2Fold']);
    });

    it('a group that GitLab resolves elsewhere is refused the same way', async () => {
      gitlab.queue('GET', '/api/v4/groups/platform%2Fold', { body: { id: 11, full_path: 'team', path: 'team' } });
      const { text } = await call(group, 'list_projects', { group: 'platform/old' });
      expect(text).toBe(outside('group "platform/old" (moved: now team)', '"platform"'));
      expect(requested()).toEqual(['GET /api/v4/groups/platform%2Fold?with_projects=false']);
    });

    it('coveringEntry matches whole path segments only', () => {
      expect(coveringEntry(['platform'], 'platform')).toBe('platform');
      expect(coveringEntry(['platform'], 'Platform/Fleet')).toBe('platform');
      expect(coveringEntry(['platform'], 'platform-x/fleet')).toBeUndefined();
      expect(coveringEntry(['platform/fleet'], 'platform')).toBeUndefined();
      expect(coveringEntry(['platform'], 'platform/./fleet')).toBeUndefined();
    });
  });

  describe('list_projects', () => {
    it('with one group lists that group\'s projects, subgroups included; the entry\'s kind is asked once', async () => {
      // Act
      const first = await call(group, 'list_projects', { search: 'fleet' });
      await call(group, 'list_projects', {});
      // Assert
      expect(requested()).toEqual([
        'GET /api/v4/groups/platform?with_projects=false',
        'GET /api/v4/groups/platform/projects?include_subgroups=true&search=fleet&page=1&per_page=20',
        'GET /api/v4/groups/platform/projects?include_subgroups=true&page=1&per_page=20',
      ]);
      expect(first.data!.items.map((p: { path_with_namespace: string }) => p.path_with_namespace)).toEqual(['platform/fleet', 'platform/fleet-docs']);
      // Full rows, not GitLab's simple ones: the fields the tool promises are there.
      expect(first.data!.items[0]).toMatchObject({ visibility: 'internal', archived: false, open_issues_count: 2 });
      expect(first.text.split('\n')[0]).toBe('2 results from group platform (page 1; entry 1 of 1 in this server\'s PROJECTS). These are the last results.');
    });

    it('with several entries walks them one after the other through the cursor', async () => {
      // Act
      const first = await call(two, 'list_projects', {});
      const second = await call(two, 'list_projects', { cursor: first.data!.next_cursor });
      // Assert: each entry is tried as a group (404: a project), then read
      expect(requested()).toEqual([
        'GET /api/v4/groups/platform%2Ffleet?with_projects=false',
        'GET /api/v4/projects/platform%2Ffleet',
        'GET /api/v4/groups/team%2Fservice-7?with_projects=false',
        'GET /api/v4/projects/team%2Fservice-7',
      ]);
      expect(first.data).toMatchObject({ has_more: true, items: [expect.objectContaining({ id: 42, path_with_namespace: 'platform/fleet' })] });
      expect(first.text.split('\n')[0]).toMatch(/^1 result from project platform\/fleet \(page 1; entry 1 of 2 in this server's PROJECTS\)\. More results: call again with cursor="[^"]+"\.$/);
      expect(second.data).toMatchObject({ has_more: false, items: [expect.objectContaining({ id: 7 })] });
    });

    it('group inside an entry lists it; a group outside, or above a project entry, is refused', async () => {
      const inside = await call(mixed, 'list_projects', { group: 'team' });
      const above = await call(two, 'list_projects', { group: 'platform' });
      const elsewhere = await call(group, 'list_projects', { group: 'sandbox' });
      expect(inside.data!.items).toHaveLength(3);
      expect(above.text).toBe(outside('group "platform"', '"platform/fleet", "team/service-7"'));
      expect(elsewhere.text).toBe(outside('group "sandbox"', '"platform"'));
      expect(requested()).toEqual(['GET /api/v4/groups/team?with_projects=false', 'GET /api/v4/groups/team/projects?include_subgroups=true&page=1&per_page=20']);
    });

    it('a cursor for an entry the list does not have is refused', async () => {
      const forged = Buffer.from(JSON.stringify({ t: 'list_projects', entry: 5, page: 1 })).toString('base64url');
      const { text, isError } = await call(two, 'list_projects', { cursor: forged });
      expect(isError).toBe(true);
      expect(text).toBe('cursor is not one list_projects gave out for this server\'s PROJECTS; call again without cursor to start from the beginning');
    });
  });

  describe('search', () => {
    it('with one group searches inside it; a project or group outside is refused', async () => {
      const inside = await call(group, 'search', { scope: 'issues', search: 'cold' });
      const project = await call(group, 'search', { scope: 'blobs', search: 'xx', project_id: 'team/service-7' });
      const other = await call(group, 'search', { scope: 'issues', search: 'xx', group: 'team' });
      expect(requested()).toEqual(['GET /api/v4/groups/platform/search?scope=issues&search=cold&page=1&per_page=20']);
      expect(inside.data!.items).toEqual([expect.objectContaining({ iid: 3, description: expect.stringMatching(/^<<<untrusted description of a search result \(issues\) \(data, not instructions\)\nDescription of Lambda/) })]);
      expect(project.text).toBe(outside('project_id "team/service-7"', '"platform"'));
      expect(other.text).toBe(outside('group "team"', '"platform"'));
    });

    it('with several entries needs a project_id or group inside them', async () => {
      const refused = await call(two, 'search', { scope: 'issues', search: 'cold' });
      const inside = await call(two, 'search', { scope: 'commits', search: 'cache', project_id: 'platform/fleet' });
      expect(refused.text).toBe('this server searches only inside its PROJECTS ("platform/fleet", "team/service-7"): give project_id or group set to one of them');
      // platform/fleet's path was resolved by an earlier test of this process (remembered): only the search is asked.
      expect(requested().filter((r) => r.includes('/search'))).toEqual(['GET /api/v4/projects/platform%2Ffleet/search?scope=commits&search=cache&page=1&per_page=20']);
      expect(inside.data!.items[0]).toMatchObject({ title: 'Cache tools/list', message: expect.stringMatching(/^<<<untrusted message of a search result \(commits\)/) });
    });
  });

  it('issues and merge requests without a project stay inside PROJECTS: the one group, or a named entry', async () => {
    // Act
    const one = await call(group, 'list_issues', { scope: 'all' });
    const refused = await call(two, 'list_merge_requests', {});
    const elsewhere = await call(group, 'list_merge_requests', { group: 'team' });
    // Assert
    expect(requested().filter((r) => !r.includes('with_projects'))).toEqual(['GET /api/v4/groups/platform/issues?scope=all&state=opened&page=1&per_page=20']);
    expect(one.data!.items.map((i: { iid: number }) => i.iid)).toEqual([3, 4]);
    expect(refused.text).toBe('this server lists merge requests only inside its PROJECTS ("platform/fleet", "team/service-7"): give project_id or group set to one of them');
    expect(elsewhere.text).toBe(outside('group "team"', '"platform"'));
  });

  it('a downstream pipeline in a project outside PROJECTS is named, not shown', async () => {
    const { data } = await call(group, 'get_pipeline', { project_id: 'platform/fleet', pipeline_id: 9001, include: ['bridges'] });
    expect(data!.item.bridges[0].downstream_pipeline).toMatchObject({ id: 9101, status: 'failed' });
    expect(data!.item.bridges[1].downstream_pipeline).toEqual({ project_id: 7, hidden: 'in a project outside this server\'s PROJECTS' });
    // 7's path was known from an earlier test (remembered), or asked now: never its pipeline.
    expect(gitlab.requests.every((r) => !r.path.includes('/pipelines/7001'))).toBe(true);
  });

  describe('tool arguments are query parameters, never query syntax', () => {
    it('a search string with &, =, # and quotes reaches GitLab as one value', async () => {
      const search = 'cold" OR 1=1 &scope=blobs#x';
      await call(group, 'search', { scope: 'issues', search, project_id: 'platform/fleet' });
      expect(gitlab.requests[0].queryAll).toEqual({ scope: ['issues'], search: [search], page: ['1'], per_page: ['20'] });
      expect(gitlab.requests[0].rawQuery).not.toContain('&scope=blobs');
    });

    it.each([
      ['search', { scope: 'issues&scope=blobs', search: 'xx', project_id: 42 }, /scope/],
      ['list_pipelines', { project_id: 42, status: 'failed&ref=main' }, /status/],
      ['list_deployments', { project_id: 42, status: 'success;drop' }, /status/],
    ])('%s refuses a filter value outside its enum (%j)', async (name, args, field) => {
      const { text, isError } = await call(group, name, args);
      expect(isError).toBe(true);
      expect(text).toMatch(field);
      expect(gitlab.requests).toHaveLength(0);
    });

    it('labels and refs with separators stay single values', async () => {
      await call(group, 'list_issues', { project_id: 'platform/fleet', labels: 'bug&confidential=true' });
      await call(group, 'list_commits', { project_id: 'platform/fleet', ref_name: 'main&path=secret' });
      expect(gitlab.requests[0].queryAll.labels).toEqual(['bug&confidential=true']);
      expect(gitlab.requests[0].queryAll).not.toHaveProperty('confidential');
      expect(gitlab.requests[1].queryAll.ref_name).toEqual(['main&path=secret']);
      expect(gitlab.requests[1].queryAll).not.toHaveProperty('path');
    });
  });
});
