/**
 * Lambda entry point: API Gateway REST proxy events (payload v1) and HTTP API events (payload v2),
 * in single-server (`SERVER_NAME`) or multi-server (`MCP_SERVERS`) mode.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lazyHandler } from './compose';
import type { GatewayIdentity } from '../core/auth';
import { JsonRpcErrorCode, jsonRpcError } from '../core/jsonrpc';
import { logger } from '../core/observability';
import type { HttpRequest, HttpResponse } from '../core/pipeline';

type ApiEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** An event this adapter cannot read (a direct invocation, a test event of another service...): answered 400. */
class BadEvent extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isV2(event: Record<string, unknown>): boolean {
  return event.version === '2.0';
}

/** A field the event may leave out, but that must be a string when present. */
function optionalString(event: Record<string, unknown>, field: string): string | undefined {
  const value = event[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadEvent(`${field} is ${typeof value}, not a string`);
  return value;
}

/** RFC 9110 token characters: what `new Headers()` accepts as a name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Lower-cased headers, without the names and values `Headers` would throw on (a space or `:` in a
 * name, NUL, CR or LF in a value) and without values that are not strings: API Gateway passes
 * client headers through, and one odd header must not cost the request.
 */
function lowerHeaders(headers: unknown, multi?: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const put = (k: string, v: string) => {
    if (HEADER_NAME.test(k) && !/[\0\r\n]/.test(v)) out[k.toLowerCase()] = v;
  };
  if (isObject(multi)) {
    for (const [k, v] of Object.entries(multi)) {
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) put(k, v.join(', '));
    }
  }
  if (isObject(headers)) for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') put(k, v);
  return out;
}

function decodeBody(body: string | undefined, base64: unknown): string | undefined {
  if (body === undefined) return undefined;
  return base64 === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The caller the front door authenticated, from where each authorizer writes it: REST (v1)
 * `requestContext.authorizer.claims.sub` (Cognito), `.principalId` (a Lambda authorizer),
 * `requestContext.identity.userArn` (IAM) and `.apiKeyId` (an API key); HTTP API (v2)
 * `requestContext.authorizer.jwt.claims.sub` and `.iam.userArn`. Undefined when there is none.
 */
export function gatewayIdentity(rc: Record<string, unknown>): GatewayIdentity | undefined {
  const authorizer = isObject(rc.authorizer) ? rc.authorizer : {};
  const identity = isObject(rc.identity) ? rc.identity : {};
  const jwt = isObject(authorizer.jwt) && isObject(authorizer.jwt.claims) ? authorizer.jwt.claims : undefined;
  const claims = isObject(authorizer.claims) ? authorizer.claims : undefined;
  const iam = isObject(authorizer.iam) ? authorizer.iam : undefined;
  const found: GatewayIdentity = {
    jwtSubject: str(jwt?.sub) ?? str(claims?.sub),
    principalArn: str(iam?.userArn) ?? str(identity.userArn),
    apiKeyId: str(identity.apiKeyId),
    principalId: str(authorizer.principalId),
  };
  return Object.values(found).some(Boolean) ? found : undefined;
}

/** Turns either event shape into the pipeline's request; throws BadEvent for what is neither. */
export function toHttpRequest(event: ApiEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): HttpRequest {
  const raw: unknown = event;
  if (!isObject(raw)) throw new BadEvent(`it is ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const rc = isObject(raw.requestContext) ? raw.requestContext : {};
  const requestId = (typeof rc.requestId === 'string' && rc.requestId) || context.awsRequestId;
  const body = decodeBody(optionalString(raw, 'body'), raw.isBase64Encoded);
  const identity = gatewayIdentity(rc);
  if (isV2(raw)) {
    if (!isObject(rc.http) || typeof rc.http.method !== 'string') throw new BadEvent('a version 2.0 event needs requestContext.http.method');
    const headers = lowerHeaders(raw.headers);
    let path = optionalString(raw, 'rawPath') ?? '/';
    // A named stage (not $default) is the first segment of rawPath: routes and resource URIs go without it, and with it.
    const stage = str(rc.stage) !== '$default' ? str(rc.stage) : undefined;
    let prefix = '';
    if (stage && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
      prefix = `/${stage}`;
      path = path.slice(prefix.length) || '/';
    }
    const baseUrl = `https://${str(rc.domainName) ?? headers.host ?? 'localhost'}${prefix}`;
    return { method: rc.http.method, path, headers, body, deadline, requestId, baseUrl, gatewayIdentity: identity };
  }
  const method = optionalString(raw, 'httpMethod') ?? (typeof rc.httpMethod === 'string' ? rc.httpMethod : '');
  const headers = lowerHeaders(raw.headers, raw.multiValueHeaders);
  const path = optionalString(raw, 'path') ?? '/';
  // REST: `path` is without the stage (or a custom domain's base path), `requestContext.path` with it.
  const fullPath = str(rc.path);
  const prefix = fullPath && fullPath !== path && fullPath.endsWith(path) ? fullPath.slice(0, fullPath.length - path.length).replace(/\/+$/, '') : '';
  const baseUrl = `https://${str(rc.domainName) ?? headers.host ?? 'localhost'}${prefix}`;
  return { method, path, headers, body, deadline, requestId, baseUrl, gatewayIdentity: identity };
}

const jsonAnswer = (statusCode: number, code: number, message: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(jsonRpcError(code, message)),
  isBase64Encoded: false,
});

/** A Lambda handler for the servers configured in `env` (read on the first invocation). */
export function createHandler(env: NodeJS.ProcessEnv = process.env) {
  const answer = lazyHandler(env);
  return async (event: ApiEvent, context: Context): Promise<APIGatewayProxyResult | APIGatewayProxyStructuredResultV2> => {
    logger.addContext(context);
    let req: HttpRequest;
    try {
      req = toHttpRequest(event, context);
    } catch (err) {
      if (!(err instanceof BadEvent)) throw err;
      logger.warn('not an API Gateway proxy event', { reason: err.message });
      return jsonAnswer(400, JsonRpcErrorCode.INVALID_REQUEST, `Bad Request: the event is not an API Gateway proxy event (${err.message})`);
    }
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
