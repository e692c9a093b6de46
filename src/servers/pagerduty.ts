import { Token } from 'aws-cdk-lib';
import { PAGERDUTY_BACKEND, PAGERDUTY_DEFAULT_API_URL } from '../contract';
import { ServerCredential } from '../credential';
import { McpServerCommonOptions, ServerSpec, serverSpec, validateUpstreamUrl } from './common';

/** Options of a PagerDuty MCP server. */
export interface PagerDutyServerOptions extends McpServerCommonOptions {
  /**
   * The PagerDuty REST API base URL (`https://api.eu.pagerduty.com` for the EU service region).
   *
   * @default 'https://api.pagerduty.com'
   */
  readonly apiUrl?: string;

  /**
   * The REST API key the server calls PagerDuty with (sent as `Token token=<key>`): an
   * account-level key (a read-only one suffices without writes) or a user-level key, which sees
   * and may do what its user may.
   */
  readonly token: ServerCredential;

  /**
   * The email of the PagerDuty user that write tools act as (the `From` header). Account-level
   * keys need it: PagerDuty refuses their writes without one (400, error 2016). PagerDuty records
   * this user as the one who acknowledged, resolved or added a note, and makes the acknowledger
   * an assignee: give a real responder's address, or a dedicated PagerDuty user's.
   *
   * @default - the key's own user (`GET /users/me`), which only user-level keys have
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
