/**
 * MCP protocol handling through the SDK's low-level `Server` and the stateless
 * `WebStandardStreamableHTTPServerTransport` (a new transport per request, as the SDK requires).
 *
 * What the naive pattern (new McpServer + registerTool for every tool on every request) repeats
 * is done once here: each server's tool list and its JSON Schemas are computed once per process,
 * and connected `Server` instances are pooled — a request takes an idle one, connects it to its
 * own fresh transport, and gives it back once the transport is closed.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { getParseErrorMessage } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  CallToolRequestSchema, DEFAULT_NEGOTIATED_PROTOCOL_VERSION, ListToolsRequestSchema, SUPPORTED_PROTOCOL_VERSIONS, type CallToolResult, type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { policyAllows, policyRefusal, type ServerConfig } from './config';
import { CredentialError, type CredentialStore } from './credentials';
import { JsonRpcErrorCode as Code, isJsonRpcRequest, jsonRpcError, type JsonRpcErrorAnswer } from './jsonrpc';
import { logger } from './observability';
import { requestScope } from './scope';
import type { ToolContext, ToolDefinition, UpstreamClient } from './types';
import { UpstreamError, createUpstreamClient, withUpstreamSlot } from './upstream';

declare const __MCP_FLEET_VERSION__: string | undefined;

/** The package version, written into the bundle at build time (`serverInfo.version`). */
export const RUNTIME_VERSION = typeof __MCP_FLEET_VERSION__ === 'string' ? __MCP_FLEET_VERSION__ : '0.0.0-source';

