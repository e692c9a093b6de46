/** The configuration contract: which variables a server reads, and the errors for bad ones. */
import { gitlab } from '../../runtime/backends/gitlab';
import { ConfigError, loadConfig, redactUrls } from '../../runtime/core/config';
import { parseRetryAfter } from '../../runtime/core/upstream';
import { environmentPrefix as envPrefix, parseSecretRef } from '../../src/contract';

const BACKENDS = new Map([['gitlab', gitlab]]);

describe('loadConfig', () => {
  it('reads single-server mode with the spec variables', () => {
    const config = loadConfig({
      SERVER_NAME: 'gitlab',
      GITLAB_API_URL: 'https://gitlab.example.com/api/v4/',
      GITLAB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token-AbCdEf#token',
      ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com',
    }, BACKENDS);
    expect(config.mode).toBe('single');
    expect(config.allowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    const [server] = config.servers;
    expect(server).toMatchObject({ name: 'gitlab', kind: 'gitlab', prefix: 'GITLAB', baseUrl: 'https://gitlab.example.com/api/v4', allowWrites: false, missing: [] });
    expect(server.credentials[0]).toMatchObject({
      env: 'TOKEN',
      secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token-AbCdEf',
      jsonField: 'token',
    });
  });

  it('reads multi-server mode, each server under its own prefix', () => {
    const config = loadConfig({ MCP_SERVERS: 'gitlab, gl-internal:gitlab', GL_INTERNAL_API_URL: 'https://git.corp.example/api/v4', GL_INTERNAL_ALLOW_WRITES: 'true' }, BACKENDS);
    expect(config.mode).toBe('multi');
    expect(config.servers.map((s) => [s.name, s.kind, s.baseUrl, s.allowWrites])).toEqual([
      ['gitlab', 'gitlab', 'https://gitlab.com/api/v4', false],
      ['gl-internal', 'gitlab', 'https://git.corp.example/api/v4', true],
    ]);
  });

  it.each([
    [{}, /Set SERVER_NAME \(one server\) or MCP_SERVERS/],
    [{ MCP_SERVERS: 'gitlab,gitlab' }, /server name "gitlab" is listed twice/],
    [{ MCP_SERVERS: 'GitLab' }, /server name must be lowercase letters, digits and hyphens.*"GitLab"/],
    [{ SERVER_NAME: 'jira' }, /server "jira" has unknown kind "jira"; known kinds: gitlab/],
    [{ SERVER_NAME: 'gitlab', GITLAB_API_URL: 'gitlab.com/api/v4' }, /GITLAB_API_URL must be an absolute http\(s\) URL, got: "gitlab.com\/api\/v4"/],
    [{ SERVER_NAME: 'gitlab', GITLAB_API_URL: 'ftp://gitlab.com' }, /GITLAB_API_URL must be an http\(s\) URL/],
    [{ SERVER_NAME: 'gitlab', MAX_BODY_BYTES: 'lots' }, /MAX_BODY_BYTES must be a positive number, got: lots/],
    [{ SERVER_NAME: 'gitlab', MCP_SERVERS: 'gitlab' }, /^Set either SERVER_NAME \(one server\) or MCP_SERVERS \(several\), not both$/],
    [{ MCP_SERVERS: 'gitlab,health:gitlab' }, /^server name cannot be "health": \/health is a route of the runtime itself$/],
    [{ SERVER_NAME: 'gitlab', GITLAB_API_URL: 'https://oauth2:glpat-in-url@gitlab.example.com/api/v4' },
      /^GITLAB_API_URL must not contain credentials \(user:password@\); set GITLAB_TOKEN or GITLAB_TOKEN_SECRET_ARN instead$/],
    [{ SERVER_NAME: 'gitlab', GITLAB_API_URL: 'ftp://oauth2:glpat-in-url@gitlab.example.com' }, /^GITLAB_API_URL must be an http\(s\) URL, got: "ftp:\/\/\*\*\*@gitlab\.example\.com"$/],
    [{ SERVER_NAME: 'gitlab', GITLAB_API_URL: 'https://gitlab.example.com/api/v4?private_token=x' }, /GITLAB_API_URL must not have a query or fragment/],
    [{ SERVER_NAME: 'gitlab', SECRET_REFRESH_MIN_SECONDS: '-1' }, /SECRET_REFRESH_MIN_SECONDS must be a number of at least 0, got: -1/],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env, BACKENDS)).toThrow(ConfigError);
    expect(() => loadConfig(env, BACKENDS)).toThrow(message);
  });

  it.each([
    ['a query', 'https://gitlab.example.com/api/v4?private_token=glpat-in-query', 'GITLAB_API_URL must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"'],
    ['a fragment', 'https://gitlab.example.com/api/v4#glpat-in-fragment', 'GITLAB_API_URL must not have a query or fragment, got: "https://gitlab.example.com/api/v4#***"'],
    ['userinfo and a query', 'https://oauth2:glpat-in-userinfo@gitlab.example.com/?private_token=glpat-in-query', 'GITLAB_API_URL must not contain credentials (user:password@); set GITLAB_TOKEN or GITLAB_TOKEN_SECRET_ARN instead'],
    ['no scheme, userinfo', 'oauth2:glpat-in-userinfo@gitlab.example.com/api/v4', 'GITLAB_API_URL must be an http(s) URL, got: "***@gitlab.example.com/api/v4"'],
    ['not a URL, a query', 'gitlab.example.com/api/v4?private_token=glpat-in-query', 'GITLAB_API_URL must be an absolute http(s) URL, got: "gitlab.example.com/api/v4?***"'],
    ['another scheme, a fragment', 'ftp://gitlab.example.com/#glpat-in-fragment', 'GITLAB_API_URL must be an http(s) URL, got: "ftp://gitlab.example.com/#***"'],
  ])('never quotes a credential of the URL in its message (%s)', (_what, url, message) => {
    let thrown: unknown;
    try {
      loadConfig({ SERVER_NAME: 'gitlab', GITLAB_API_URL: url }, BACKENDS);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(message);
    expect((thrown as Error).message).not.toMatch(/glpat|private_token/);
  });

  it('strips userinfo, query and fragment from every URL in a text', () => {
    // a query or fragment ends only where the URL does (the comma after `#f` goes with it), so no part of it survives
    expect(redactUrls('see https://u:p@h.example/a?b=c#d and "http://h2/x?y,z" or wss://z/#f, but not a ? or a # alone'))
      .toBe('see https://***@h.example/a?*** and "http://h2/x?***" or wss://z/#*** but not a ? or a # alone');
    // a `?` before the `@` hides nothing: the whole authority goes
    expect(redactUrls('https://oauth2:glpat-x?y@gitlab.example.com/api')).toBe('https://***@gitlab.example.com/api');
  });

  it.each([['yes'], ['1'], ['on'], ['TRUE '], ['false'], ['']])('opens the write gate only for "true" (%j)', (value) => {
    const config = loadConfig({ SERVER_NAME: 'gitlab', GITLAB_ALLOW_WRITES: value }, BACKENDS);
    expect(config.servers[0].allowWrites).toBe(value.trim().toLowerCase() === 'true');
  });

  it('derives prefixes and secret references', () => {
    expect(envPrefix('gl-internal-2')).toBe('GL_INTERNAL_2');
    expect(parseSecretRef('arn:x:secret:a-1')).toEqual({ secretId: 'arn:x:secret:a-1' });
    expect(parseSecretRef('arn:x:secret:a-1#')).toEqual({ secretId: 'arn:x:secret:a-1', jsonField: undefined });
    expect(parseSecretRef('arn:x:secret:a-1#password')).toEqual({ secretId: 'arn:x:secret:a-1', jsonField: 'password' });
  });

  it('parses Retry-After in seconds and as an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('1e308', now)).toBeUndefined();
    expect(parseRetryAfter('999999999', now)).toBe(86_400_000); // capped at a day
  });
});
