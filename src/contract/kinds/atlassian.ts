import type { BackendContract } from '../backends';

/**
 * The origin of Atlassian's API gateway: with a cloud id, calls go to
 * `<gateway>/ex/jira/<cloudId>` and `<gateway>/ex/confluence/<cloudId>` (scoped API tokens work
 * only there). A setting (`GATEWAY_URL`) so that a fake can stand in for it.
 */
export const ATLASSIAN_GATEWAY_URL = 'https://api.atlassian.com';

/** The tools that edit existing issues and pages in place: offered only with writes and `ALLOW_EDITS=true`. */
export const ATLASSIAN_EDIT_TOOLS: readonly string[] = ['jira_update_issue', 'jira_link_issues', 'confluence_update_page'];

/**
 * Atlassian Cloud: Jira (REST API v3) and Confluence (REST API v2, v1 for CQL search) of one site.
 *
 * Basic authentication with the account's email and an API token. A scoped API token is sent to
 * `https://api.atlassian.com/ex/{jira|confluence}/{cloudId}` instead of the site, which is what
 * `CLOUD_ID` says; the allow-lists are ANDed into every query the server sends.
 */
export const ATLASSIAN_BACKEND: BackendContract = {
  kind: 'atlassian',
  displayName: 'Atlassian',
  urlEnv: 'URL',
  credentials: [
    { env: 'EMAIL', optional: false, description: 'The Atlassian account\'s email address (the user name of Basic authentication)' },
    { env: 'TOKEN', optional: false, description: 'An Atlassian API token of that account (classic, or scoped with CLOUD_ID)' },
  ],
  settings: [
    { env: 'CLOUD_ID', format: 'string', description: 'The site\'s cloud id: calls go through https://api.atlassian.com/ex/<product>/<cloudId>, as scoped API tokens require' },
    { env: 'GATEWAY_URL', format: 'string', description: `The origin of Atlassian's API gateway that CLOUD_ID calls go through (default ${ATLASSIAN_GATEWAY_URL})` },
    { env: 'JIRA_PROJECTS', format: 'list', description: 'Jira project keys the server may read and write (comma-separated); absent: every project the account sees' },
    { env: 'CONFLUENCE_SPACES', format: 'list', description: 'Confluence space keys the server may read and write (comma-separated); absent: every space the account sees' },
    {
      env: 'ALLOW_EDITS',
      format: 'string',
      description: '`true`: with writes on, also the tools that edit existing content in place (jira_update_issue, jira_link_issues, confluence_update_page); absent: they are not offered',
    },
  ],
  tools: {
    read: [
      'jira_search', 'jira_count', 'jira_get_issue', 'jira_get_changelog', 'jira_get_transitions', 'jira_list_projects',
      'jira_get_create_fields', 'jira_find_user',
      'confluence_search', 'confluence_get_page', 'confluence_get_page_children', 'confluence_list_spaces', 'confluence_get_comments',
    ],
    write: [
      'jira_create_issue', 'jira_add_comment', 'jira_transition_issue', 'jira_update_issue', 'jira_link_issues',
      'confluence_create_page', 'confluence_add_comment', 'confluence_update_page',
    ],
  },
  toolGates: [{
    setting: 'ALLOW_EDITS',
    tools: ATLASSIAN_EDIT_TOOLS,
    what: 'edits existing content in place',
    option: '`allowEdits: true` on McpServer.atlassian',
  }],
};
