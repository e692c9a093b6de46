/** Mutating tools exist only where writes are enabled (`<PREFIX>_ALLOW_WRITES=true`). */
import { startGitLabFleet, type GitLabFleet } from './fleet';
import type { FleetServer } from '../../../../runtime/entrypoints/server';
import type { FakeGitLab } from '../../../fakes/fake-gitlab';
import { connectClient, textOf } from '../../../helpers/mcp-client';

const WRITE_TOOLS = [
  'create_issue', 'create_issue_note', 'create_merge_request_note', 'create_merge_request_discussion', 'resolve_merge_request_discussion',
  'approve_merge_request', 'retry_pipeline', 'retry_job',
];

describe('write tools', () => {
  let gitlab: FakeGitLab;
  let fleet: FleetServer;
  let setup: GitLabFleet;
  beforeAll(async () => {
    setup = await startGitLabFleet({ MCP_SERVERS: 'gitlab,gitlab-rw:gitlab', GITLAB_TOKEN: 'glpat-ro', GITLAB_RW_TOKEN: 'glpat-rw', GITLAB_RW_ALLOW_WRITES: 'true' });
    ({ gitlab, fleet } = setup);
  });
  afterAll(() => setup.close());

  it('are absent from tools/list unless writes are enabled', async () => {
    const ro = await connectClient(`${fleet.url}/gitlab/mcp`);
    const rw = await connectClient(`${fleet.url}/gitlab-rw/mcp`);
    const roNames = (await ro.listTools()).tools.map((t) => t.name);
    const rwTools = (await rw.listTools()).tools;
    await ro.close();
    await rw.close();
    for (const name of WRITE_TOOLS) expect(roNames).not.toContain(name);
    expect(rwTools.map((t) => t.name)).toEqual(expect.arrayContaining(WRITE_TOOLS));
    for (const t of rwTools.filter((x) => WRITE_TOOLS.includes(x.name))) {
      expect(t.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    }
  });

  it('cannot be called where writes are off, and say how to turn them on', async () => {
    gitlab.requests.length = 0;
    const ro = await connectClient(`${fleet.url}/gitlab/mcp`);
    const result = await ro.callTool({ name: 'create_issue', arguments: { project_id: 1, title: 'nope' } });
    await ro.close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Tool create_issue disabled: writes are off for server gitlab (set GITLAB_ALLOW_WRITES=true to enable them)');
    expect(gitlab.requests).toHaveLength(0);
  });

  it.each([
    ['retry_pipeline', { project_id: 42, pipeline_id: 9001 }],
    ['retry_job', { project_id: 42, job_id: 502 }],
    ['approve_merge_request', { project_id: 42, merge_request_iid: 12, sha: 'abc123'.padEnd(40, '0') }],
  ])('%s is refused where writes are off, without calling GitLab', async (name, args) => {
    gitlab.requests.length = 0;
    const ro = await connectClient(`${fleet.url}/gitlab/mcp`);
    const result = await ro.callTool({ name, arguments: args });
    await ro.close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`Tool ${name} disabled: writes are off for server gitlab (set GITLAB_ALLOW_WRITES=true to enable them)`);
    expect(gitlab.requests).toHaveLength(0);
  });

  it('post to GitLab where writes are on', async () => {
    gitlab.requests.length = 0;
    const rw = await connectClient(`${fleet.url}/gitlab-rw/mcp`);
    const result = await rw.callTool({ name: 'create_issue_note', arguments: { project_id: 'platform/fleet', issue_iid: 3, body: 'Looks good' } });
    await rw.close();
    expect(result.isError).toBeFalsy();
    expect(gitlab.requests).toHaveLength(1);
    expect(gitlab.requests[0]).toMatchObject({ method: 'POST', path: '/api/v4/projects/platform%2Ffleet/issues/3/notes', body: { body: 'Looks good' } });
    expect(gitlab.requests[0].headers['private-token']).toBe('glpat-rw');
  });
});
