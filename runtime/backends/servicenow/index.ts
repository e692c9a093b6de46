/**
 * ServiceNow through its Table API (`/api/now/table`), Aggregate API (`/api/now/stats`), Change
 * Management API (`/api/sn_chg_rest/change`), CMDB instance API (`/api/now/cmdb/instance`) and
 * knowledge articles (`kb_knowledge`).
 *
 * Authentication: OAuth client credentials when a client id and secret are configured (the token
 * exchanged at `<instance>/oauth_token.do` and cached by the kit until shortly before it expires,
 * dropped after a 401), else Basic with an integration user's name and password. Prefer a
 * dedicated integration user with the least roles (itil, or sn_change_read + the read roles).
 *
 * The variables (instance URL, credentials, `TABLES`) and the tool names are ServiceNow's contract
 * (`SERVICENOW_BACKEND` in src/contract/kinds/servicenow.ts), which `McpServer.servicenow()`
 * renders. Encoded queries: query.ts; paging: paging.ts; failure sentences: failures.ts; fields,
 * display values and untrusted text: shapes.ts; tools: tools/.
 */
import { describeServiceNowFailure } from './failures';
import { auth, defineBackend } from '../../kit';
import { changeTools } from './tools/changes';
import { cmdbTools } from './tools/cmdb';
import { directoryTools } from './tools/directory';
import { incidentTools } from './tools/incidents';
import { journalTools } from './tools/journal';
import { knowledgeTools } from './tools/knowledge';
import { tableTools } from './tools/tables';
import { SERVICENOW_BACKEND } from '../../../src/contract';

export { describeServiceNowFailure } from './failures';
export { encodedQuery, queryValue } from './query';
export { htmlToText } from './html';

/** The instance's OAuth token endpoint, from its configured URL (never from a tool argument). */
const tokenUrl = (ctx: { baseUrl: string }) => `${new URL(ctx.baseUrl).origin}/oauth_token.do`;

export const servicenow = defineBackend(SERVICENOW_BACKEND, {
  tools: [...incidentTools, ...journalTools, ...changeTools, ...cmdbTools, ...knowledgeTools, ...directoryTools, ...tableTools],
  // ServiceNow's token endpoint takes the client's id and secret as form parameters.
  auth: auth.firstOf(auth.oauthClientCredentials({ displayName: 'ServiceNow', tokenUrl, clientAuth: 'body' }), auth.basic('USERNAME', 'PASSWORD')),
  describeFailure: describeServiceNowFailure,
});
