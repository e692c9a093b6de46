/**
 * JSON-RPC 2.0 as the runtime speaks it: the error codes by name, one builder for error answers,
 * the message shape check, and the batch rules of MCP's protocol versions.
 */

/** The codes JSON-RPC 2.0 defines, plus the one MCP's Streamable HTTP transport uses for HTTP-level refusals. */
export const JsonRpcErrorCode = {
  /** The body is not JSON. */
  PARSE_ERROR: -32700,
  /** The JSON is not a JSON-RPC 2.0 message (or batch) this server accepts. */
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /**
   * Implementation-defined server error: MCP's Streamable HTTP transport answers HTTP-level
   * refusals (413, 415, 406, 403, 405) with it, and so does this runtime, to look the same.
   */
  SERVER_ERROR: -32000,
} as const;

export type JsonRpcErrorCodeValue = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];

/** A request id; `null` when the request's id could not be read. */
export type JsonRpcId = string | number | null;

export interface JsonRpcErrorAnswer {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly error: { readonly code: number; readonly message: string; readonly data?: unknown };
}

/** The error answer to a request (`id` null when the request's id is unknown, as JSON-RPC says). */
export function jsonRpcError(code: number, message: string, id: JsonRpcId = null, data?: unknown): JsonRpcErrorAnswer {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

const validId = (id: unknown): id is string | number => typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));

/** One JSON-RPC 2.0 message (request, notification or response). */
export function isJsonRpcMessage(m: unknown): boolean {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return false;
  const msg = m as Record<string, unknown>;
  if (msg.jsonrpc !== '2.0') return false;
  if (typeof msg.method === 'string') {
    if ('id' in msg && !validId(msg.id)) return false;
    return msg.params === undefined || (typeof msg.params === 'object' && msg.params !== null);
  }
  return validId(msg.id) && ('result' in msg || 'error' in msg);
}

/** A message or a non-empty batch of messages. */
export function isJsonRpcBody(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every(isJsonRpcMessage);
  return isJsonRpcMessage(value);
}

/** A message with a method and an id: it expects an answer. */
export function isJsonRpcRequest(m: unknown): m is { jsonrpc: '2.0'; id: string | number; method: string; params?: Record<string, unknown> } {
  return !!m && typeof m === 'object' && typeof (m as { method?: unknown }).method === 'string' && validId((m as { id?: unknown }).id);
}

/** The first MCP protocol version without JSON-RPC batches (2025-06-18 removed them). */
export const BATCHLESS_PROTOCOL_VERSION = '2025-06-18';

/**
 * The most messages one batch may hold under the protocol versions that still allow batches.
 * A batch runs its calls concurrently within one request's time and memory: ten answers cut at
 * 60,000 characters each stay near 1 MB of JSON, well inside Lambda's 6 MB response limit (a
 * hundred would not), and ten calls share the per-process upstream slots within one time budget.
 */
export const MAX_BATCH_MESSAGES = 10;

const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The protocol version a request speaks: the `mcp-protocol-version` header, or for an initialize
 * request (alone or in a batch) its `params.protocolVersion`; undefined when neither says (the
 * transport then assumes 2025-03-26).
 */
export function requestProtocolVersion(header: string | undefined, body: unknown): string | undefined {
  const messages = Array.isArray(body) ? body : [body];
  const init = messages.find((m) => !!m && typeof m === 'object' && (m as { method?: unknown }).method === 'initialize') as { params?: { protocolVersion?: unknown } } | undefined;
  const fromInit = init?.params?.protocolVersion;
  if (typeof fromInit === 'string') return fromInit.trim();
  return header?.trim() || undefined;
}

/**
 * Why a batch is refused, or undefined when it may be answered: refused under 2025-06-18 and
 * later, capped at MAX_BATCH_MESSAGES under older versions. (Versions are dates, so they compare as strings.)
 */
export function batchRefusal(length: number, protocolVersion: string | undefined): string | undefined {
  if (protocolVersion !== undefined && PROTOCOL_VERSION.test(protocolVersion) && protocolVersion >= BATCHLESS_PROTOCOL_VERSION) {
    return `Invalid Request: JSON-RPC batches are not part of MCP protocol version ${protocolVersion} (they were removed in ${BATCHLESS_PROTOCOL_VERSION}); send one message per POST`;
  }
  if (length > MAX_BATCH_MESSAGES) {
    return `Invalid Request: a batch may hold at most ${MAX_BATCH_MESSAGES} messages, got ${length}; send them in smaller batches or one per POST`;
  }
  return undefined;
}
