/**
 * The contracts shared by the core pipeline and the backends.
 *
 * A backend is data plus functions: its name, how it authenticates upstream, how it turns
 * an upstream failure into a sentence a person can act on, and its tools.
 */
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

/** One credential a backend needs (a token, a password...). */
export interface CredentialSpec {
  /** Suffix of the variables that carry it: `TOKEN` -> `<PREFIX>_TOKEN` and `<PREFIX>_TOKEN_SECRET_ARN`. */
  readonly env: string;
  /** Whether the server can answer without it (GitLab reads public projects anonymously). */
  readonly optional: boolean;
  /** What the credential is, for people reading the backend's code. */
  readonly description: string;
}

/** A resolved credential set, keyed by `CredentialSpec.env` (e.g. `{ TOKEN: 'glpat-...' }`). */
export type Credentials = Readonly<Record<string, string | undefined>>;

/** What an upstream call looks like to a tool. */
export interface UpstreamRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the configured base URL, starting with `/` (already URL-encoded where needed). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | ReadonlyArray<string | number | boolean>>>;
  readonly body?: unknown;
  /** `json` (default) parses the body; `text` returns it as a string. */
  readonly responseType?: 'json' | 'text';
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
}

/** One MCP tool of a backend. */
export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** A zod object schema; converted once per process to JSON Schema for tools/list. */
  readonly inputSchema: z.ZodObject;
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

export interface BackendDefinition {
  /** The kind, e.g. `gitlab`; also the default server name. */
  readonly kind: string;
  /** Human name used in messages: `GitLab`. */
  readonly displayName: string;
  /** Suffix of the variable with the upstream base URL: `API_URL` -> `GITLAB_API_URL`. */
  readonly urlEnv: string;
  /** The base URL used when the variable is absent (undefined: the URL is required). */
  readonly defaultUrl?: string;
  readonly credentials: readonly CredentialSpec[];
  readonly tools: readonly ToolDefinition[];
  /** Headers that authenticate an upstream call; omit what is not configured. */
  authHeaders(credentials: Credentials): Record<string, string>;
  /** The sentence for an upstream failure, e.g. `GitLab answered 403 for GET /projects/42/issues: ...`. */
  describeFailure(failure: UpstreamFailure): string;
}