export interface McpHostOptions {
  readonly credentials: CredentialStore;
  readonly upstreamTimeoutMs: number;
  readonly requestBudgetMs: number;
  /** Idle servers kept per MCP server (default 16). */
  readonly poolSize?: number;
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * The SDK's protocol layer parses a request against the handler's schema before its own
 * tools/call validation runs, so a tools/call without a name would come back as -32603
 * Internal error. Answer it here with what JSON-RPC says it is: -32602 Invalid params.
 * Undefined when `message` is not such a call; null when it is one but a notification (no answer).
 */
function invalidToolCall(message: unknown): JsonRpcErrorAnswer | null | undefined {
  if (!message || typeof message !== 'object' || Array.isArray(message) || (message as { method?: unknown }).method !== 'tools/call') return undefined;
  const parsed = CallToolRequestSchema.safeParse(message);
  if (parsed.success) return undefined;
  if (!isJsonRpcRequest(message)) return null;
  const issues = parsed.error.issues.map((i) => `${['params', ...i.path.slice(1)].join('.')}: ${i.message}`).join('; ');
  return jsonRpcError(Code.INVALID_PARAMS, `Invalid params: tools/call needs params.name (a string) and optional params.arguments (an object); ${issues}`, message.id);
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const SDK_PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
const DEFAULT_PROTOCOL_VERSION = DEFAULT_NEGOTIATED_PROTOCOL_VERSION;

/** A tools/list request without a cursor (the listing is one page) or other params but `_meta`. */
function isPlainToolsList(m: unknown): m is { id: string | number } {
  if (!isJsonRpcRequest(m) || m.method !== 'tools/list') return false;
  return m.params === undefined || Object.keys(m.params).every((k) => k === '_meta');
}

/** Stateless: a notifications/cancelled can only name a request of this same POST, and a cancelled request is never answered. */
const isCancel = (m: unknown) => !!m && typeof m === 'object' && (m as { method?: unknown }).method === 'notifications/cancelled';

/** One hosted MCP server: its enabled tools, their cached listing, and a pool of SDK servers. */
export class McpHost {
  public readonly tools: ReadonlyMap<string, ToolDefinition>;
  private readonly disabled: ReadonlySet<string>;
  private listing?: { tools: Tool[] };
  private listingJson?: string;
  private readonly idle: Server[] = [];
  /** `ToolContext.remember`'s values (settled or pending), per key. */
  private readonly remembered = new Map<string, Promise<unknown>>();
  private readonly poolSize: number;

  constructor(public readonly server: ServerConfig, private readonly opts: McpHostOptions) {
    // The write switch, then the tool policy (<PREFIX>_TOOLS_ALLOW / _TOOLS_DENY).
    const enabled = server.backend.tools.filter((t) => (server.allowWrites || !t.mutating) && policyAllows(server, t.name));
    this.tools = new Map(enabled.map((t) => [t.name, t]));
    this.disabled = new Set(server.backend.tools.filter((t) => !this.tools.has(t.name)).map((t) => t.name));
    this.poolSize = opts.poolSize ?? 16;
  }

  /** The tools/list result, computed on first use and reused for the life of the process. */
  public listTools(): { tools: Tool[] } {
    if (!this.listing) {
      this.listing = {
        tools: [...this.tools.values()].map((t) => ({
          name: t.name,
          title: t.title,
          description: t.description,
          inputSchema: toJsonSchemaCompat(t.inputSchema, { strictUnions: true, pipeStrategy: 'input' }) as Tool['inputSchema'],
          ...(t.outputSchema ? { outputSchema: toJsonSchemaCompat(t.outputSchema, { strictUnions: true, pipeStrategy: 'output' }) as Tool['outputSchema'] } : {}),
          annotations: { title: t.title, ...t.annotations },
        })),
      };
    }
    return this.listing;
  }

  /** Answers one HTTP request carrying MCP messages (already parsed and shape-checked). */
  public async handle(request: Request, parsedBody: unknown): Promise<Response> {
    if (Array.isArray(parsedBody)) return this.handleBatch(request, parsedBody);
    const invalid = invalidToolCall(parsedBody);
    if (invalid) return jsonResponse(200, invalid);
    // A cancelled request is never answered, so the JSON response would wait forever: drop them.
    if (invalid === null || isCancel(parsedBody)) return new Response(null, { status: 202 });
    if (isPlainToolsList(parsedBody) && SDK_PROTOCOL_VERSIONS.includes(request.headers.get('mcp-protocol-version') ?? DEFAULT_PROTOCOL_VERSION)) {
      // The listing never changes in a process: serialised once, answered without an SDK round trip.
      // (An unsupported protocol version header goes to the SDK, which refuses it.)
      this.listingJson ??= JSON.stringify(this.listTools());
      return new Response(`{"jsonrpc":"2.0","id":${JSON.stringify(parsedBody.id)},"result":${this.listingJson}}`, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return this.transport(request, parsedBody);
  }

  /**
   * A batch: each element is checked on its own (a nameless tools/call is answered -32602 here,
   * the rest go to the SDK), and its requests get ids unique within the batch before the SDK sees
   * them: the SDK's transport keys answers by id, so two requests with one id would lose an
   * answer. The answers get their ids back and come out in the batch's order, as an array.
   */
  private async handleBatch(request: Request, batch: readonly unknown[]): Promise<Response> {
    const answers: Array<{ index: number; answer: unknown }> = [];
    const forward: unknown[] = [];
    const originalIds = new Map<number, { index: number; id: unknown }>();
    batch.forEach((message, index) => {
      const invalid = invalidToolCall(message);
      if (invalid) return void answers.push({ index, answer: invalid });
      if (invalid === null || isCancel(message)) return;
      if (isJsonRpcRequest(message)) {
        originalIds.set(index, { index, id: message.id });
        forward.push({ ...message, id: index });
      } else {
        forward.push(message);
      }
    });
    if (originalIds.size > 0 || forward.length > 0) {
      const res = await this.transport(request, forward);
      if (res.status === 202 && answers.length === 0) return res;
      if (res.status !== 202) {
        if (res.status !== 200) return res; // an HTTP-level refusal by the transport (e.g. an unsupported protocol version)
        const body = await res.json() as unknown;
        for (const answer of [body].flat() as Array<{ id?: unknown }>) {
          const original = typeof answer?.id === 'number' ? originalIds.get(answer.id) : undefined;
          answers.push(original ? { index: original.index, answer: { ...answer, id: original.id } } : { index: batch.length, answer });
        }
      }
    }
    if (answers.length === 0) return new Response(null, { status: 202 });
    return jsonResponse(200, answers.sort((x, y) => x.index - y.index).map((a) => a.answer));
  }

  /** Hands messages to a pooled SDK server over a fresh stateless transport. */
  private async transport(request: Request, body: unknown): Promise<Response> {
    const server = this.idle.pop() ?? this.createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    // Backstop: whatever keeps the SDK from answering, the request ends at its deadline.
    const deadline = requestScope.getStore()?.deadline ?? Date.now() + this.opts.requestBudgetMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<Response>((resolve) => {
      timer = setTimeout(() => resolve(jsonResponse(504, jsonRpcError(Code.INTERNAL_ERROR, 'Internal error: no answer within the request\'s time budget'))),
        Math.max(0, deadline - Date.now() - 100));
    });
    try {
      return await Promise.race([transport.handleRequest(request, { parsedBody: body }), expired]);
    } finally {
      clearTimeout(timer);
      // Let the SDK finish settling the request (it unregisters the handler's AbortController a few
      // promise turns after the answer) before closing: closing first aborts that controller, and
      // the DOMException it builds costs a sixth of a ping. Only the cost depends on this, not the answer.
      for (let turn = 0; turn < 4; turn++) await Promise.resolve();
      await transport.close();
      if (this.idle.length < this.poolSize) this.idle.push(server);
    }
  }

  private createServer(): Server {
    const server = new Server(
      { name: `${this.server.name}-mcp-server`, title: `${this.server.backend.displayName} MCP server`, version: RUNTIME_VERSION },
      {
        capabilities: { tools: { listChanged: false } },
        instructions: this.server.allowWrites
          ? undefined
          : `Read-only: the write tools of this ${this.server.backend.displayName} server are disabled.`,
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => this.listTools());
    server.setRequestHandler(CallToolRequestSchema, (req) => this.callTool(req.params.name, req.params.arguments));
    server.onerror = () => { /* transport-level errors are answered by the transport itself */ };
    return server;
  }

  /** What a tool's handler gets besides its arguments. */
  private toolContext(upstream: UpstreamClient, signal: AbortSignal | undefined): ToolContext {
    const { server, remembered } = this;
    const credentials = this.opts.credentials;
    return {
      upstream,
      serverName: server.name,
      signal: signal ?? new AbortController().signal,
      settings: server.settings,
      baseUrl: server.baseUrl,
      remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
        let value = remembered.get(key) as Promise<T> | undefined;
        if (!value) {
          value = compute();
          remembered.set(key, value);
          // A failure is not kept: the next call computes again.
          value.catch(() => { if (remembered.get(key) === value) remembered.delete(key); });
        }
        return value;
      },
      async traits() {
        if (!server.backend.traits) return {};
        return server.backend.traits(await credentials.get(server));
      },
    };
  }

  /** tools/call, with the SDK McpServer's semantics: problems come back as `isError` results. */
  public async callTool(name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const tool = this.tools.get(name);
    if (!tool) {
      if (this.disabled.has(name)) {
        if (!policyAllows(this.server, name)) return toolError(policyRefusal(this.server, name));
        return toolError(`Tool ${name} disabled: writes are off for server ${this.server.name} (set ${this.server.prefix}_ALLOW_WRITES=true to enable them)`);
      }
      return toolError(`Tool ${name} not found`);
    }
    const parsed = await tool.inputSchema.safeParseAsync(args ?? {});
    if (!parsed.success) {
      return toolError(`Input validation error: Invalid arguments for tool ${name}: ${getParseErrorMessage(parsed.error)}`);
    }
    if (this.server.missing.length > 0) {
      return toolError(`Server ${this.server.name} is not configured: set ${this.server.missing.join(', ')}`);
    }
    const scope = requestScope.getStore();
    const deadline = scope?.deadline ?? Date.now() + this.opts.requestBudgetMs;
    const started = Date.now();
    const upstream = createUpstreamClient({
      server: this.server,
      credentials: this.opts.credentials,
      deadline,
      attemptTimeoutMs: this.opts.upstreamTimeoutMs,
      tool: name,
      signal: scope?.signal,
    });
    let result: CallToolResult;
    try {
      // One upstream slot for the whole call: its reads and what it builds from them are what
      // bounds memory, so a batch (or many clients) cannot run more than a few at once.
      result = await withUpstreamSlot(`Tool ${name}`, deadline, scope?.signal,
        () => tool.handler(parsed.data, this.toolContext(upstream, scope?.signal)));
    } catch (err) {
      if (err instanceof UpstreamError || err instanceof CredentialError) {
        result = toolError(err.message);
      } else {
        logger.error('tool failed unexpectedly', { requestId: scope?.requestId, caller: scope?.caller, server: this.server.name, tool: name, error: (err as Error)?.name, errorMessage: (err as Error)?.message });
        result = toolError(`Tool ${name} failed with an internal error (request ${scope?.requestId ?? 'unknown'}); the server log has the details.`);
      }
    }
    logger.info('tool call', { requestId: scope?.requestId, caller: scope?.caller, server: this.server.name, tool: name, durationMs: Date.now() - started, isError: result.isError === true });
    return result;
  }
}
