/**
 * MCP protocol handling through the SDK's low-level `Server`: one per hosted MCP server, for the
 * life of the process, on a transport of this runtime's own (transport.ts) that hands it parsed
 * messages and returns its answers. The HTTP rules of Streamable HTTP stay in the pipeline and in
 * `handle` below; the protocol (initialize, ping, tools/list, tools/call, errors) is the SDK's.
 *
 * What the naive pattern (a new McpServer, every tool registered, and a new transport for every
 * request) repeats is done once here: the server and its transport, the tool list, its JSON
 * Schemas and its serialised answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, JSONRPCMessage, Tool } from '@modelcontextprotocol/sdk/types.js';
import { policyAllows, policyRefusal, type ServerConfig } from './config';
import { CredentialError, type CredentialStore } from './credentials';
import { JsonRpcErrorCode as Code, isJsonRpcRequest, jsonRpcError, type JsonRpcErrorAnswer } from './jsonrpc';
import { logger } from './observability';
import type { HttpResponse } from './pipeline';
import type { RequestScope } from './scope';
import { DirectTransport } from './transport';
import type { ToolContext, ToolDefinition, UpstreamClient } from './types';
import { UpstreamError, createUpstreamClient, withUpstreamSlot } from './upstream';
import type { ToolGateContract } from '../../src/contract';

declare const __MCP_FLEET_VERSION__: string | undefined;
/** The SDK's protocol versions, written into the bundle at build time (the fast paths need them before the SDK loads). */
declare const __MCP_PROTOCOL_VERSIONS__: { readonly supported: readonly string[]; readonly default: string } | undefined;

/* eslint-disable-next-line @typescript-eslint/no-require-imports -- required on first use: see sdk.ts */
const sdk = (): typeof import('./sdk') => require('./sdk');

const BUILT_VERSIONS = typeof __MCP_PROTOCOL_VERSIONS__ === 'object' ? __MCP_PROTOCOL_VERSIONS__ : undefined;
const supportedVersions = (): readonly string[] => BUILT_VERSIONS?.supported ?? sdk().SUPPORTED_PROTOCOL_VERSIONS;
const defaultVersion = (): string => BUILT_VERSIONS?.default ?? sdk().DEFAULT_NEGOTIATED_PROTOCOL_VERSION;

/** The bundle's tools/list entries, by kind, once read. */
const builtListings = new Map<string, Tool[] | undefined>();

/**
 * The tools/list entries of every tool of `kind`, as runtime/build.ts wrote them next to the
 * bundle (`tools-<kind>.json`); undefined when running from source.
 */
function builtListing(kind: string): Tool[] | undefined {
  if (BUILT_VERSIONS === undefined) return undefined;
  // Read once per kind: several servers of one kind (gitlab, gl-internal) share it.
  if (!builtListings.has(kind)) {
    let listing: Tool[] | undefined;
    try {
      listing = JSON.parse(readFileSync(join(__dirname, `tools-${kind}.json`), 'utf8')) as Tool[];
    } catch {
      listing = undefined;
    }
    builtListings.set(kind, listing);
  }
  return builtListings.get(kind);
}

/** The package version, written into the bundle at build time (`serverInfo.version`). */
export const RUNTIME_VERSION = typeof __MCP_FLEET_VERSION__ === 'string' ? __MCP_FLEET_VERSION__ : '0.0.0-source';

