import { DYNATRACE_BACKEND } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, serverSpec, validateUpstreamUrl } from './spec';

/** Options of a Dynatrace MCP server. */
export interface DynatraceServerOptions extends McpServerCommonOptions {
  /**
   * The environment's URL: `https://<env>.live.dynatrace.com` (SaaS) or
   * `https://<host>/e/<environment-id>` (Managed).
   */
  readonly url: string;

  /**
   * A platform token (`dt0s16.*`: Grail/DQL tools) or a classic access token (`dt0c01.*`:
   * Environment API v2 tools); each tool uses the API its token reaches.
   */
  readonly token: ServerCredential;

  /**
   * The platform (apps) URL that serves Grail queries.
   *
   * @default - the URL with `.live.` replaced by `.apps.`
   */
  readonly platformUrl?: string;
}

export function dynatraceSpec(options: DynatraceServerOptions): ServerSpec {
  const contract = DYNATRACE_BACKEND;
  validateUpstreamUrl('url', options.url, 'token');
  if (options.platformUrl !== undefined) validateUpstreamUrl('platformUrl', options.platformUrl, 'token');
  return serverSpec(contract, options, { [contract.urlEnv]: options.url, PLATFORM_URL: options.platformUrl }, { TOKEN: options.token });
}
