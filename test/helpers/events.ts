/** API Gateway event shapes as Lambda receives them (REST proxy v1 and HTTP API v2). */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

const MCP_HEADERS = { 'Content-Type': 'application/json', 'Accept': 'application/json, text/event-stream' };

interface EventOptions {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly base64?: boolean;
  /** The caller API Gateway's IAM authorization let through (REST `identity.userArn`, HTTP API `authorizer.iam.userArn`). */
  readonly iamUserArn?: string;
}

export function restEvent(opts: EventOptions): APIGatewayProxyEvent {
  const headers = { ...MCP_HEADERS, 'Host': 'abc123.execute-api.us-east-1.amazonaws.com', 'X-Forwarded-Proto': 'https', ...opts.headers };
  const raw = opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return {
    resource: opts.path,
    path: opts.path,
    httpMethod: opts.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: opts.method ?? 'POST',
      identity: { sourceIp: '203.0.113.10', userAgent: 'test', ...(opts.iamUserArn ? { userArn: opts.iamUserArn } : {}) } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/production${opts.path}`,
      stage: 'production',
      requestId: `rest-${Math.random().toString(16).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: opts.path,
    },
    body: raw !== null && opts.base64 ? Buffer.from(raw).toString('base64') : raw,
    isBase64Encoded: Boolean(opts.base64),
  };
}

export function httpApiEvent(opts: EventOptions & { routeKey?: string }): APIGatewayProxyEventV2 {
  const method = opts.method ?? 'POST';
  const headers = Object.fromEntries(Object.entries({ ...MCP_HEADERS, ...opts.headers }).map(([k, v]) => [k.toLowerCase(), v]));
  const raw = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return {
    version: '2.0',
    routeKey: opts.routeKey ?? `${method} ${opts.path}`,
    rawPath: opts.path,
    rawQueryString: '',
    headers: { 'host': 'xyz789.execute-api.us-east-1.amazonaws.com', 'x-forwarded-proto': 'https', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'xyz789',
      domainName: 'xyz789.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'xyz789',
      http: { method, path: opts.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'test' },
      requestId: `http-${Math.random().toString(16).slice(2)}`,
      routeKey: opts.routeKey ?? `${method} ${opts.path}`,
      stage: '$default',
      ...(opts.iamUserArn ? { authorizer: { iam: { userArn: opts.iamUserArn } } } : {}),
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: raw !== undefined && opts.base64 ? Buffer.from(raw).toString('base64') : raw,
    isBase64Encoded: Boolean(opts.base64),
  };
}

export function lambdaContext(remainingMs = 29_000): Context {
  const end = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'gitlab-mcp',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gitlab-mcp',
    memoryLimitInMB: '256',
    awsRequestId: `aws-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/gitlab-mcp',
    logStreamName: '2026/11/24/[$LATEST]abc',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'event-test', version: '1.0.0' } },
};
