/**
 * Inbound authentication against a fake authorization server on 127.0.0.1: the node server and
 * the Lambda handler as an OAuth 2.1 resource server (bearer JWTs, RFC 9728 metadata, scopes),
 * the gateway mode's identity from the API Gateway event, and what reaches logs and the upstream.
 */
import { dirname } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { bearerToken, discoveryUrls, tokenScopes } from '../../runtime/core/auth';
import { ConfigError, loadAuthConfig } from '../../runtime/core/config';
import { logger } from '../../runtime/core/observability';
import { pipelineFromEnv } from '../../runtime/entrypoints/compose';
import { createHandler } from '../../runtime/entrypoints/lambda';
import { startFleetServer, type FleetServer } from '../../runtime/entrypoints/server';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from '../fakes/fake-authorization-server';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { startChildServer } from '../helpers/child-server';
import { httpApiEvent, INITIALIZE, lambdaContext, restEvent } from '../helpers/events';
import { runLambdaInChild } from '../helpers/lambda-child';
import { textOf } from '../helpers/mcp-client';
import { ensureRealLambdaBundle } from '../helpers/real-bundle';

const MCP_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };
const BACKEND_TOKEN = 'glpat-BACKEND-ONLY';
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const CREATE_ISSUE = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'create_issue', arguments: { project_id: 42, title: 'From a test' } } };
const GET_PROJECT = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: 42 } } };

/** Every argument the logger was given, as text. */
function logged(spies: jest.SpyInstance[]): string {
  return spies.flatMap((s) => s.mock.calls).map((c) => JSON.stringify(c)).join('\n');
}

