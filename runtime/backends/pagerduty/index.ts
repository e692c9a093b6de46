/**
 * PagerDuty through its REST API v2 (`https://api.pagerduty.com`, or the EU service's
 * `https://api.eu.pagerduty.com`).
 *
 * Authentication: a REST API key in `Authorization: Token token=<key>`: an account-level key
 * (read-only suffices without writes) or a user-level key (its user's permissions). Every call
 * sends `Accept: application/vnd.pagerduty+json;version=2`; writes send `From: <email>` (the
 * server's FROM_EMAIL, else the key's own user from `GET /users/me`): see requests.ts.
 *
 * The variables (URL, default, credential, FROM_EMAIL) and the tool names are PagerDuty's
 * contract (`PAGERDUTY_BACKEND` in src/contract/kinds/pagerduty.ts), which `McpServer.pagerduty()`
 * renders. Paging (offset/limit/more, the 10,000 ceiling): paging.ts; failure sentences:
 * failures.ts; IDs, date windows and rows: shapes.ts; tools: tools/.
 */
import { describePagerDutyFailure } from './failures';
import { auth, defineBackend } from '../../kit';
import { incidentTools } from './tools/incidents';
import { oncallTools } from './tools/oncall';
import { serviceTools } from './tools/services';
import { userTools } from './tools/users';
import { writeTools } from './tools/writes';
import { PAGERDUTY_BACKEND } from '../../../src/contract';

export { describePagerDutyFailure } from './failures';
export { PAGERDUTY_ACCEPT } from './requests';
export { MAX_OFFSET } from './paging';

export const pagerduty = defineBackend(PAGERDUTY_BACKEND, {
  tools: [...userTools, ...incidentTools, ...oncallTools, ...serviceTools, ...writeTools],
  auth: auth.template('Authorization', 'Token token={TOKEN}'),
  describeFailure: describePagerDutyFailure,
});
