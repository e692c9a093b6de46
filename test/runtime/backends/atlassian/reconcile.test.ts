/**
 * Read-after-write for Jira's search: each server sends the numeric ids of the issues its Jira
 * write tools touched (the 50 newest, only once a write succeeded) as `reconcileIssues`, on every
 * page of `jira_search`; the fake's search, eventually consistent as Jira's is, finds a new or
 * changed issue only when it is reconciled. Servers do not share their lists. The ids come from
 * the write's answer or a read the tool makes; only a write whose calls never name the id looks
 * the issue up after it.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, startAtlassianFleet, type AtlassianFleet } from './fleet';
import type { FakeAtlassian } from '../../../fakes/fake-atlassian';

// The fake's ids: OPS-1 20001, OPS-2 20002, OPS-3 20003, PLAT-1 20004, SEC-1 20005.
const OPS_1 = 20001;
const OPS_3 = 20003;
const PLAT_1 = 20004;
const SEC_1 = 20005;

describe('Jira search after writes (reconcileIssues)', () => {
  let setup: AtlassianFleet;
  let site: FakeAtlassian;
  const clients: Record<string, Client> = {};
  const SERVERS = ['fresh', 'one', 'two', 'fenced', 'many', 'other'];

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { MCP_SERVERS: SERVERS.map((s) => `${s}:atlassian`).join(','), FENCED_JIRA_PROJECTS: 'OPS' };
    for (const s of SERVERS) {
      env[`${s.toUpperCase()}_ALLOW_WRITES`] = 'true';
      env[`${s.toUpperCase()}_ALLOW_EDITS`] = 'true';
    }
    setup = await startAtlassianFleet(env);
    site = setup.site;
    for (const s of SERVERS) clients[s] = await setup.connect(s);
  });
  afterAll(() => setup.close());
  beforeEach(() => site.reset());

  const call = (server: string, name: string, args: Record<string, unknown>) => callTool(clients[server], name, args);
  const paths = () => site.requests.map((r) => `${r.method} ${r.path}`);
  const searchBodies = () => site.requests.filter((r) => r.path === '/rest/api/3/search/jql').map((r) => r.body as Record<string, unknown>);
  /** What a search of `server` sent as `reconcileIssues` (undefined: not sent). */
  async function reconciled(server: string, args: Record<string, unknown> = { project: 'OPS', limit: 1 }): Promise<unknown> {
    site.reset();
    const res = await call(server, 'jira_search', args);
    expect(res.isError).toBe(false);
    return searchBodies()[0].reconcileIssues;
  }
  const keysOf = (data: { items: Array<{ key: string }> }) => data.items.map((i) => i.key);

  it('a search of a server that wrote nothing sends no reconcileIssues; failed and refused writes add nothing', async () => {
    expect(await reconciled('fresh')).toBeUndefined();
    expect(searchBodies()[0]).toEqual({ jql: expect.any(String), fields: expect.any(Array), maxResults: 1 });

    site.queue('POST', '/rest/api/3/issue', { status: 400, body: { errorMessages: [], errors: { customfield_10010: 'Severity is required.' } } });
    expect((await call('fresh', 'jira_create_issue', { project: 'OPS', issue_type: 'Bug', summary: 'x' })).isError).toBe(true);
    site.queue('POST', '/rest/api/3/issue/OPS-1/comment', { status: 403, body: { errorMessages: ['You do not have the permission to comment on this issue.'], errors: {} } });
    expect((await call('fresh', 'jira_add_comment', { issue_key: 'OPS-1', body: 'x' })).isError).toBe(true);
    expect((await call('fresh', 'jira_transition_issue', { issue_key: 'OPS-3', transition: 'Reopen' })).isError).toBe(true);
    expect((await call('fresh', 'jira_link_issues', { link_type: 'Nope', inward_issue: 'OPS-1', outward_issue: 'OPS-2' })).isError).toBe(true);
    expect((await call('fresh', 'jira_update_issue', { issue_key: 'OPS-404', summary: 'x' })).isError).toBe(true);
    // none of them went on to look an id up
    expect(paths().filter((p) => p === 'GET /rest/api/3/issue/OPS-1' || p === 'GET /rest/api/3/issue/OPS-3')).toEqual([]);
    expect(await reconciled('fresh')).toBeUndefined();
  });

  it('after a create, the next search sends the new issue\'s id (from the create answer) and finds it; a server that did not write does not', async () => {
    const created = await call('one', 'jira_create_issue', { project: 'OPS', issue_type: 'Bug', summary: 'Fresh one', labels: ['fresh'] });
    expect(created.isError).toBe(false);
    // no look-up: the create answer has the id
    expect(paths()).toEqual(['GET /rest/api/3/issue/createmeta/OPS/issuetypes', 'POST /rest/api/3/issue']);
    const id = Number(created.data.id);
    expect(id).toBeGreaterThan(SEC_1);

    site.reset();
    const found = await call('one', 'jira_search', { labels: ['fresh'] });
    expect(searchBodies()[0]).toEqual({ jql: 'labels = "fresh" ORDER BY updated DESC', fields: expect.any(Array), maxResults: 20, reconcileIssues: [id] });
    expect(keysOf(found.data)).toEqual([created.data.key]);

    // another server of the same process has its own (empty) list: the eventually consistent search misses the issue
    site.reset();
    const missed = await call('two', 'jira_search', { labels: ['fresh'] });
    expect(searchBodies()[0]).not.toHaveProperty('reconcileIssues');
    expect(missed.data.items).toEqual([]);
  });

  it('after a transition, the search sends that issue\'s id too and finds it in its new status; later pages send the same list', async () => {
    expect((await call('one', 'jira_transition_issue', { issue_key: 'OPS-3', transition: 'Close' })).isError).toBe(false);
    // Jira's 204 and the transitions list carry no id: one look-up after the write
    expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-3/transitions', 'POST /rest/api/3/issue/OPS-3/transitions', 'GET /rest/api/3/issue/OPS-3']);
    expect(site.requests[2].query).toEqual({ fields: 'project' });

    const ids = await reconciled('one');
    expect(ids).toEqual([expect.any(Number), OPS_3]);

    site.reset();
    const done = await call('one', 'jira_search', { project: 'OPS', status: ['Done'] });
    expect(keysOf(done.data).sort()).toEqual(['OPS-2', 'OPS-3']);
    site.reset();
    const stale = await call('two', 'jira_search', { project: 'OPS', status: ['Done'] });
    expect(keysOf(stale.data)).toEqual(['OPS-2']);

    site.reset();
    const first = await call('one', 'jira_search', { labels: ['alert'], limit: 10 });
    const second = await call('one', 'jira_search', { labels: ['alert'], limit: 10, cursor: first.data.next_cursor });
    expect(second.isError).toBe(false);
    const bodies = searchBodies();
    expect(bodies[1].nextPageToken).toEqual(expect.any(String));
    expect(bodies.map((b) => b.reconcileIssues)).toEqual([ids, ids]);
  });

  it('a comment notes its issue\'s id from the comment\'s self link (an internal note from its request link), without a look-up', async () => {
    expect((await call('two', 'jira_add_comment', { issue_key: 'OPS-1', body: 'Looking.' })).isError).toBe(false);
    expect(paths()).toEqual(['POST /rest/api/3/issue/OPS-1/comment']);
    site.reset();
    expect((await call('two', 'jira_add_comment', { issue_key: 'SEC-1', body: 'Agents only', internal: true })).isError).toBe(false);
    expect(paths()).toEqual(['POST /rest/servicedeskapi/request/SEC-1/comment']);
    expect(await reconciled('two')).toEqual([OPS_1, SEC_1]);
  });

  it('with an allow-list, the id comes from the issue read for the check; an update appending to the description takes it from that read', async () => {
    expect((await call('fenced', 'jira_transition_issue', { issue_key: 'OPS-1', transition: 'To Do' })).isError).toBe(false);
    expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-1', 'GET /rest/api/3/issue/OPS-1/transitions', 'POST /rest/api/3/issue/OPS-1/transitions']);
    expect(await reconciled('fenced')).toEqual([OPS_1]);

    site.reset();
    await call('other', 'jira_update_issue', { issue_key: 'OPS-3', description_append: 'More.' });
    expect(site.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/rest/api/3/issue/OPS-3', { fields: 'description' }],
      ['PUT', '/rest/api/3/issue/OPS-3', { notifyUsers: 'true' }],
    ]);
    expect(await reconciled('other')).toEqual([OPS_3]);
  });

  it('a link notes both issues; writing to an issue again makes it the newest, once', async () => {
    await call('other', 'jira_link_issues', { link_type: 'Relates', inward_issue: 'OPS-1', outward_issue: 'PLAT-1' });
    expect(paths()).toEqual(['POST /rest/api/3/issueLink', 'GET /rest/api/3/issue/OPS-1', 'GET /rest/api/3/issue/PLAT-1']);
    expect(await reconciled('other')).toEqual([OPS_3, OPS_1, PLAT_1]);
    await call('other', 'jira_update_issue', { issue_key: 'OPS-3', summary: 'Rotate the keys' });
    expect(await reconciled('other')).toEqual([OPS_1, PLAT_1, OPS_3]);
  });

  it('a write that succeeded but whose id look-up failed still answers as done, and notes nothing', async () => {
    site.queue('GET', '/rest/api/3/issue/PLAT-1', { status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } });
    const res = await call('fresh', 'jira_transition_issue', { issue_key: 'PLAT-1', transition: 'Start progress' });
    expect(res).toMatchObject({ isError: false, text: 'Moved PLAT-1 to In Progress (transition 21 "Start progress").' });
    expect(await reconciled('fresh')).toBeUndefined();
  });

  it('after more than 50 writes, a search sends the ids of the 50 newest only', async () => {
    const ids: number[] = [];
    for (let n = 0; n < 53; n++) {
      const res = await call('many', 'jira_create_issue', { project: 'PLAT', issue_type: 'Task', summary: `Bulk ${n}`, labels: ['bulk'] });
      expect(res.isError).toBe(false);
      ids.push(Number(res.data.id));
    }
    const sent = await reconciled('many', { labels: ['bulk'], limit: 100 });
    expect(sent).toEqual(ids.slice(-50));
    // the fake refuses more than 50 as Jira does, so the search went through
    expect(site.requests[0].response?.status).toBe(200);
  });
});
