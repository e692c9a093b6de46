/**
 * The Dynatrace tool tests' set-up, once: a fake Dynatrace (environment and platform servers) and
 * the node server in front of it, with one MCP server per token situation:
 *
 * - `dynatrace`: a classic token, read-only;          - `dt-rw`: a classic token, writes on;
 * - `dt-grail`: a platform token, writes on;          - `dt-noscope`: a classic token lacking scopes;
 * - `dt-legacy`: a token of no known kind (sent as a classic one, refused);
 * - `dt-crossed`: a platform token whose PLATFORM_URL is the environment server (the wrong host);
 * - `dt-nourl`: a platform token, no PLATFORM_URL, and a URL without `.live.` to derive one from;
 * - `dt-nocopilot`: a platform token without davis-copilot:nl2dql:execute (Davis CoPilot answers 403).
 */
import { startFakeDynatrace, type FakeDynatrace } from '../../../fakes/fake-dynatrace';
import { startBackendFleet, type BackendFleet } from '../fleet';

export { callTool, rowsOf, type Called } from '../fleet';

export interface DynatraceFleet extends BackendFleet<FakeDynatrace> {
  readonly dt: FakeDynatrace;
}

export const SERVERS = 'dynatrace,dt-rw:dynatrace,dt-grail:dynatrace,dt-noscope:dynatrace,dt-legacy:dynatrace,dt-crossed:dynatrace,dt-nourl:dynatrace,dt-nocopilot:dynatrace';

export async function startDynatraceFleet(extra: NodeJS.ProcessEnv = {}): Promise<DynatraceFleet> {
  const fleet = await startBackendFleet(extra, {
    start: startFakeDynatrace,
    perServer: (dt) => ({ URL: dt.url }),
    base: (dt) => ({
      MCP_SERVERS: SERVERS,
      UPSTREAM_TIMEOUT_MS: '2000',
      REQUEST_BUDGET_MS: '8000',
      DYNATRACE_TOKEN: dt.tokens.classic,
      DT_RW_TOKEN: 'dt0c01.WRITER.fake-writer-secret-part',
      DT_RW_ALLOW_WRITES: 'true',
      DT_GRAIL_PLATFORM_URL: dt.platformUrl,
      DT_GRAIL_TOKEN: dt.tokens.platform,
      DT_GRAIL_ALLOW_WRITES: 'true',
      DT_NOSCOPE_TOKEN: 'dt0c01.NOSCOPE.noscope-secret-part',
      DT_LEGACY_TOKEN: 'legacy-token-0123456789',
      DT_CROSSED_PLATFORM_URL: dt.url,
      DT_CROSSED_TOKEN: 'dt0s16.CROSSED.crossed-secret-part',
      DT_NOURL_TOKEN: 'dt0s16.NOURL.nourl-secret-part',
      DT_NOCOPILOT_PLATFORM_URL: dt.platformUrl,
      DT_NOCOPILOT_TOKEN: 'dt0s16.NOCOPILOT.nocopilot-secret-part',
    }),
  });
  return { ...fleet, dt: fleet.fake };
}
