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
  ],
  tools: { read: [], write: [] },
};