export interface McpHostOptions {
  readonly credentials: CredentialStore;
  readonly upstreamTimeoutMs: number;
  readonly requestBudgetMs: number;
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
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A tools/call the SDK's schema accepts, told without running it (the SDK parses it again anyway):
 * params with a string `name`, `arguments` absent or an object, and nothing else.
 */
function isPlainToolCall(m: { params?: unknown }): boolean {
  const params = m.params;
  if (!isPlainObject(params) || typeof params.name !== 'string') return false;
  for (const key in params) if (key !== 'name' && key !== 'arguments') return false;
  return params.arguments === undefined || isPlainObject(params.arguments);
}

function invalidToolCall(message: unknown): JsonRpcErrorAnswer | null | undefined {
  if (!message || typeof message !== 'object' || Array.isArray(message) || (message as { method?: unknown }).method !== 'tools/call') return undefined;
  if (isPlainToolCall(message as { params?: unknown })) return undefined;
  const parsed = sdk().CallToolRequestSchema.safeParse(message);
  if (parsed.success) return undefined;
  if (!isJsonRpcRequest(message)) return null;
  const issues = parsed.error.issues.map((i) => `${['params', ...i.path.slice(1)].join('.')}: ${i.message}`).join('; ');
  return jsonRpcError(Code.INVALID_PARAMS, `Invalid params: tools/call needs params.name (a string) and optional params.arguments (an object); ${issues}`, message.id);
}

function jsonAnswer(status: number, body: unknown): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A message of a request's body, by its place in the body. */
interface Forwarded { readonly index: number; readonly message: JSONRPCMessage }
/** An answer, by the place of its message in the request's body. */
interface Indexed { readonly index: number; readonly answer: unknown }

const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * A request or notification the SDK's message schema accepts, told without running it: only the
 * four keys, a method, an id that is a string or an integer, params an object without `_meta`.
 * Anything else (a response, `_meta`, an extra key) is checked by the schema itself.
 */
function isPlainMessage(m: Record<string, unknown>): boolean {
  if (typeof m.method !== 'string') return false;
  for (const key in m) if (!MESSAGE_KEYS.has(key)) return false;
  const params = m.params;
  if (params === undefined) return true;
  return typeof params === 'object' && params !== null && !Array.isArray(params) && !('_meta' in params);
}

/** What the Streamable HTTP transport refuses before any message reaches the server (undefined: nothing). */
function refusalOf(messages: readonly JSONRPCMessage[], headers: Readonly<Record<string, string | undefined>>): HttpResponse | undefined {
  for (const m of messages) {
    if (!isPlainMessage(m as Record<string, unknown>) && !sdk().JSONRPCMessageSchema.safeParse(m).success) {
      return jsonAnswer(400, jsonRpcError(Code.PARSE_ERROR, 'Parse error: Invalid JSON-RPC message'));
    }
  }
  // Whether an initialize is among them matters only for a batch or an unsupported version header:
  // the schema check it takes is run only then.
  const version = headers['mcp-protocol-version'];
  const unsupported = version !== undefined && !supportedVersions().includes(version);
  if (messages.length === 1 && !unsupported) return undefined;
  const initializing = messages.some((m) => (m as { method?: unknown }).method === 'initialize' && sdk().isInitializeRequest(m));
  if (initializing && messages.length > 1) {
    return jsonAnswer(400, jsonRpcError(Code.INVALID_REQUEST, 'Invalid Request: Only one initialization request is allowed'));
  }
  if (!initializing && unsupported) {
    return jsonAnswer(400, jsonRpcError(Code.SERVER_ERROR, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supportedVersions().join(', ')})`));
  }
  return undefined;
}


/** A tools/list request without a cursor (the listing is one page) or other params but `_meta`. */
function isPlainToolsList(m: unknown): m is { id: string | number } {
  if (!isJsonRpcRequest(m) || m.method !== 'tools/list') return false;
  return m.params === undefined || Object.keys(m.params).every((k) => k === '_meta');
}

/** Stateless: a notifications/cancelled can only name a request of this same POST, and a cancelled request is never answered. */
const isCancel = (m: unknown) => !!m && typeof m === 'object' && (m as { method?: unknown }).method === 'notifications/cancelled';

/** A tools/call request (an id, no `_meta`, nothing but a name and arguments) the SDK's schemas accept. */
function isPlainToolCallRequest(m: unknown): m is { id: string | number; params: { name: string; arguments?: Record<string, unknown> } } {
  return isJsonRpcRequest(m) && m.method === 'tools/call' && isPlainMessage(m as unknown as Record<string, unknown>) && isPlainToolCall(m);
}

const NO_ANSWER_IN_TIME = 'Internal error: no answer within the request\'s time budget';

/**
 * Backstop: whatever keeps a tool call from being answered, the request ends at its deadline
 * (less 100 ms to send the answer): `work`'s value, or undefined when the deadline comes first.
 */
async function beforeDeadline<T>(work: Promise<T>, scope: RequestScope): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, scope.deadline - Date.now() - 100));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** One hosted MCP server: its enabled tools, their cached listing, and a pool of SDK servers. */
export class McpHost {
  /** The names of the tools this server offers: the write switch, then the tool policy. */
  public readonly toolNames: readonly string[];
  private readonly writeTools: ReadonlySet<string>;
  private readonly disabled: ReadonlySet<string>;
  /** The tools behind a gate whose setting is not `true`, with their gate. */
  private readonly closedGates: ReadonlyMap<string, ToolGateContract>;
  private toolMap?: ReadonlyMap<string, ToolDefinition>;
  private listing?: { tools: Tool[] };
  private listingJson?: string;
  /** The transport to this server's one SDK server, once connected. */
  private connection?: Promise<DirectTransport>;
  /** The scope of each request the SDK server is answering, by the id it was handed over under. */
  private readonly scopes = new Map<number, RequestScope>();
  /** `ToolContext.remember`'s values (settled or pending), per key. */
  private readonly remembered = new Map<string, Promise<unknown>>();

  constructor(public readonly server: ServerConfig, private readonly opts: McpHostOptions) {
    // The write switch, the contract's tool gates, then the tool policy (<PREFIX>_TOOLS_ALLOW / _TOOLS_DENY).
    // From the contract's names: the backend's definitions are loaded only when a tool is called.
    const { read, write } = server.contract.tools;
    this.writeTools = new Set(write);
    const closed = new Map<string, ToolGateContract>();
    for (const gate of server.contract.toolGates ?? []) {
      if (server.settings[gate.setting]?.toLowerCase() !== 'true') for (const name of gate.tools) closed.set(name, gate);
    }
    this.closedGates = closed;
    const offered = (name: string) => (server.allowWrites || !this.writeTools.has(name)) && !closed.has(name) && policyAllows(server, name);
    this.toolNames = [...read, ...write].filter(offered);
    this.disabled = new Set([...read, ...write].filter((name) => !offered(name)));
  }

  /** The definitions of the tools this server offers (loads the backend on first use). */
  public get tools(): ReadonlyMap<string, ToolDefinition> {
    if (!this.toolMap) {
      const names = new Set(this.toolNames);
      this.toolMap = new Map(this.server.backend.tools.filter((t) => names.has(t.name)).map((t) => [t.name, t]));
    }
    return this.toolMap;
  }

  /** Whether `name` is a tool this server offers that writes. */
  public offersWriteTool(name: string): boolean {
    return this.writeTools.has(name) && this.toolNames.includes(name);
  }

  /**
   * The tools/list result, reused for the life of the process: the bundle's listing (computed
   * at build time from the same definitions) narrowed to the offered tools, or computed from the
   * definitions on first use.
   */
  public listTools(): { tools: Tool[] } {
    if (!this.listing) {
      const offered = new Set(this.toolNames);
      const built = builtListing(this.server.kind);
      this.listing = { tools: built ? built.filter((t) => offered.has(t.name)) : sdk().listingOf([...this.tools.values()]) };
    }
    return this.listing;
  }

  /**
   * Answers one HTTP request carrying MCP messages (already parsed and shape-checked by the
   * pipeline), with the Streamable HTTP transport's rules for what reaches the server: each
   * message a valid JSON-RPC message, one initialize alone, a supported protocol version header,
   * notifications answered 202, one answer per request (an array for a batch).
   */
  public async handle(headers: Readonly<Record<string, string | undefined>>, parsedBody: unknown, scope: RequestScope): Promise<HttpResponse> {
    const batch = Array.isArray(parsedBody);
    // The fast paths below take only what the SDK would answer the same way; an unsupported
    // protocol version header, `_meta`, a batch or anything unusual goes the long way (and is
    // refused or answered there).
    if (!batch && supportedVersions().includes(headers['mcp-protocol-version'] ?? defaultVersion())) {
      if (isPlainToolsList(parsedBody)) {
        // The listing never changes in a process: serialised once, answered without an SDK round trip.
        this.listingJson ??= JSON.stringify(this.listTools());
        return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"jsonrpc":"2.0","id":${JSON.stringify(parsedBody.id)},"result":${this.listingJson}}` };
      }
      if (isPlainToolCallRequest(parsedBody)) {
        // What the SDK adds to a plain tools/call is routing and an answer envelope (and ~0.1 ms):
        // callTool has the SDK McpServer's semantics, so the answer is the same (a test compares them).
        const { name, arguments: args } = parsedBody.params;
        let result: CallToolResult | undefined;
        try {
          result = await beforeDeadline(this.callTool(name, args, scope), scope);
        } catch (err) {
          // callTool turns a tool's failures into results; this is a fault of the runtime itself,
          // answered as the SDK answers a handler that throws (-32603), without its message.
          logger.error('tools/call failed', { requestId: scope.requestId, server: this.server.name, tool: name, error: (err as Error)?.name, errorMessage: (err as Error)?.message });
          return jsonAnswer(200, jsonRpcError(Code.INTERNAL_ERROR, `Internal error (request ${scope.requestId})`, parsedBody.id));
        }
        if (!result) return jsonAnswer(504, jsonRpcError(Code.INTERNAL_ERROR, NO_ANSWER_IN_TIME));
        return jsonAnswer(200, { jsonrpc: '2.0', id: parsedBody.id, result });
      }
    }
    const messages: readonly unknown[] = batch ? parsedBody : [parsedBody];
    const answers: Indexed[] = [];
    const forward: Forwarded[] = [];
    messages.forEach((message, index) => {
      const invalid = invalidToolCall(message);
      // A cancelled request is never answered, so the JSON response would wait forever: drop them.
      if (invalid) answers.push({ index, answer: invalid });
      else if (invalid !== null && !isCancel(message)) forward.push({ index, message: message as JSONRPCMessage });
    });
    if (forward.length > 0) {
      const refusal = refusalOf(forward.map((f) => f.message), headers);
      if (refusal) return refusal;
      const answered = await this.exchange(forward, scope);
      if (!answered) return jsonAnswer(504, jsonRpcError(Code.INTERNAL_ERROR, NO_ANSWER_IN_TIME));
      answers.push(...answered);
    }
    if (answers.length === 0) return { status: 202, headers: {}, body: '' };
    if (!batch) return jsonAnswer(200, answers[0].answer);
    return jsonAnswer(200, answers.sort((x, y) => x.index - y.index).map((a) => a.answer));
  }

  /**
   * Hands messages to this server's long-lived SDK server and waits for the answers to its
   * requests, until the request's deadline (undefined when it passes first).
   */
  private async exchange(forward: ReadonlyArray<Forwarded>, scope: RequestScope): Promise<Indexed[] | undefined> {
    const transport = await this.connected();
    const ids: number[] = [];
    const pending: Array<Promise<Indexed>> = [];
    for (const { index, message } of forward) {
      if (!isJsonRpcRequest(message)) {
        transport.notify(message);
        continue;
      }
      pending.push(transport.request(message, (id) => {
        ids.push(id);
        this.scopes.set(id, scope);
      }).then((answer) => ({ index, answer })));
    }
    if (pending.length === 0) return [];
    // The SDK answers everything but tools/call (ping, initialize, tools/list, errors) in the same
    // tick: the server's other handlers await nothing, so only tool calls need the backstop.
    const calls = forward.some((f) => (f.message as { method?: unknown }).method === 'tools/call');
    try {
      return await (calls ? beforeDeadline(Promise.all(pending), scope) : Promise.all(pending));
    } finally {
      for (const id of ids) {
        this.scopes.delete(id);
        transport.abandon(id);
      }
    }
  }

  /** The transport of this server's SDK server, connected on first use. */
  private connected(): Promise<DirectTransport> {
    this.connection ??= (async () => {
      const transport = new DirectTransport();
      await this.createServer().connect(transport);
      return transport;
    })();
    return this.connection;
  }

  private createServer(): Server {
    const { Server: SdkServer, CallToolRequestSchema, ListToolsRequestSchema } = sdk();
    const server = new SdkServer(
      { name: `${this.server.name}-mcp-server`, title: `${this.server.contract.displayName} MCP server`, version: RUNTIME_VERSION },
      {
        capabilities: { tools: { listChanged: false } },
        instructions: this.server.allowWrites
          ? undefined
          : `Read-only: the write tools of this ${this.server.contract.displayName} server are disabled.`,
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => this.listTools());
    server.setRequestHandler(CallToolRequestSchema, (req, extra) =>
      this.callTool(req.params.name, req.params.arguments, this.scopes.get(extra.requestId as number)));
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
  public async callTool(name: string, args: Record<string, unknown> | undefined, scope?: RequestScope): Promise<CallToolResult> {
    const tool = this.tools.get(name);
    if (!tool) {
      if (this.disabled.has(name)) {
        if (!policyAllows(this.server, name)) return toolError(policyRefusal(this.server, name));
        if (!this.server.allowWrites) {
          return toolError(`Tool ${name} disabled: writes are off for server ${this.server.name} (set ${this.server.prefix}_ALLOW_WRITES=true to enable them)`);
        }
        const gate = this.closedGates.get(name)!;
        return toolError(`Tool ${name} disabled: it ${gate.what}, which server ${this.server.name} does not allow (set ${this.server.prefix}_${gate.setting}=true, or ${gate.option}, to enable it)`);
      }
      return toolError(`Tool ${name} not found`);
    }
    const parsed = await tool.inputSchema.safeParseAsync(args ?? {});
    if (!parsed.success) {
      return toolError(`Input validation error: Invalid arguments for tool ${name}: ${sdk().getParseErrorMessage(parsed.error)}`);
    }
    if (this.server.missing.length > 0) {
      return toolError(`Server ${this.server.name} is not configured: set ${this.server.missing.join(', ')}`);
    }
    const deadline = scope?.deadline ?? Date.now() + this.opts.requestBudgetMs;
    const started = Date.now();
    let result: CallToolResult;
    try {
      // One upstream slot for the whole call: its reads and what it builds from them are what
      // bounds memory, so a batch (or many clients) cannot run more than a few at once.
      result = await withUpstreamSlot(`Tool ${name}`, deadline, scope?.signal, (held) => {
        const upstream = createUpstreamClient({
          server: this.server,
          credentials: this.opts.credentials,
          deadline,
          attemptTimeoutMs: this.opts.upstreamTimeoutMs,
          tool: name,
          signal: scope?.signal,
          requestId: scope?.requestId,
          held,
        });
        return tool.handler(parsed.data, this.toolContext(upstream, scope?.signal));
      });
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
