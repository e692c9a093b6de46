import type { BackendContract } from '../backends';

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
    { env: 'JIRA_PROJECTS', format: 'list', description: 'Jira project keys the server may read and write (comma-separated); absent: every project the account sees' },
    { env: 'CONFLUENCE_SPACES', format: 'list', description: 'Confluence space keys the server may read and write (comma-separated); absent: every space the account sees' },
  ],
  tools: { read: [], write: [] },
};
