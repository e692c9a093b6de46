import { Token } from 'aws-cdk-lib';
import { ATLASSIAN_BACKEND, ATLASSIAN_EDIT_TOOLS } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, listSetting, serverSpec, validateUpstreamUrl } from './common';

/** Options of an Atlassian (Jira and Confluence Cloud) MCP server. */
export interface AtlassianServerOptions extends McpServerCommonOptions {
  /**
   * The site's URL, e.g. `https://your-domain.atlassian.net` (its root: the server adds
   * `/rest/api/3` for Jira and `/wiki` for Confluence).
   */
  readonly url: string;

  /**
   * The Atlassian account's email (Basic authentication's user name). With one JSON secret for
   * both: `ServerCredential.fromSecret(secret, 'email')`.
   */
  readonly email: ServerCredential;

  /** An API token of that account: `ServerCredential.fromSecret(secret, 'token')` for a JSON secret. */
  readonly token: ServerCredential;

  /**
   * The site's cloud id, for scoped API tokens: calls then go through
   * `https://api.atlassian.com/ex/jira/<cloudId>` and `.../ex/confluence/<cloudId>`, as scoped
   * tokens require (`https://<site>/_edge/tenant_info` shows it).
   *
   * @default - calls go to the site's URL (classic API tokens)
   */
  readonly cloudId?: string;

  /**
   * The origin of Atlassian's API gateway that `cloudId` calls go through (a proxy, or a fake in
   * tests). Only with `cloudId`.
   *
   * @default 'https://api.atlassian.com'
   */
  readonly gatewayUrl?: string;

  /**
   * The Jira projects the server may use, by key (`['OPS', 'PLAT']`): ANDed into every JQL query,
   * and issues of other projects are refused.
   *
   * @default - every project the account can see
   */
  readonly jiraProjects?: string[];

  /**
   * The Confluence spaces the server may use, by key (`['ENG']`): ANDed into every CQL query, and
   * pages of other spaces are refused.
   *
   * @default - every space the account can see
   */
  readonly confluenceSpaces?: string[];

  /**
   * With `allowWrites`, also offers the tools that edit existing content in place (`jira_update_issue`, `jira_link_issues`, `confluence_update_page`).
   *
   * Without it they are not listed, and a call is refused saying how to enable them.
   * Descriptions and pages are only ever appended to, never rewritten.
   *
   * @default false
   */
  readonly allowEdits?: boolean;
}

const CLOUD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a literal URL has a path besides `/` (the runtime appends the APIs' paths to it). */
function pathOf(url: string): string | undefined {
  if (Token.isUnresolved(url)) return undefined;
  const path = new URL(url).pathname;
  return path === '/' || path === '' ? undefined : path;
}

export function atlassianSpec(options: AtlassianServerOptions): ServerSpec {
  const contract = ATLASSIAN_BACKEND;
  validateUpstreamUrl('url', options.url, 'token');
  const sitePath = pathOf(options.url);
  if (sitePath !== undefined) {
    throw new Error(`\`url\` must be the site's root URL (e.g. "https://your-domain.atlassian.net"; the server adds /rest/api/3 and /wiki itself), got: ${JSON.stringify(options.url)} with path ${sitePath}`);
  }
  if (options.cloudId !== undefined && !Token.isUnresolved(options.cloudId) && !CLOUD_ID.test(options.cloudId)) {
    throw new Error(`\`cloudId\` must be the site's cloud id, a UUID such as "a436116f-02ce-4520-8fbb-7301462a1674", got: ${JSON.stringify(options.cloudId)}`);
  }
  if (options.gatewayUrl !== undefined) {
    if (options.cloudId === undefined) throw new Error(`\`gatewayUrl\` applies only with \`cloudId\` (calls go through the gateway only then), got gatewayUrl ${JSON.stringify(options.gatewayUrl)} without a cloudId`);
    validateUpstreamUrl('gatewayUrl', options.gatewayUrl, 'token');
  }
  if (options.allowEdits && !options.allowWrites) {
    throw new Error(`\`allowEdits\` needs \`allowWrites: true\`: ${ATLASSIAN_EDIT_TOOLS.join(', ')} are write tools, registered only where writes are allowed`);
  }
  return serverSpec(contract, options, {
    [contract.urlEnv]: options.url,
    CLOUD_ID: options.cloudId,
    GATEWAY_URL: options.gatewayUrl,
    JIRA_PROJECTS: listSetting('jiraProjects', options.jiraProjects, /^[A-Z][A-Z0-9_]{0,254}$/, 'Jira project keys (uppercase letters, digits and underscores, starting with a letter)'),
    CONFLUENCE_SPACES: listSetting('confluenceSpaces', options.confluenceSpaces, /^~?[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'Confluence space keys (letters and digits; `~` first for a personal space)'),
    ALLOW_EDITS: options.allowEdits ? 'true' : undefined,
  }, { EMAIL: options.email, TOKEN: options.token });
}
