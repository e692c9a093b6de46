/**
 * The runtime behind a custom domain: API Gateway's events for `https://mcp.example.com/...` as
 * they arrive through the mapping FleetDomain makes (the stage at the root), and what the runtime
 * builds from them (routes, RFC 9728 metadata URL and resource).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { createHandler } from '../../../runtime/entrypoints/lambda';
import { httpApiEvent, lambdaContext, restEvent, INITIALIZE } from '../../helpers/events';

const ISSUER = 'https://login.example.com/oauth2/default';
const env = (extra: Record<string, string>) => ({
  GITLAB_API_URL: 'http://127.0.0.1:9/api/v4',
  GITLAB_TOKEN: 'glpat-unused',
  AUTH_MODE: 'oauth',
  AUTH_ISSUER: ISSUER,
  LOG_LEVEL: 'SILENT',
  ENVIRONMENT: 'production',
  ...extra,
});

/**
 * A REST proxy event through the custom domain: API Gateway puts the custom name in
 * `requestContext.domainName` and `Host`, and `path` and `requestContext.path` are both the path
 * the client sent (base path included, when one is mapped).
 */
function restViaDomain(path: string, method = 'POST', body?: unknown): APIGatewayProxyEvent {
  const event = restEvent({ path, method, body, headers: { Host: 'mcp.example.com' } });
  return { ...event, requestContext: { ...event.requestContext, domainName: 'mcp.example.com', path } };
}

function httpViaDomain(path: string, method = 'POST', body?: unknown): APIGatewayProxyEventV2 {
  const event = httpApiEvent({ path, method, body, headers: { host: 'mcp.example.com' } });
  return { ...event, requestContext: { ...event.requestContext, domainName: 'mcp.example.com', domainPrefix: 'mcp' } };
}

const call = async (handler: ReturnType<typeof createHandler>, event: unknown) =>
  (await handler(event as never, lambdaContext())) as APIGatewayProxyResult;

const metadataUrlOf = (res: APIGatewayProxyResult) => /resource_metadata="([^"]+)"/.exec(String(res.headers?.['www-authenticate'] ?? ''))?.[1];

describe('the runtime under a FleetDomain custom domain', () => {
  describe('REST API (one function per server), the stage mapped at the root', () => {
    const handler = createHandler(env({ SERVER_NAME: 'gitlab' }));

    test('an unauthenticated call names the metadata on the custom name', async () => {
      const res = await call(handler, restViaDomain('/gitlab/mcp', 'POST', INITIALIZE));
      expect(res.statusCode).toBe(401);
      expect(metadataUrlOf(res)).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/gitlab/mcp');
    });

    test('that metadata names the custom-domain endpoint as the resource', async () => {
      const res = await call(handler, restViaDomain('/.well-known/oauth-protected-resource/gitlab/mcp', 'GET'));
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ resource: 'https://mcp.example.com/gitlab/mcp', authorization_servers: [ISSUER] });
    });

    test('the API\'s own host keeps its stage in both', async () => {
      const res = await call(handler, restEvent({ path: '/gitlab/mcp', body: INITIALIZE }));
      expect(metadataUrlOf(res)).toBe('https://abc123.execute-api.us-east-1.amazonaws.com/production/.well-known/oauth-protected-resource/gitlab/mcp');
    });

    test('the health check\'s path on the API\'s own host answers 200', async () => {
      const event = restEvent({ path: '/gitlab/health', method: 'GET' });
      const res = await call(handler, event);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ name: 'gitlab' });
    });

    test('why no base path: with one (`v1`), `path` carries it and the runtime finds no route', async () => {
      const res = await call(handler, restViaDomain('/v1/gitlab/mcp', 'POST', INITIALIZE));
      expect(res.statusCode).toBe(404);
    });
  });

  describe('HTTP API (one function for all servers), $default mapped at the root', () => {
    const handler = createHandler(env({ MCP_SERVERS: 'gitlab,gl-internal:gitlab', GL_INTERNAL_API_URL: 'http://127.0.0.1:9/api/v4', GL_INTERNAL_TOKEN: 'glpat-unused' }));

    test('an unauthenticated call names the metadata on the custom name', async () => {
      const res = await call(handler, httpViaDomain('/gl-internal/mcp', 'POST', INITIALIZE));
      expect(res.statusCode).toBe(401);
      expect(metadataUrlOf(res)).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/gl-internal/mcp');
    });

    test('the metadata\'s resource is the custom-domain endpoint', async () => {
      const res = await call(handler, httpViaDomain('/.well-known/oauth-protected-resource/gl-internal/mcp', 'GET'));
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body).resource).toBe('https://mcp.example.com/gl-internal/mcp');
    });

    test('GET /health, the health check\'s path, answers 200 for every server', async () => {
      const res = await call(handler, httpApiEvent({ path: '/health', method: 'GET' }));
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body).servers.map((s: { name: string }) => s.name)).toEqual(['gitlab', 'gl-internal']);
    });
  });
});
