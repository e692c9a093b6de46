import { GITLAB_BACKEND, GITLAB_DEFAULT_API_URL } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, listSetting, serverSpec, validateUpstreamUrl } from './spec';

/** Options of a GitLab MCP server. */
export interface GitLabServerOptions extends McpServerCommonOptions {
  /**
   * The GitLab REST API base URL (GitLab.com or a self-managed instance, ending in `/api/v4`).
   *
   * @default 'https://gitlab.com/api/v4'
   */
  readonly apiUrl?: string;

  /**
   * The personal, project or group access token the server calls GitLab with.
   *
   * @default - no token: anonymous calls, which can read public projects only
   */
  readonly token?: ServerCredential;

  /**
   * The projects and groups the server may use, by full path (`platform/fleet`, or `platform` for
   * every project of the group and its subgroups). Tools refuse any other project, and searches
   * and lists are kept inside them.
   *
   * @default - every project the token can see
   */
  readonly projects?: string[];
}

/** A full path of a GitLab project or group: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
const FULL_PATH = /^(?!.*\/\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/;

export function gitlabSpec(options: GitLabServerOptions): ServerSpec {
  const contract = GITLAB_BACKEND;
  const apiUrl = options.apiUrl ?? contract.defaultUrl ?? GITLAB_DEFAULT_API_URL;
  validateUpstreamUrl('apiUrl', apiUrl, 'token');
  return serverSpec(contract, options, {
    [contract.urlEnv]: apiUrl,
    PROJECTS: listSetting('projects', options.projects, FULL_PATH, 'project or group full paths such as "platform/fleet" or "platform"'),
  }, { TOKEN: options.token });
}
