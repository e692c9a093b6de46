/**
 * Each backend's variables, declared once: read by the construct factory (`McpServer.gitlab()`)
 * to render them and by the runtime's backend definition (`runtime/backends/<kind>/index.ts`) to
 * read them. The tool names are here too, so the constructs can check `allowTools`/`denyTools`
 * without importing the runtime; a runtime test checks them against the registered tools.
 */

/** One credential a backend needs (a token, a password, an OAuth client secret...). */
export interface CredentialContract {
  /** Suffix of the variables that carry it: `TOKEN` -> `<PREFIX>_TOKEN` and `<PREFIX>_TOKEN_SECRET_ARN`. */
  readonly env: string;
  /** Whether the server can answer without it (GitLab reads public projects anonymously). */
  readonly optional: boolean;
  /** What the credential is, for people reading the backend's code and the construct's docs. */
  readonly description: string;
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
  /** Every tool of the kind, by whether it reads or writes (writes are registered only where allowed). */
  readonly tools: { readonly read: readonly string[]; readonly write: readonly string[] };
}

/** The GitLab REST API used when a server names none. */
export const GITLAB_DEFAULT_API_URL = 'https://gitlab.com/api/v4';

/** GitLab (gitlab.com or self-managed) through its REST API v4. */
export const GITLAB_BACKEND: BackendContract = {
  kind: 'gitlab',
  displayName: 'GitLab',
  urlEnv: 'API_URL',
  defaultUrl: GITLAB_DEFAULT_API_URL,
  credentials: [{ env: 'TOKEN', optional: true, description: 'GitLab access token (read_api scope; api for write tools)' }],
  tools: {
    read: [
      'list_projects', 'get_project', 'list_issues', 'get_issue', 'list_merge_requests', 'get_merge_request',
      'get_merge_request_diffs', 'list_pipelines', 'get_pipeline_jobs', 'get_job_log', 'get_file_contents', 'search',
    ],
    write: ['create_issue', 'create_issue_note', 'create_merge_request_note'],
  },
};

/** Every backend kind the runtime hosts, by kind. */
export const BACKEND_CONTRACTS: Readonly<Record<string, BackendContract>> = {
  [GITLAB_BACKEND.kind]: GITLAB_BACKEND,
};

/** Every tool name of a kind (reads, then writes). */
export function toolNames(contract: BackendContract): string[] {
  return [...contract.tools.read, ...contract.tools.write];
}
