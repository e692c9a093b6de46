/**
 * The contracts shared by the core pipeline and the backends.
 *
 * A backend is data plus functions: its name, how it authenticates upstream, how it turns
 * an upstream failure into a sentence a person can act on, and its tools.
 */
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { BackendContract, CredentialContract, SettingContract } from '../../src/contract';

/** One credential a backend needs (a token, a password...), as the contract declares it. */
export type CredentialSpec = CredentialContract;

/** One non-secret setting of a backend, as the contract declares it. */
export type SettingSpec = SettingContract;

/** A resolved credential set, keyed by `CredentialSpec.env` (e.g. `{ TOKEN: 'glpat-...' }`). */
export type Credentials = Readonly<Record<string, string | undefined>>;

/** What an upstream call looks like to a tool. */
export interface UpstreamRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the configured base URL, starting with `/` (already URL-encoded where needed). */
  readonly path: string;
  /** Query parameters; `undefined` and `''` are left out, an array repeats the key (`statuses[]=a&statuses[]=b`). */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | ReadonlyArray<string | number | boolean>>>;
  readonly body?: unknown;
  /** `json` (default) parses the body; `text` returns it as a string. */
  readonly responseType?: 'json' | 'text';
  /**
   * Another base URL of this server than its configured one (Atlassian's
   * `https://api.atlassian.com/ex/jira/<cloudId>`, Dynatrace's platform URL). A backend derives it
   * from its settings, never from tool arguments; it is checked like the configured URL (absolute http(s),
   * no credentials, query or fragment) and gets the same authentication headers.
   */
  readonly baseUrl?: string;
  /**
   * Extra request headers (PagerDuty's `From`, an `Accept` of a particular version). They cannot
   * replace the authentication headers.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * For `text` answers larger than the upstream size limit: keep their end (`tail`, e.g. a job
   * log, where failures are) instead of failing. JSON answers over the limit always fail.
   */
  readonly keep?: 'tail';
}

export interface UpstreamResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly data: T;
  /** How many bytes the body had. */
  readonly bytes: number;
  /** With `keep: 'tail'`: how many bytes at the start were dropped to stay within the limit. */
  readonly droppedBytes?: number;
  /** A text answer longer than the read limit: `data` is its start (or its end with `keep: 'tail'`). */
  readonly truncated?: boolean;
}

/** What a backend offers a tool to talk to its upstream API. */
export interface UpstreamClient {
  request<T = unknown>(req: UpstreamRequest): Promise<UpstreamResponse<T>>;
}

export interface ToolContext {
  readonly upstream: UpstreamClient;
  /** Server name (path segment), e.g. `gitlab`. */
  readonly serverName: string;
  /** Aborted when the client goes away (node server); in Lambda the invocation's time limit ends the call. */
  readonly signal: AbortSignal;
  /**
   * The server's settings (`<PREFIX>_<env>` of each `SettingContract`), keyed by `env`; absent or
   * blank ones are `undefined`. Parse `list` settings with `parseList`.
   */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /**
   * The server's configured upstream base URL (its URL variable, or the contract's default), for a
   * backend that derives another base URL from it (Dynatrace's platform URL: `.live.` becomes
   * `.apps.`); `undefined` when none is configured.
   */
  readonly baseUrl?: string;
  /**
   * The value of `compute`, computed once per server and process and shared by later calls (e.g.
   * the token user's email from `GET /users/me`). A failure is not kept: the next call tries again.
   */
  remember<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * Facts about the configured credentials that are not secret (`{ tokenKind: 'platform' }`), from
   * the backend's `traits` function; `{}` when it has none. Tools never see the credentials.
   */
  traits(): Promise<Readonly<Record<string, string>>>;
}

/** One MCP tool of a backend. */
export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** A zod object schema; converted once per process to JSON Schema for tools/list. */
  readonly inputSchema: z.ZodObject;
  /**
   * The shape of the result's `structuredContent` (MCP 2025-06-18); listed as the tool's
   * `outputSchema`, which clients check every non-error result against.
   */
  readonly outputSchema?: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** Mutating tools are registered only when the server allows writes. */
  readonly mutating: boolean;
  handler(args: any, ctx: ToolContext): Promise<CallToolResult>;
}

/** A failure the upstream API reported, turned into something a person can act on. */
export interface UpstreamFailure {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The upstream error body, parsed when it is JSON (never contains our credentials). */
  readonly body: unknown;
}

/** What an authentication scheme may need besides the credentials (a token exchange calls the upstream). */
export interface AuthContext {
  /** The server's upstream base URL. */
  readonly baseUrl: string;
  /** Aborted when the caller goes away. */
  readonly signal?: AbortSignal;
}

/**
 * A backend: its contract (kind, display name, URL variable and default, credentials, tool names;
 * declared once in `src/contract/backends.ts`), its tools, how it authenticates and how it words
 * failures. Written with `defineBackend` (runtime/kit).
 */
export interface BackendDefinition extends Omit<BackendContract, 'tools'> {
  readonly credentials: readonly CredentialSpec[];
  readonly settings: readonly SettingSpec[];
  readonly tools: readonly ToolDefinition[];
  /** Headers that authenticate an upstream call (may wait for a token exchange); omit what is not configured. */
  authHeaders(credentials: Credentials, context: AuthContext): Record<string, string> | Promise<Record<string, string>>;
  /**
   * After an upstream 401: forget what was derived from these credentials (an exchanged access
   * token) and say whether a retry with fresh headers can succeed. Absent: nothing to forget.
   */
  onUnauthorized?(credentials: Credentials): boolean;
  /** The sentence for an upstream failure, e.g. `GitLab answered 403 for GET /projects/42/issues: ...`. */
  describeFailure(failure: UpstreamFailure): string;
  /** Non-secret facts derived from the credentials, for `ToolContext.traits()` (absent: none). */
  traits?(credentials: Credentials): Readonly<Record<string, string>>;
}

/**
 * A backend known by its contract and loaded on first use: its tools (and their zod schemas) are
 * built only when a server of its kind needs them, not when the process starts (the tools/list
 * answer of the bundle is computed at build time from the same definitions).
 */
export interface LazyBackend {
  readonly contract: BackendContract;
  load(): BackendDefinition;
}

/** A backend as `loadConfig` takes it: its definition, or its contract and a loader. */
export type BackendSource = BackendDefinition | LazyBackend;
