import type { BackendContract } from '../backends';

/**
 * Dynatrace SaaS or Managed: a platform token (`dt0s16.*`, Bearer; Grail/DQL on
 * `*.apps.dynatrace.com`) or a classic access token (`dt0c01.*`, `Api-Token`; Environment API v2 on
 * `*.live.dynatrace.com`). Each tool uses the API its token kind reaches and says so when a tool
 * needs the other kind.
 */
export const DYNATRACE_BACKEND: BackendContract = {
  kind: 'dynatrace',
  displayName: 'Dynatrace',
  urlEnv: 'URL',
  credentials: [{ env: 'TOKEN', optional: false, description: 'A Dynatrace platform token (dt0s16.*) or classic access token (dt0c01.*)' }],
  settings: [
    { env: 'PLATFORM_URL', format: 'string', description: 'The platform (apps) URL for Grail queries; absent: derived from the URL (`.live.` becomes `.apps.`)' },
    { env: 'SCAN_LIMIT_GBYTES', format: 'string', description: 'The most gigabytes one Grail query may scan (`defaultScanLimitGbytes`; Grail bills per GB read); absent: 100' },
  ],
  tools: {
    read: [
      'get_environment_info', 'list_problems', 'get_problem', 'find_entities', 'get_entity', 'query_metrics',
      'search_logs', 'list_events', 'list_security_problems', 'list_slos', 'execute_dql', 'verify_dql',
      'nl_to_dql',
    ],
    write: ['add_problem_comment', 'send_event', 'close_problem'],
  },
};
