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
    { env: 'TABLES', format: 'list', description: 'Tables the generic query tool may read (comma-separated); absent: the tables the other tools read (incident, problem, change_request, change_task, sysapproval_approver, sys_journal_field, kb_knowledge, sys_user, sys_user_group, cmdb_ci and its service, server and application classes)' },
  ],
  tools: {
    read: [
      'sn_search_incidents', 'sn_get_incident', 'sn_search_problems', 'sn_get_journal',
      'sn_search_changes', 'sn_get_change', 'sn_check_change_conflicts',
      'sn_find_ci', 'sn_get_ci', 'sn_search_knowledge', 'sn_find_user_or_group', 'sn_count', 'sn_query_table',
    ],
    write: [
      'sn_create_incident', 'sn_update_incident', 'sn_add_work_note', 'sn_add_customer_comment',
      'sn_create_change', 'sn_update_change', 'sn_decide_change_approval', 'sn_calculate_change_risk',
    ],
  },
};
