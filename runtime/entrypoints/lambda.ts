/**
 * Lambda entry point: API Gateway REST proxy events (payload v1) and HTTP API events (payload v2),
 * in single-server (`SERVER_NAME`) or multi-server (`MCP_SERVERS`) mode.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lazyHandler } from './compose';
import { logger } from '../core/observability';
import type { HttpRequest, HttpResponse } from '../core/pipeline';

type ApiEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

function isV2(event: ApiEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === '2.0' && typeof (event as APIGatewayProxyEventV2).requestContext?.http === 'object';
}

function lowerHeaders(
  headers: Record<string, string | undefined> | null | undefined,
  multi?: Record<string, string[] | undefined> | null,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(multi ?? {})) if (v && v.length > 0) out[k.toLowerCase()] = v.join(', ');
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function decodeBody(body: string | null | undefined, base64: boolean): string | undefined {
  if (body === null || body === undefined) return undefined;
  return base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/** Turns either event shape into the pipeline's request. */
export function toHttpRequest(event: ApiEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): HttpRequest {
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  if (isV2(event)) {
    return {
      method: event.requestContext.http.method,
      path: event.rawPath,
      headers: lowerHeaders(event.headers),
      body: decodeBody(event.body, event.isBase64Encoded),
      deadline,
      requestId: event.requestContext.requestId ?? context.awsRequestId,
    };
  }
  return {
    method: event.httpMethod ?? event.requestContext?.httpMethod ?? '',
    path: event.path ?? '/',
    headers: lowerHeaders(event.headers, event.multiValueHeaders),
    body: decodeBody(event.body, event.isBase64Encoded),
    deadline,
    requestId: event.requestContext?.requestId ?? context.awsRequestId,
  };
}

/** A Lambda handler for the servers configured in `env` (read on the first invocation). */
export function createHandler(env: NodeJS.ProcessEnv = process.env) {
  const answer = lazyHandler(env);
  return async (event: ApiEvent, context: Context): Promise<APIGatewayProxyResult | APIGatewayProxyStructuredResultV2> => {
    logger.addContext(context);
    const req = toHttpRequest(event, context);
    logger.appendKeys({ correlation_id: req.requestId });
    try {
      const res: HttpResponse = await answer(req);
      // The same fields serve both payload versions.
      return { statusCode: res.status, headers: res.headers, body: res.body, isBase64Encoded: false };
    } finally {
      logger.removeKeys(['correlation_id']);
    }
  };
}

export const handler = createHandler();
