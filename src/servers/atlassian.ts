import { Token } from 'aws-cdk-lib';
import { ATLASSIAN_BACKEND } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, listSetting, serverSpec, validateUpstreamUrl } from './spec';

/** Options of an Atlassian (Jira and Confluence Cloud) MCP server. */
export interface AtlassianServerOptions extends McpServerCommonOptions {
  /** The site's URL, e.g. `https://your-domain.atlassian.net`. */
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
}

const CLOUD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function atlassianSpec(options: AtlassianServerOptions): ServerSpec {
  const contract = ATLASSIAN_BACKEND;
  validateUpstreamUrl('url', options.url, 'token');
  if (options.cloudId !== undefined && !Token.isUnresolved(options.cloudId) && !CLOUD_ID.test(options.cloudId)) {
    throw new Error(`\`cloudId\` must be the site's cloud id, a UUID such as "a436116f-02ce-4520-8fbb-7301462a1674", got: ${JSON.stringify(options.cloudId)}`);
  }
  return serverSpec(contract, options, {
    [contract.urlEnv]: options.url,
    CLOUD_ID: options.cloudId,
    JIRA_PROJECTS: listSetting('jiraProjects', options.jiraProjects, /^[A-Z][A-Z0-9_]{0,254}$/, 'Jira project keys (uppercase letters, digits and underscores, starting with a letter)'),
    CONFLUENCE_SPACES: listSetting('confluenceSpaces', options.confluenceSpaces, /^~?[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'Confluence space keys (letters and digits; `~` first for a personal space)'),
  }, { EMAIL: options.email, TOKEN: options.token });
}
