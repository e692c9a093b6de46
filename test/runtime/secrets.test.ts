/**
 * Credentials from Secrets Manager through Powertools Parameters, against a fake Secrets Manager
 * on 127.0.0.1: cached reads, one refresh and one retry after an upstream 401.
 */
import { gitlab as gitlabBackend } from '../../runtime/backends/gitlab';
import { loadConfig } from '../../runtime/core/config';
import { CredentialStore } from '../../runtime/core/credentials';
import { startFleetServer, type FleetServer } from '../../runtime/entrypoints/server';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager';
import { connectClient, textOf } from '../helpers/mcp-client';

describe('credentials from Secrets Manager', () => {
  let sm: FakeSecretsManager;
  let gitlab: FakeGitLab;
  let fleet: FleetServer;
  let secretArn: string;

  beforeAll(async () => {
    sm = await startFakeSecretsManager();
    gitlab = await startFakeGitLab();
    // The AWS SDK client is created by Powertools on first use, from the process environment.
    Object.assign(process.env, sm.env());
    secretArn = sm.put('mcp/gitlab-credentials', JSON.stringify({ token: 'glpat-first-secret', url: gitlab.url, created: '2024-01-15' }));
    fleet = await startFleetServer({
      port: 0,
      env: {
        ...process.env,
        MCP_SERVERS: 'gitlab',
        GITLAB_API_URL: gitlab.url,
        GITLAB_TOKEN_SECRET_ARN: `${secretArn}#token`,
        SECRET_CACHE_TTL_SECONDS: '300',
        SECRET_REFRESH_MIN_SECONDS: '0',
      },
    });
  });
  afterAll(async () => {
    await fleet.close(1000);
    await gitlab.close();
    await sm.close();
  });

  it('reads the secret once for many requests within the cache time', async () => {
    // Prepare
    const client = await connectClient(`${fleet.url}/gitlab/mcp`);
    gitlab.requests.length = 0;
    // Act: concurrent and sequential calls
    await Promise.all(Array.from({ length: 10 }, () => client.callTool({ name: 'get_project', arguments: { project_id: 42 } })));
    for (let i = 0; i < 5; i++) await client.callTool({ name: 'list_issues', arguments: { project_id: 42 } });
    await client.close();
    // Assess
    expect(sm.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: secretArn }]);
    expect(gitlab.requests).toHaveLength(15);
    expect(new Set(gitlab.requests.map((r) => r.headers['private-token']))).toEqual(new Set(['glpat-first-secret']));
  });

  it('re-reads the secret once and retries once after an upstream 401 (rotation)', async () => {
    // Prepare: the secret was rotated; GitLab refuses the old token once
    sm.put('mcp/gitlab-credentials', JSON.stringify({ token: 'glpat-rotated-secret' }));
    gitlab.queue('GET', /^\/api\/v4\/projects\/42$/, { status: 401, body: { message: '401 Unauthorized' } });
    const before = sm.calls.length;
    gitlab.requests.length = 0;
    const client = await connectClient(`${fleet.url}/gitlab/mcp`);
    // Act
    const result = await client.callTool({ name: 'get_project', arguments: { project_id: 42 } });
    await client.close();
    // Assess
    expect(result.isError).toBeFalsy();
    expect(sm.calls.length - before).toBe(1);
    expect(gitlab.requests.map((r) => r.headers['private-token'])).toEqual(['glpat-first-secret', 'glpat-rotated-secret']);
  });

  it('gives up after one refresh when the new credential is refused too', async () => {
    // Prepare: rotated again, and GitLab refuses the new token as well
    sm.put('mcp/gitlab-credentials', JSON.stringify({ token: 'glpat-third-secret' }));
    gitlab.queue('GET', /^\/api\/v4\/projects\/42$/, { status: 401, body: { message: '401 Unauthorized' } });
    gitlab.queue('GET', /^\/api\/v4\/projects\/42$/, { status: 401, body: { message: '401 Unauthorized' } });
    const before = sm.calls.length;
    gitlab.requests.length = 0;
    const client = await connectClient(`${fleet.url}/gitlab/mcp`);
    // Act
    const result = await client.callTool({ name: 'get_project', arguments: { project_id: 42 } });
    await client.close();
    // Assess
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^GitLab answered 401 for GET \/projects\/42/);
    expect(textOf(result)).not.toMatch(/glpat-/);
    expect(sm.calls.length - before).toBe(1);
    expect(gitlab.requests).toHaveLength(2);
  });

  it('a revoked token does not turn every call into a Secrets Manager read (one forced read per 30 s)', async () => {
    // Prepare: a server with the default refresh interval; GitLab refuses its token on every call
    const arn = sm.put('mcp/revoked', JSON.stringify({ token: 'glpat-revoked' }));
    const revoked = await startFleetServer({
      port: 0,
      env: { ...process.env, MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN_SECRET_ARN: `${arn}#token` },
    });
    for (let i = 0; i < 6; i++) gitlab.queue('GET', /^\/api\/v4\/projects\/42$/, { status: 401, body: { message: '401 Unauthorized' } });
    const before = sm.calls.length;
    gitlab.requests.length = 0;
    try {
      // Act: five calls in a row
      const client = await connectClient(`${revoked.url}/gitlab/mcp`);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await client.callTool({ name: 'get_project', arguments: { project_id: 42 } }));
      await client.close();
      // Assess: one cached read, one forced read; no retry with an unchanged token
      expect(results.every((r) => r.isError === true)).toBe(true);
      expect(sm.calls.length - before).toBe(2);
      expect(gitlab.requests).toHaveLength(5);
    } finally {
      await revoked.close(1000);
      gitlab.requests.length = 0;
    }
  });

  it('remembers for a few seconds that Secrets Manager failed: a burst of tool calls makes one read, not one (or three) per call', async () => {
    // Prepare: Secrets Manager answers 500 to everything
    const arn = sm.put('mcp/while-down', JSON.stringify({ token: 'glpat-unreachable' }));
    const down = await startFleetServer({
      port: 0,
      env: { ...process.env, MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN_SECRET_ARN: `${arn}#token` },
    });
    sm.failWith(500);
    try {
      const client = await connectClient(`${down.url}/gitlab/mcp`);
      const before = sm.calls.length;
      // Act: one call, then ten more, sequential and concurrent
      const first = await client.callTool({ name: 'get_project', arguments: { project_id: 42 } });
      const oneRead = sm.calls.length - before;
      const burst = [];
      for (let i = 0; i < 5; i++) burst.push(await client.callTool({ name: 'get_project', arguments: { project_id: 42 } }));
      burst.push(...await Promise.all(Array.from({ length: 5 }, () => client.callTool({ name: 'list_issues', arguments: { project_id: 42 } }))));
      await client.close();
      // Assess: every call fails clearly; the burst added no request to the first call's (the SDK's own retries of that one read)
      expect([first, ...burst].map((r) => [r.isError, textOf(r)])).toEqual(Array(11).fill([
        true, 'could not read the gitlab credential from Secrets Manager (GITLAB_TOKEN_SECRET_ARN): InternalServiceError',
      ]));
      expect(oneRead).toBeGreaterThanOrEqual(1);
      expect(sm.calls.length - before).toBe(oneRead);
    } finally {
      sm.failWith(undefined);
      await down.close(1000);
    }
  });

  it('reads again once the failure is forgotten (the secret is served as soon as Secrets Manager is back)', async () => {
    // Prepare: a store that forgets failures at once, in front of a fetcher that fails once
    let calls = 0;
    const store = new CredentialStore(300, async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('down'), { name: 'InternalServiceError' });
      return 'glpat-back';
    }, 30_000, 0);
    const server = loadConfig({ SERVER_NAME: 'gitlab', GITLAB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf' }, new Map([['gitlab', gitlabBackend]])).servers[0];
    // Act + Assess
    await expect(store.get(server)).rejects.toThrow(/InternalServiceError/);
    await expect(store.get(server)).resolves.toEqual({ TOKEN: 'glpat-back' });
    expect(calls).toBe(2);
  });

  it('says which variable to fix when the secret cannot be read', async () => {
    const broken = await startFleetServer({
      port: 0,
      env: { ...process.env, MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN_SECRET_ARN: sm.arnOf('mcp/does-not-exist') },
    });
    try {
      const client = await connectClient(`${broken.url}/gitlab/mcp`);
      const result = await client.callTool({ name: 'get_project', arguments: { project_id: 42 } });
      await client.close();
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe('could not read the gitlab credential from Secrets Manager (GITLAB_TOKEN_SECRET_ARN): ResourceNotFoundException');
    } finally {
      await broken.close(1000);
    }
  });
});
