/**
 * Everything the bundled server prints, at DEBUG, while it handles good and bad requests,
 * upstream failures and a credential refresh: the credentials never appear, the facts do.
 */
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager';
import { startChildServer } from '../helpers/child-server';
import { connectClient } from '../helpers/mcp-client';

describe('logs', () => {
  let sm: FakeSecretsManager;
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    sm = await startFakeSecretsManager();
    gitlab = await startFakeGitLab();
  });
  afterAll(async () => {
    await gitlab.close();
    await sm.close();
  });

  it('never contain a credential, and do contain request, server, tool and upstream facts', async () => {
    // Prepare
    const arn = sm.put('mcp/gitlab-token', 'glpat-SECRET-VALUE-1');
    const server = await startChildServer({
      ...sm.env(),
      MCP_SERVERS: 'gitlab,gl-direct:gitlab',
      GITLAB_API_URL: gitlab.url,
      GITLAB_TOKEN_SECRET_ARN: arn,
      GL_DIRECT_API_URL: gitlab.url,
      GL_DIRECT_TOKEN: 'glpat-DIRECT-VALUE-2',
      GL_DIRECT_ALLOW_WRITES: 'true',
      LOG_LEVEL: 'DEBUG',
    });
    try {
      // the first call reads (and caches) the first token; then the secret is rotated
      const warm = await connectClient(`${server.url}/gitlab/mcp`);
      await warm.callTool({ name: 'get_project', arguments: { project_id: 42 } });
      await warm.close();
      sm.put('mcp/gitlab-token', 'glpat-ROTATED-VALUE-3');
      gitlab.queue('GET', /\/projects\/7$/, { status: 401, body: { message: '401 Unauthorized' } });
      gitlab.queue('GET', /\/projects\/8$/, { status: 403, body: { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api read_api' } });
      gitlab.queue('GET', /\/projects\/9$/, { status: 500, body: { message: '500 Internal Server Error' } });
      // Act
      const a = await connectClient(`${server.url}/gitlab/mcp`);
      await a.listTools();
      for (const id of [7, 8, 9]) await a.callTool({ name: 'get_project', arguments: { project_id: id } });
      await a.callTool({ name: 'get_issue', arguments: { project_id: 1, issue_iid: 'x' } });
      await a.close();
      const b = await connectClient(`${server.url}/gl-direct/mcp`);
      await b.callTool({ name: 'create_issue', arguments: { project_id: 'platform/fleet', title: 'from the log test' } });
      await b.close();
      await fetch(`${server.url}/gitlab/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' }, body: '{bad' });
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    const out = server.output();
    // Assess: no credential, in any form
    for (const secret of ['glpat-SECRET-VALUE-1', 'glpat-DIRECT-VALUE-2', 'glpat-ROTATED-VALUE-3', 'fake-secret-access-key', 'fake-session-token']) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(out.toLowerCase()).not.toContain('private-token');
    // ...and the facts an operator needs
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const upstream = lines.filter((l) => l.message === 'upstream call');
    expect(upstream).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'INFO', server: 'gitlab', tool: 'get_project', method: 'GET', path: '/projects/7', status: 401, durationMs: expect.any(Number) }),
      expect.objectContaining({ server: 'gitlab', tool: 'get_project', path: '/projects/7', status: 200 }),
      expect.objectContaining({ server: 'gl-direct', tool: 'create_issue', method: 'POST', status: 201 }),
    ]));
    expect(lines.filter((l) => l.message === 'tool call')).toEqual(expect.arrayContaining([
      expect.objectContaining({ server: 'gitlab', tool: 'get_project', isError: true }),
    ]));
    expect(lines.some((l) => l.message === 'request' && typeof l.requestId === 'string')).toBe(true);
  });
});
