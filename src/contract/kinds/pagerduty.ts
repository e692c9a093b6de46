import type { BackendContract } from '../backends';

/** The PagerDuty REST API used when a server names none (the EU service is `https://api.eu.pagerduty.com`). */
export const PAGERDUTY_DEFAULT_API_URL = 'https://api.pagerduty.com';

/**
 * PagerDuty through its REST API v2: `Authorization: Token token=<key>`. Writes send a `From`
 * header with a user's email: `FROM_EMAIL`, or the token's own user (`GET /users/me`).
 */
export const PAGERDUTY_BACKEND: BackendContract = {
  kind: 'pagerduty',
  displayName: 'PagerDuty',
  urlEnv: 'API_URL',
  defaultUrl: PAGERDUTY_DEFAULT_API_URL,
  credentials: [{ env: 'TOKEN', optional: false, description: 'A PagerDuty REST API key (account or user; read-only keys suffice without writes)' }],
  settings: [
    { env: 'FROM_EMAIL', format: 'string', description: 'The email of the PagerDuty user that write tools act as (the From header); absent: the token\'s user, from GET /users/me' },
  ],
  tools: {
    read: [
      'whoami', 'list_users', 'list_incidents', 'get_incident', 'get_incident_timeline', 'list_incident_notes', 'list_incident_alerts', 'get_related_incidents',
      'list_oncalls', 'list_schedules', 'get_schedule', 'list_escalation_policies', 'get_escalation_policy',
      'list_services', 'get_service', 'list_change_events',
    ],
    write: ['update_incidents', 'add_incident_note', 'create_incident', 'add_responders', 'post_status_update'],
  },
};