describe('inbound authentication', () => {
  let as: FakeAuthorizationServer;
  let gitlab: FakeGitLab;
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    MCP_SERVERS: 'gitlab',
    GITLAB_API_URL: gitlab.url,
    GITLAB_TOKEN: BACKEND_TOKEN,
    GITLAB_ALLOW_WRITES: 'true',
    AUTH_MODE: 'oauth',
    AUTH_ISSUER: as.issuer,
    AUTH_REQUIRED_SCOPES: 'mcp:read',
    AUTH_WRITE_SCOPES: 'mcp:write',
    LOG_LEVEL: 'SILENT',
    ...extra,
  });
  beforeAll(async () => {
    as = await startFakeAuthorizationServer();
    gitlab = await startFakeGitLab();
  });
  afterAll(async () => {
    await gitlab.close();
    await as.close();
  });

  describe('the node server (AUTH_MODE=oauth)', () => {
    let fleet: FleetServer;
    let resource: string;
    let metadataUrl: string;
    beforeAll(async () => {
      fleet = await startFleetServer({ port: 0, env: env() });
      resource = `${fleet.url}/gitlab/mcp`;
      metadataUrl = `${fleet.url}/.well-known/oauth-protected-resource/gitlab/mcp`;
    });
    afterAll(() => fleet.close(1000));

    const post = (body: unknown, token?: string, path = '/gitlab/mcp') => fetch(`${fleet.url}${path}`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

    it('lets the official SDK client reach the tools with a valid token, and never sends that token upstream', async () => {
      // Prepare
      const token = await as.token({ aud: resource, scope: 'mcp:read' });
      gitlab.requests.length = 0;
      const client = new Client({ name: 'fleet-auth-test', version: '1.0.0' });
      // Act
      await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      const { tools } = await client.listTools();
      const result = await client.callTool({ name: 'get_project', arguments: { project_id: 42 } });
      await client.close();
      // Assess
      expect(tools.map((t) => t.name)).toContain('create_issue');
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toMatch(/fleet/i);
      expect(gitlab.requests.length).toBeGreaterThan(0);
      for (const r of gitlab.requests) {
        expect(r.headers['private-token']).toBe(BACKEND_TOKEN);
        expect(r.headers.authorization).toBeUndefined();
        expect(JSON.stringify(r)).not.toContain(token);
      }
    });

    it('answers 401 with WWW-Authenticate resource_metadata when no token is sent, and the SDK client cannot connect', async () => {
      // Act
      const res = await post(INITIALIZE);
      const body = await res.json();
      const client = new Client({ name: 'fleet-auth-test', version: '1.0.0' });
      const connecting = client.connect(new StreamableHTTPClientTransport(new URL(resource)));
      // Assess
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
      expect(body.error).toMatchObject({ code: -32000, message: expect.stringMatching(/^Unauthorized/) });
      await expect(connecting).rejects.toThrow(/401|Unauthorized/i);
    });

    it.each<[string, () => Promise<string>, RegExp]>([
      ['an expired token', () => as.token({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read', expiresIn: -120 }), /expired/],
      ['a token not yet valid', () => as.token({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read', notBefore: 300 }), /nbf/],
      ['a token for another resource', () => as.token({ aud: 'https://other.example.com/mcp', scope: 'mcp:read' }), /aud/],
      ['a token without an audience', () => as.token({ scope: 'mcp:read' }), /aud/],
      ['a token of another issuer', () => as.token({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read', iss: 'https://evil.example.com' }), /iss/],
      ['a token without exp', () => as.token({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read', noExp: true }), /exp/],
      ['an unsigned token (alg: none)', async () => as.unsignedToken({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read' }), /algorithm|not a signed JWT|not a valid JWT/],
      ['an HS256 token', () => as.hmacToken('shared-secret', { aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read' }), /algorithm/],
      ['a token signed with a key the issuer does not publish', () => as.token({ aud: `${fleet.url}/gitlab/mcp`, scope: 'mcp:read', unpublishedKey: true }), /key the issuer does not publish/],
      ['a token that is no JWT', async () => 'not.a.jwt', /not a (signed|valid) JWT/],
    ])('refuses %s: 401 invalid_token', async (_what, makeToken, reason) => {
      // Act
      const res = await post(INITIALIZE, await makeToken());
      const body = await res.json();
      // Assess
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/);
      expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
      expect(challenge).toMatch(reason);
      expect(body.error.message).toMatch(/^Unauthorized: /);
    });

    it('accepts scopes as an scp array (the Entra ID / Okta form)', async () => {
      const res = await post(INITIALIZE, await as.token({ aud: resource, scp: ['mcp:read'] }));
      expect(res.status).toBe(200);
    });

    it('answers 403 insufficient_scope when the required scope is missing', async () => {
      // Act
      const res = await post(INITIALIZE, await as.token({ aud: resource, scope: 'profile' }));
      // Assess
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="mcp:read", resource_metadata="[^"]+", error_description="the token lacks the scope mcp:read"$/);
    });

    it('answers a write tool without the write scope with a JSON-RPC error in HTTP 403 insufficient_scope; reads still work', async () => {
      // Prepare
      const readOnly = await as.token({ aud: resource, scope: 'mcp:read' });
      gitlab.requests.length = 0;
      // Act
      const write = await post(CREATE_ISSUE, readOnly);
      const writeBody = await write.json();
      const read = await post(GET_PROJECT, readOnly);
      const readBody = await read.json();
      // Assess
      expect(write.status).toBe(403);
      expect(write.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="mcp:read mcp:write", /);
      expect(writeBody).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32000, message: 'Forbidden: tool create_issue writes, and the token lacks the scope mcp:write' } });
      expect(gitlab.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      expect(read.status).toBe(200);
      expect(readBody.result.isError).toBeFalsy();
    });

    it('refuses a batch that holds a write tool call without the write scope', async () => {
      const res = await post([CREATE_ISSUE, GET_PROJECT], await as.token({ aud: resource, scope: 'mcp:read' }));
      expect(res.status).toBe(403);
      expect((await res.json()).id).toBeNull();
    });

    it('runs a write tool with the write scope', async () => {
      // Act
      const res = await post(CREATE_ISSUE, await as.token({ aud: resource, scope: 'mcp:read mcp:write' }));
      const body = await res.json();
      // Assess
      expect(res.status).toBe(200);
      expect(body.result.isError).toBeFalsy();
      expect(textOf(body.result)).toMatch(/Created issue/);
    });

    it('serves RFC 9728 protected resource metadata, root and path-suffixed, without a token', async () => {
      // Act
      const suffixed = await fetch(metadataUrl);
      const root = await fetch(`${fleet.url}/.well-known/oauth-protected-resource`);
      const unknown = await fetch(`${fleet.url}/.well-known/oauth-protected-resource/jira/mcp`);
      const post405 = await fetch(metadataUrl, { method: 'POST' });
      // Assess
      expect(suffixed.status).toBe(200);
      expect(await suffixed.json()).toEqual({
        resource,
        authorization_servers: [as.issuer],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
      });
      expect(root.status).toBe(200);
      expect((await root.json()).resource).toBe(fleet.url);
      expect(unknown.status).toBe(404);
      expect(post405.status).toBe(405);
    });

    it('keeps the health paths open', async () => {
      expect((await fetch(`${fleet.url}/health`)).status).toBe(200);
      expect((await fetch(`${fleet.url}/gitlab/health`)).status).toBe(200);
    });

    it('logs the caller\'s subject with every tool call, and never the token', async () => {
      // Prepare
      const spies = (['debug', 'info', 'warn', 'error'] as const).map((level) => jest.spyOn(logger, level));
      const token = await as.token({ aud: resource, scope: 'mcp:read', sub: 'alice@example.com' });
      const expired = await as.token({ aud: resource, scope: 'mcp:read', expiresIn: -120 });
      try {
        // Act
        await post(GET_PROJECT, token);
        await post(GET_PROJECT, expired);
        // Assess
        const toolCall = spies[1].mock.calls.find((c) => c[0] === 'tool call');
        expect(toolCall?.[1]).toMatchObject({ caller: 'sub:alice@example.com', server: 'gitlab', tool: 'get_project' });
        const text = logged(spies);
        expect(text).not.toContain(token);
        expect(text).not.toContain(expired);
        expect(text).not.toContain(token.split('.')[2]);
      } finally {
        spies.forEach((s) => s.mockRestore());
      }
    });
  });

  describe('the bundled mcp-fleet serve', () => {
    it('checks tokens with AUTH_MODE=oauth (jose from its lazy chunk), logs the subject and never the token', async () => {
      // Prepare
      const server = await startChildServer({ ...env(), LOG_LEVEL: 'INFO' });
      try {
        const resource = `${server.url}/gitlab/mcp`;
        const token = await as.token({ aud: resource, scope: 'mcp:read', sub: 'bundle-user' });
        const send = (auth?: string) => fetch(resource, { method: 'POST', headers: { ...MCP_HEADERS, ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(GET_PROJECT) });
        // Act
        const ok = await send(`Bearer ${token}`);
        const none = await send();
        // Assess
        expect(ok.status).toBe(200);
        expect((await ok.json()).result.isError).toBeFalsy();
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/gitlab/mcp"`);
        const toolLine = server.output().split('\n').find((l) => l.includes('"tool call"'));
        expect(JSON.parse(toolLine ?? '{}')).toMatchObject({ caller: 'sub:bundle-user', tool: 'get_project' });
        expect(server.output()).not.toContain(token.split('.')[2]);
      } finally {
        await server.stop();
      }
    });

    it('the bundled Lambda handler checks tokens too (REST event), and logs the subject, never the token', async () => {
      // Prepare
      const bundle = await ensureRealLambdaBundle();
      const token = await as.token({ aud: 'https://abc123.execute-api.us-east-1.amazonaws.com/production/gitlab/mcp', scope: 'mcp:read', sub: 'lambda-user' });
      // Act
      const run = await runLambdaInChild({
        codeDirectory: dirname(bundle),
        handler: 'index.handler',
        environment: { ...env(), MCP_SERVERS: '', SERVER_NAME: 'gitlab', LOG_LEVEL: 'INFO' },
        events: [
          restEvent({ path: '/gitlab/mcp', body: GET_PROJECT, headers: { Authorization: `Bearer ${token}` } }),
          restEvent({ path: '/gitlab/mcp', body: GET_PROJECT }),
        ],
        functionName: 'gitlab-mcp',
      });
      // Assess
      expect(run.answers.map((a) => a.statusCode)).toEqual([200, 401]);
      const toolLine = run.output.split('\n').find((l) => l.includes('"tool call"'));
      expect(JSON.parse(toolLine ?? '{}')).toMatchObject({ caller: 'sub:lambda-user', tool: 'get_project' });
      expect(run.output).not.toContain(token.split('.')[2]);
    });

    it('is off by default: no token needed on loopback', async () => {
      const server = await startChildServer({ MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: BACKEND_TOKEN, LOG_LEVEL: 'SILENT' });
      try {
        const res = await fetch(`${server.url}/gitlab/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) });
        expect(res.status).toBe(200);
        expect((await fetch(`${server.url}/.well-known/oauth-protected-resource`)).status).toBe(404);
      } finally {
        await server.stop();
      }
    });
  });

  describe('signing keys', () => {
    it('fetches the JWKS again for an unknown kid: a token signed with a rotated-in key is accepted', async () => {
      // Prepare: a pipeline of its own (its own key cache), with no cool-down between fetches
      const pipeline = pipelineFromEnv(env({ AUTH_AUDIENCE: 'api://fleet' }), { auth: { jwksCooldownMs: 0 } });
      const call = async (token: string) => pipeline.handle({ method: 'POST', path: '/gitlab/mcp', headers: { ...MCP_HEADERS, host: 'fleet.local', authorization: `Bearer ${token}` }, body: JSON.stringify(INITIALIZE) });
      const before = await call(await as.token({ aud: 'api://fleet', scope: 'mcp:read' }));
      const early = await call(await as.token({ aud: 'api://fleet', scope: 'mcp:read', unpublishedKey: true }));
      const fetchesBefore = as.jwksFetches();
      // Act
      await as.rotate();
      const rotated = await call(await as.token({ aud: 'api://fleet', scope: 'mcp:read' }));
      // Assess
      expect(before.status).toBe(200);
      expect(early.status).toBe(401);
      expect(rotated.status).toBe(200);
      expect(as.jwksFetches()).toBeGreaterThan(fetchesBefore);
    });

    it('reads the keys from AUTH_JWKS_URL without discovery, and ES256 tokens verify', async () => {
      // Prepare
      const es = await startFakeAuthorizationServer({ alg: 'ES256' });
      try {
        const pipeline = pipelineFromEnv(env({ AUTH_ISSUER: es.issuer, AUTH_JWKS_URL: es.jwksUrl, AUTH_AUDIENCE: 'api://fleet,api://other' }));
        // Act
        const res = await pipeline.handle({
          method: 'POST', path: '/gitlab/mcp', headers: { ...MCP_HEADERS, host: 'fleet.local', authorization: `Bearer ${await es.token({ aud: 'api://other', scope: 'mcp:read' })}` }, body: JSON.stringify(INITIALIZE),
        });
        // Assess
        expect(res.status).toBe(200);
        expect(es.api.requests.map((r) => r.path)).toEqual(['/jwks.json']);
      } finally {
        await es.close();
      }
    });

    it('takes a Cognito access token (no aud, the app client in client_id) when AUTH_AUDIENCE lists the client, and never an ID token', async () => {
      // Prepare
      const pipeline = pipelineFromEnv(env({ AUTH_AUDIENCE: 'app-client-1' }));
      const call = async (token: string) => pipeline.handle({ method: 'POST', path: '/gitlab/mcp', headers: { ...MCP_HEADERS, host: 'fleet.local', authorization: `Bearer ${token}` }, body: JSON.stringify(INITIALIZE) });
      // Act
      const access = await call(await as.token({ scope: 'mcp:read', claims: { client_id: 'app-client-1', token_use: 'access' } }));
      const otherClient = await call(await as.token({ scope: 'mcp:read', claims: { client_id: 'app-client-2', token_use: 'access' } }));
      const idToken = await call(await as.token({ aud: 'app-client-1', scope: 'mcp:read', claims: { token_use: 'id' } }));
      // Assess
      expect(access.status).toBe(200);
      expect(otherClient.status).toBe(401);
      expect(idToken.status).toBe(401);
      expect(idToken.headers['www-authenticate']).toMatch(/ID token/);
    });

    it('answers 503 when the issuer cannot be reached (not the caller\'s fault), without caching the failure', async () => {
      // Prepare
      const pipeline = pipelineFromEnv(env({ AUTH_ISSUER: 'http://127.0.0.1:9', AUTH_AUDIENCE: 'api://fleet' }), { auth: { fetchTimeoutMs: 2000 } });
      const token = await as.token({ aud: 'api://fleet', scope: 'mcp:read', iss: 'http://127.0.0.1:9' });
      // Act
      const res = await pipeline.handle({ method: 'POST', path: '/gitlab/mcp', headers: { ...MCP_HEADERS, host: 'fleet.local', authorization: `Bearer ${token}` }, body: JSON.stringify(INITIALIZE) });
      // Assess
      expect(res.status).toBe(503);
      expect(res.body).not.toContain(token);
    });
  });

  describe('the Lambda handler', () => {
    const REST_BASE = 'https://abc123.execute-api.us-east-1.amazonaws.com/production';
    const HTTP_BASE = 'https://xyz789.execute-api.us-east-1.amazonaws.com';
    type Handler = ReturnType<typeof createHandler>;
    const call = async (handler: Handler, event: Parameters<Handler>[0]) => (await handler(event, lambdaContext())) as APIGatewayProxyResult;

    describe('AUTH_MODE=oauth', () => {
      let single: Handler;
      let multi: Handler;
      beforeAll(() => {
        single = createHandler({ ...env(), MCP_SERVERS: '', SERVER_NAME: 'gitlab' });
        multi = createHandler(env());
      });

      it('REST (v1): a token for the stage\'s resource URI reaches the tools; without one, 401 names the metadata under the stage', async () => {
        // Prepare
        const token = await as.token({ aud: `${REST_BASE}/gitlab/mcp`, scope: 'mcp:read' });
        // Act
        const ok = await call(single, restEvent({ path: '/gitlab/mcp', body: LIST, headers: { Authorization: `Bearer ${token}` } }));
        const none = await call(single, restEvent({ path: '/gitlab/mcp', body: LIST }));
        const wrongStage = await call(single, restEvent({ path: '/gitlab/mcp', body: LIST, headers: { Authorization: `Bearer ${await as.token({ aud: `${HTTP_BASE}/gitlab/mcp`, scope: 'mcp:read' })}` } }));
        // Assess
        expect(ok.statusCode).toBe(200);
        expect(JSON.parse(ok.body).result.tools.length).toBeGreaterThan(0);
        expect(none.statusCode).toBe(401);
        expect(none.headers?.['www-authenticate']).toBe(`Bearer resource_metadata="${REST_BASE}/.well-known/oauth-protected-resource/gitlab/mcp"`);
        expect(wrongStage.statusCode).toBe(401);
      });

      it('REST (v1): serves the metadata under the stage, and in the RFC 9728 form that repeats the stage', async () => {
        // Act
        const plain = await call(single, restEvent({ method: 'GET', path: '/.well-known/oauth-protected-resource/gitlab/mcp' }));
        const withStage = await call(single, restEvent({ method: 'GET', path: '/.well-known/oauth-protected-resource/production/gitlab/mcp' }));
        // Assess
        expect(plain.statusCode).toBe(200);
        expect(JSON.parse(plain.body)).toMatchObject({ resource: `${REST_BASE}/gitlab/mcp`, authorization_servers: [as.issuer], bearer_methods_supported: ['header'] });
        expect(JSON.parse(withStage.body).resource).toBe(`${REST_BASE}/gitlab/mcp`);
      });

      it('HTTP API (v2): a valid token reaches the tools; a missing write scope is 403; health is open', async () => {
        // Prepare
        const token = await as.token({ aud: `${HTTP_BASE}/gitlab/mcp`, scope: 'mcp:read' });
        // Act
        const ok = await call(multi, httpApiEvent({ path: '/gitlab/mcp', body: GET_PROJECT, headers: { authorization: `Bearer ${token}` } }));
        const write = await call(multi, httpApiEvent({ path: '/gitlab/mcp', body: CREATE_ISSUE, headers: { authorization: `Bearer ${token}` } }));
        const expired = await call(multi, httpApiEvent({ path: '/gitlab/mcp', body: LIST, headers: { authorization: `Bearer ${await as.token({ aud: `${HTTP_BASE}/gitlab/mcp`, scope: 'mcp:read', expiresIn: -120 })}` } }));
        const health = await call(multi, httpApiEvent({ method: 'GET', path: '/health' }));
        // Assess
        expect(ok.statusCode).toBe(200);
        expect(JSON.parse(ok.body).result.isError).toBeFalsy();
        expect(write.statusCode).toBe(403);
        expect(write.headers?.['www-authenticate']).toMatch(/error="insufficient_scope", scope="mcp:read mcp:write"/);
        expect(expired.statusCode).toBe(401);
        expect(expired.headers?.['www-authenticate']).toMatch(/error="invalid_token"/);
        expect(health.statusCode).toBe(200);
      });

      it('HTTP API (v2) on a named stage: routes without the stage and builds the resource URI with it', async () => {
        // Prepare
        const token = await as.token({ aud: `${HTTP_BASE}/dev/gitlab/mcp`, scope: 'mcp:read' });
        const event = httpApiEvent({ path: '/dev/gitlab/mcp', body: LIST, headers: { authorization: `Bearer ${token}` } });
        (event.requestContext as { stage: string }).stage = 'dev';
        // Act
        const res = await call(multi, event);
        // Assess
        expect(res.statusCode).toBe(200);
      });
    });

    describe('AUTH_MODE=gateway', () => {
      let handler: Handler;
      let spy: jest.SpyInstance;
      beforeAll(() => {
        handler = createHandler({ ...env(), AUTH_MODE: 'gateway', AUTH_ISSUER: '' });
      });
      beforeEach(() => { spy = jest.spyOn(logger, 'info'); });
      afterEach(() => spy.mockRestore());
      const callerLogged = () => spy.mock.calls.find((c) => c[0] === 'tool call')?.[1]?.caller;

      it.each<[string, (e: ReturnType<typeof restEvent>) => void, string]>([
        ['an API key', (e) => { (e.requestContext.identity as { apiKeyId: string }).apiKeyId = 'key-abc123'; }, 'api-key:key-abc123'],
        ['IAM', (e) => { (e.requestContext.identity as { userArn: string }).userArn = 'arn:aws:iam::123456789012:user/ci'; }, 'iam:arn:aws:iam::123456789012:user/ci'],
        ['a Cognito authorizer', (e) => { e.requestContext.authorizer = { claims: { sub: 'cognito-sub-1' } }; }, 'sub:cognito-sub-1'],
        ['a Lambda authorizer', (e) => { e.requestContext.authorizer = { principalId: 'team-a' }; }, 'principal:team-a'],
      ])('REST (v1): takes the caller from %s and logs it with the tool call', async (_what, set, caller) => {
        // Prepare
        const event = restEvent({ path: '/gitlab/mcp', body: GET_PROJECT });
        set(event);
        // Act
        const res = await call(handler, event);
        // Assess
        expect(res.statusCode).toBe(200);
        expect(callerLogged()).toBe(caller);
      });

      it('HTTP API (v2): takes the caller from the JWT authorizer\'s claims or from IAM', async () => {
        // Prepare
        const jwt = httpApiEvent({ path: '/gitlab/mcp', body: GET_PROJECT });
        (jwt.requestContext as unknown as { authorizer: unknown }).authorizer = { jwt: { claims: { sub: 'jwt-sub-9' }, scopes: [] } };
        const iam = httpApiEvent({ path: '/gitlab/mcp', body: GET_PROJECT });
        (iam.requestContext as unknown as { authorizer: unknown }).authorizer = { iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/ci/x' } };
        // Act
        const a = await call(handler, jwt);
        const first = callerLogged();
        spy.mockClear();
        const b = await call(handler, iam);
        // Assess
        expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
        expect(first).toBe('sub:jwt-sub-9');
        expect(callerLogged()).toBe('iam:arn:aws:sts::123456789012:assumed-role/ci/x');
      });

      it('refuses a request the gateway passed without an identity (a route without its authorizer)', async () => {
        const res = await call(handler, restEvent({ path: '/gitlab/mcp', body: LIST }));
        expect(res.statusCode).toBe(401);
      });
    });
  });

  describe('configuration and parsing', () => {
    it('is off by default, and refuses a bad AUTH_MODE or oauth without an issuer', () => {
      expect(loadAuthConfig({}).mode).toBe('none');
      expect(() => loadAuthConfig({ AUTH_MODE: 'jwt' })).toThrow(new ConfigError('AUTH_MODE must be one of none, oauth, gateway, got: "jwt"'));
      expect(() => loadAuthConfig({ AUTH_MODE: 'oauth' })).toThrow(/AUTH_MODE=oauth needs AUTH_ISSUER/);
      expect(() => loadAuthConfig({ AUTH_MODE: 'oauth', AUTH_ISSUER: 'http://login.example.com' })).toThrow(/AUTH_ISSUER must be an https URL/);
      expect(loadAuthConfig({ AUTH_MODE: 'oauth', AUTH_ISSUER: 'https://login.example.com/tenant', AUTH_AUTHORIZATION_SERVERS: 'https://a.example.com, https://b.example.com' }))
        .toMatchObject({ mode: 'oauth', authorizationServers: ['https://a.example.com', 'https://b.example.com'], audiences: [] });
    });

    it('reads bearer tokens, scopes and discovery URLs', () => {
      expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
      expect(bearerToken('bearer  abc.def.ghi ')).toBe('abc.def.ghi');
      expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
      expect(bearerToken(undefined)).toBeUndefined();
      expect(tokenScopes({ scope: 'a b', scp: ['c', 'a'] })).toEqual(['a', 'b', 'c']);
      expect(tokenScopes({ scp: 'x y' })).toEqual(['x', 'y']);
      expect(discoveryUrls('https://login.example.com/tenant/v2.0')).toEqual([
        'https://login.example.com/.well-known/oauth-authorization-server/tenant/v2.0',
        'https://login.example.com/tenant/v2.0/.well-known/openid-configuration',
        'https://login.example.com/.well-known/openid-configuration/tenant/v2.0',
      ]);
    });
  });
});
