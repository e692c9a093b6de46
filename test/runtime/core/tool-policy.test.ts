/**
 * The tool policy of a server: `<PREFIX>_TOOLS_ALLOW` (only these) or `<PREFIX>_TOOLS_DENY` (all
 * but these), on top of the write switch; unknown names and both lists are configuration errors.
 */
import { allBackends } from '../../../runtime/backends';
import { ConfigError, loadConfig } from '../../../runtime/core/config';
import type { CredentialStore } from '../../../runtime/core/credentials';
import { McpHost } from '../../../runtime/core/mcp';

const BACKENDS = allBackends();

function host(env: NodeJS.ProcessEnv): McpHost {
  const [server] = loadConfig({ SERVER_NAME: 'gitlab', ...env }, BACKENDS).servers;
  // No call here reaches the upstream, so no credential is ever read.
  return new McpHost(server, { credentials: {} as CredentialStore, upstreamTimeoutMs: 1000, requestBudgetMs: 2000 });
}
const listed = (h: McpHost) => h.listTools().tools.map((t) => t.name);

describe('tool policy', () => {
  it('offers every tool but the writes without a policy', () => {
    expect(listed(host({}))).toEqual(['list_projects', 'get_project', 'list_issues', 'get_issue', 'list_merge_requests', 'get_merge_request',
      'get_merge_request_diffs', 'list_merge_request_discussions', 'list_pipelines', 'get_pipeline', 'get_pipeline_jobs', 'get_job_log',
      'get_file_contents', 'get_repository_tree', 'list_commits', 'get_commit', 'compare_refs', 'list_deployments', 'list_environments',
      'list_releases', 'list_labels', 'list_milestones', 'search']);
  });

  it('an allow-list offers only its tools, and the write switch still applies', async () => {
    // Arrange
    const h = host({ GITLAB_TOOLS_ALLOW: 'list_issues, get_issue,create_issue_note' });
    // Act
    const names = listed(h);
    const outside = await h.callTool('search', { scope: 'issues', search: 'x' });
    const write = await h.callTool('create_issue_note', { project_id: 1, issue_iid: 1, body: 'x' });
    // Assert
    expect(names).toEqual(['list_issues', 'get_issue']);
    expect(outside).toEqual({ isError: true, content: [{ type: 'text', text: 'Tool search disabled: GITLAB_TOOLS_ALLOW does not list it for server gitlab' }] });
    expect(write.content).toEqual([{ type: 'text', text: 'Tool create_issue_note disabled: writes are off for server gitlab (set GITLAB_ALLOW_WRITES=true to enable them)' }]);
  });

  it('an allow-list with writes on offers the write tools it names', () => {
    expect(listed(host({ GITLAB_TOOLS_ALLOW: 'get_issue,create_issue_note', GITLAB_ALLOW_WRITES: 'true' }))).toEqual(['get_issue', 'create_issue_note']);
  });

  it('a deny-list offers all but its tools', async () => {
    const h = host({ GITLAB_TOOLS_DENY: 'search,get_job_log,create_issue', GITLAB_ALLOW_WRITES: 'true' });
    const names = listed(h);
    const denied = await h.callTool('get_job_log', { project_id: 1, job_id: 1 });
    expect(names).not.toEqual(expect.arrayContaining(['search']));
    expect(names).toEqual(expect.arrayContaining(['create_issue_note', 'create_merge_request_note', 'list_issues']));
    expect(names).toHaveLength(28);
    expect(denied.content).toEqual([{ type: 'text', text: 'Tool get_job_log disabled: GITLAB_TOOLS_DENY lists it for server gitlab' }]);
  });

  it('each server of a multi-server process has its own policy', () => {
    const servers = loadConfig({ MCP_SERVERS: 'gitlab,gl-ci:gitlab', GL_CI_TOOLS_ALLOW: 'list_pipelines,get_pipeline_jobs,get_job_log' }, BACKENDS).servers;
    expect(servers.map((s) => s.toolPolicy)).toEqual([undefined, { mode: 'allow', variable: 'GL_CI_TOOLS_ALLOW', names: ['list_pipelines', 'get_pipeline_jobs', 'get_job_log'] }]);
  });

  it.each([
    [{ GITLAB_TOOLS_ALLOW: 'get_issue', GITLAB_TOOLS_DENY: 'search' }, 'Set GITLAB_TOOLS_ALLOW (only these tools) or GITLAB_TOOLS_DENY (all but these), not both'],
    [{ GITLAB_TOOLS_ALLOW: 'get_issue,get_isue' }, /^GITLAB_TOOLS_ALLOW names a tool server "gitlab" \(GitLab\) does not have: "get_isue"; its tools: list_projects, get_project, /],
    [{ GITLAB_TOOLS_DENY: 'drop_database, merge' }, /^GITLAB_TOOLS_DENY names tools server "gitlab" \(GitLab\) does not have: "drop_database", "merge"; /],
  ])('refuses %j', (env, message) => {
    expect(() => host(env)).toThrow(ConfigError);
    expect(() => host(env)).toThrow(message);
  });

  it('an empty list is no policy', () => {
    expect(host({ GITLAB_TOOLS_ALLOW: ' , ', GITLAB_TOOLS_DENY: '' }).server.toolPolicy).toBeUndefined();
  });
});
