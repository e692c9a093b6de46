import { SERVICENOW_BACKEND } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, listSetting, serverSpec, validateUpstreamUrl } from './common';

/** Options of a ServiceNow MCP server: Basic authentication, OAuth client credentials, or both (OAuth first). */
export interface ServiceNowServerOptions extends McpServerCommonOptions {
  /** The instance's URL, e.g. `https://your-instance.service-now.com`. */
  readonly instanceUrl: string;

  /**
   * The integration user's name (Basic authentication, with `password`). With one JSON secret
   * for both: `ServerCredential.fromSecret(secret, 'username')`.
   *
   * @default - no Basic authentication (then `clientId` and `clientSecret` are required)
   */
  readonly username?: ServerCredential;

  /**
   * The integration user's password.
   *
   * @default - no Basic authentication
   */
  readonly password?: ServerCredential;

  /**
   * An OAuth client id of the instance (client credentials grant, with `clientSecret`); the token
   * is exchanged at `<instanceUrl>/oauth_token.do` and cached until shortly before it expires.
   * Used instead of `username`/`password` when both are given. The instance must allow the
   * client credentials grant (`glide.oauth.inbound.client.credential.grant_type.enabled`).
   *
   * @default - no OAuth (then `username` and `password` are required)
   */
  readonly clientId?: ServerCredential;

  /**
   * The OAuth client's secret.
   *
   * @default - no OAuth
   */
  readonly clientSecret?: ServerCredential;

  /**
   * The tables the generic tools (`sn_query_table`, `sn_count`) may read, e.g.
   * `['incident', 'u_custom']`. The other tools read their own tables whatever this says.
   *
   * @default - the tables the other tools read: incident, problem, change_request, change_task,
   * sysapproval_approver, sys_journal_field, kb_knowledge, sys_user, sys_user_group, cmdb_ci,
   * cmdb_ci_service, cmdb_ci_server, cmdb_ci_appl
   */
  readonly tables?: string[];
}

export function servicenowSpec(options: ServiceNowServerOptions): ServerSpec {
  const contract = SERVICENOW_BACKEND;
  validateUpstreamUrl('instanceUrl', options.instanceUrl, 'password');
  const pair = (a: ServerCredential | undefined, b: ServerCredential | undefined, names: string) => {
    if ((a === undefined) !== (b === undefined)) throw new Error(`${names} go together: give both or neither`);
    return a !== undefined;
  };
  const basic = pair(options.username, options.password, '`username` and `password`');
  const oauth = pair(options.clientId, options.clientSecret, '`clientId` and `clientSecret`');
  if (!basic && !oauth) {
    throw new Error('A ServiceNow server needs credentials: `username` and `password` (Basic), or `clientId` and `clientSecret` (OAuth client credentials)');
  }
  return serverSpec(contract, options, {
    [contract.urlEnv]: options.instanceUrl,
    TABLES: listSetting('tables', options.tables, /^[a-z][a-z0-9_]{0,79}$/, 'table names (lowercase letters, digits and underscores, e.g. "incident" or "u_custom")'),
  }, { USERNAME: options.username, PASSWORD: options.password, CLIENT_ID: options.clientId, CLIENT_SECRET: options.clientSecret });
}
