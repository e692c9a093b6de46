import type { BackendContract } from '../backends';

/**
 * ServiceNow through the Table, Change Management, CMDB instance and Knowledge APIs: Basic
 * authentication with an integration user, or OAuth client credentials (the token exchanged at
 * `/oauth_token.do` and cached) when a client id and secret are given.
 */
export const SERVICENOW_BACKEND: BackendContract = {
  kind: 'servicenow',
  displayName: 'ServiceNow',
  urlEnv: 'INSTANCE_URL',
  credentials: [
    { env: 'USERNAME', optional: true, description: 'The integration user\'s name (Basic authentication, with PASSWORD)' },
    { env: 'PASSWORD', optional: true, description: 'The integration user\'s password' },
    { env: 'CLIENT_ID', optional: true, description: 'An OAuth client id (client credentials grant, with CLIENT_SECRET); preferred over Basic when set' },
    { env: 'CLIENT_SECRET', optional: true, description: 'The OAuth client\'s secret' },
  ],
  settings: [
    { env: 'TABLES', format: 'list', description: 'Tables the generic query tool may read (comma-separated); absent: the incident, problem, change, task and CMDB tables the other tools use' },
  ],
  tools: { read: [], write: [] },
};
