import { GITLAB_BACKEND, GITLAB_DEFAULT_API_URL } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, listSetting, serverSpec, validateUpstreamUrl } from './common';

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
   * every project of the group and its subgroups). Tools refuse any other project (a numeric
   * project id is resolved to its path first, and a moved project is checked at its new path),
   * and searches and lists are kept inside them: with one entry it is their default scope, with
   * several a tool names the project or group. Paths are case-insensitive, as in GitLab; an
   * entry that another entry already covers is refused.
   *
   * @default - every project the token can see
   */
  readonly projects?: string[];
}

/** A full path of a GitLab project or group: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
const FULL_PATH = /^(?!.*\/\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/;

/**
 * Entries the runtime would treat as one, or that another entry already covers: GitLab paths are
 * case-insensitive, and a group covers everything below it (listing would show those projects twice).
 */
function validateProjectEntries(projects: readonly string[]): void {
  const lower = projects.map((p) => p.toLowerCase());
  lower.forEach((entry, i) => {
    const twin = lower.findIndex((other, j) => j !== i && other === entry);
    if (twin >= 0 && twin < i) {
      throw new Error(`\`projects\` names ${JSON.stringify(projects[twin])} and ${JSON.stringify(projects[i])}, which GitLab treats as one path (paths are case-insensitive)`);
    }
    const above = lower.findIndex((other) => entry.startsWith(`${other}/`));
    if (above >= 0) {
      throw new Error(`\`projects\` names ${JSON.stringify(projects[i])}, which the group ${JSON.stringify(projects[above])} already covers (a group covers its subgroups and their projects)`);
    }
  });
}

export function gitlabSpec(options: GitLabServerOptions): ServerSpec {
  const contract = GITLAB_BACKEND;
  const apiUrl = options.apiUrl ?? contract.defaultUrl ?? GITLAB_DEFAULT_API_URL;
  validateUpstreamUrl('apiUrl', apiUrl, 'token');
  const projects = listSetting('projects', options.projects, FULL_PATH, 'project or group full paths such as "platform/fleet" or "platform"');
  // listSetting has checked each entry (literal, a full path, no exact duplicate); now how they relate.
  if (options.projects && projects !== undefined) validateProjectEntries(options.projects);
  return serverSpec(contract, options, { [contract.urlEnv]: apiUrl, PROJECTS: projects }, { TOKEN: options.token });
}
