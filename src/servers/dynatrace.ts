import { Token } from 'aws-cdk-lib';
import { DYNATRACE_BACKEND } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, serverSpec, validateUpstreamUrl } from './common';

/** Options of a Dynatrace MCP server. */
export interface DynatraceServerOptions extends McpServerCommonOptions {
  /**
   * The environment's URL: `https://<env>.live.dynatrace.com` (SaaS) or
   * `https://<host>/e/<environment-id>` (Managed).
   */
  readonly url: string;

  /**
   * A platform token (`dt0s16.*`: Grail/DQL tools) or a classic access token (`dt0c01.*`:
   * Environment API v2 tools); each tool uses the API its token reaches, and the tools that exist
   * on one API only (DQL needs a platform token; SLOs and the writes a classic one) say which
   * token they need.
   */
  readonly token: ServerCredential;

  /**
   * The platform (apps) URL that serves Grail queries, for a platform token.
   *
   * @default - the URL with `.live.` replaced by `.apps.` (Dynatrace Managed has no platform)
   */
  readonly platformUrl?: string;

  /**
   * The most gigabytes one Grail query may scan (sent as `defaultScanLimitGbytes`; Grail bills
   * per GB read). A tool call may ask for less, never more.
   *
   * @default 100
   */
  readonly scanLimitGbytes?: number;
}

/** Grail refuses scan limits above this. */
const MAX_SCAN_LIMIT_GBYTES = 10_000;

export function dynatraceSpec(options: DynatraceServerOptions): ServerSpec {
  const contract = DYNATRACE_BACKEND;
  validateUpstreamUrl('url', options.url, 'token');
  if (options.platformUrl !== undefined) validateUpstreamUrl('platformUrl', options.platformUrl, 'token');
  const scan = options.scanLimitGbytes;
  if (scan !== undefined) {
    if (Token.isUnresolved(scan)) throw new Error('`scanLimitGbytes` must be a literal number: the runtime caps every Grail query with it');
    if (!Number.isFinite(scan) || scan <= 0 || scan > MAX_SCAN_LIMIT_GBYTES) {
      throw new Error(`\`scanLimitGbytes\` must be a number of gigabytes above 0 and at most ${MAX_SCAN_LIMIT_GBYTES}, got: ${scan}`);
    }
  }
  return serverSpec(contract, options, {
    [contract.urlEnv]: options.url,
    PLATFORM_URL: options.platformUrl,
    SCAN_LIMIT_GBYTES: scan === undefined ? undefined : String(scan),
  }, { TOKEN: options.token });
}
