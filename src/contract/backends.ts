/**
 * Each backend's variables, declared once: read by the construct factory (`McpServer.gitlab()`)
 * to render them and by the runtime's backend definition (`runtime/backends/<kind>/index.ts`) to
 * read them. The tool names are here too, so the constructs can check `allowTools`/`denyTools`
 * without importing the runtime; a runtime test checks them against the registered tools.
 * One file per kind in `kinds/`; the types and the table of every kind are here.
 */
import { ATLASSIAN_BACKEND } from './kinds/atlassian';
import { DYNATRACE_BACKEND } from './kinds/dynatrace';
import { GITLAB_BACKEND } from './kinds/gitlab';
import { PAGERDUTY_BACKEND } from './kinds/pagerduty';
import { SERVICENOW_BACKEND } from './kinds/servicenow';

export * from './kinds/atlassian';
export * from './kinds/dynatrace';
export * from './kinds/gitlab';
export * from './kinds/pagerduty';
export * from './kinds/servicenow';

/** One credential a backend needs (a token, a password, an OAuth client secret...). */
export interface CredentialContract {
  /** Suffix of the variables that carry it: `TOKEN` -> `<PREFIX>_TOKEN` and `<PREFIX>_TOKEN_SECRET_ARN`. */
  readonly env: string;
  /** Whether the server can answer without it (GitLab reads public projects anonymously). */
  readonly optional: boolean;
  /** What the credential is, for people reading the backend's code and the construct's docs. */
  readonly description: string;
}

/**
 * One non-secret setting of a backend besides its URL (an allow-list of projects, a sender's
 * email...): `<PREFIX>_<env>`, rendered by the construct factory, read by the runtime into
 * `ToolContext.settings` under `env`.
 */
export interface SettingContract {
  /** Suffix of the variable: `PROJECTS` -> `<PREFIX>_PROJECTS`. */
  readonly env: string;
  /** What the setting means and its format, for people reading the backend's code and the construct's docs. */
  readonly description: string;
  /** `list`: comma-separated values (blanks ignored), rendered and read with `renderList`/`parseList`. */
  readonly format: 'string' | 'list';
}

/**
 * Write tools a server offers only where one of its settings is `true`, besides the write switch
 * (Atlassian's edits in place): elsewhere they are not listed, and a call is refused with `what`.
 */
export interface ToolGateContract {
  /** The setting (one of the contract's `settings`) that opens the gate: `ALLOW_EDITS` -> `<PREFIX>_ALLOW_EDITS=true`. */
  readonly setting: string;
  /** The write tools behind it. */
  readonly tools: readonly string[];
  /** What the tools do that needs the gate, for the refusal: `edits existing content in place`. */
  readonly what: string;
  /** The construct option that sets it, for the refusal: `` `allowEdits: true` on McpServer.atlassian ``. */
  readonly option: string;
}

/** What the constructs and the runtime agree on about one backend kind. */
export interface BackendContract {
  /** The kind, e.g. `gitlab`; also the default server name. */
  readonly kind: string;
  /** Human name used in messages: `GitLab`. */
  readonly displayName: string;
  /** Suffix of the variable with the upstream base URL: `API_URL` -> `GITLAB_API_URL`. */
  readonly urlEnv: string;
  /** The base URL used when the variable is absent (undefined: the URL is required). */
  readonly defaultUrl?: string;
  readonly credentials: readonly CredentialContract[];
  /** Non-secret settings besides the URL (absent: none). */
  readonly settings?: readonly SettingContract[];
  /** Every tool of the kind, by whether it reads or writes (writes are registered only where allowed). */
  readonly tools: { readonly read: readonly string[]; readonly write: readonly string[] };
  /** Write tools offered only where a setting is `true` too (absent: none). */
  readonly toolGates?: readonly ToolGateContract[];
}

/** Every backend kind the runtime hosts, by kind. */
export const BACKEND_CONTRACTS: Readonly<Record<string, BackendContract>> = Object.fromEntries(
  [GITLAB_BACKEND, ATLASSIAN_BACKEND, PAGERDUTY_BACKEND, DYNATRACE_BACKEND, SERVICENOW_BACKEND].map((c) => [c.kind, c]),
);

/** Every tool name of a kind (reads, then writes). */
export function toolNames(contract: BackendContract): string[] {
  return [...contract.tools.read, ...contract.tools.write];
}
