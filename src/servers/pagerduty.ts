import { Token } from 'aws-cdk-lib';
import { PAGERDUTY_BACKEND, PAGERDUTY_DEFAULT_API_URL } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, serverSpec, validateUpstreamUrl } from './spec';

/** Options of a PagerDuty MCP server. */
export interface PagerDutyServerOptions extends McpServerCommonOptions {
  /**
   * The PagerDuty REST API base URL (`https://api.eu.pagerduty.com` for the EU service region).
   *
   * @default 'https://api.pagerduty.com'
   */
  readonly apiUrl?: string;

  /** The REST API key the server calls PagerDuty with (sent as `Token token=<key>`). */
  readonly token: ServerCredential;

  /**
   * The email of the PagerDuty user that write tools act as (the `From` header PagerDuty requires
   * of account keys).
   *
   * @default - the token's own user (`GET /users/me`), which works for user keys only
   */
  readonly fromEmail?: string;
}

export function pagerdutySpec(options: PagerDutyServerOptions): ServerSpec {
  const contract = PAGERDUTY_BACKEND;
  const apiUrl = options.apiUrl ?? contract.defaultUrl ?? PAGERDUTY_DEFAULT_API_URL;
  validateUpstreamUrl('apiUrl', apiUrl, 'token');
  if (options.fromEmail !== undefined && !Token.isUnresolved(options.fromEmail) && !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(options.fromEmail)) {
    throw new Error(`\`fromEmail\` must be an email address, got: ${JSON.stringify(options.fromEmail)}`);
  }
  return serverSpec(contract, options, { [contract.urlEnv]: apiUrl, FROM_EMAIL: options.fromEmail }, { TOKEN: options.token });
}
