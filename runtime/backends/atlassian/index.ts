/**
 * Atlassian Cloud: Jira through its REST API v3 and Confluence through its REST API v2 (v1 for CQL
 * search, which v2 does not have), both of one site.
 *
 * Authentication: Basic with the account's email and an API token. A scoped API token works only
 * through the API gateway, `https://api.atlassian.com/ex/{jira|confluence}/{cloudId}`: with
 * `CLOUD_ID` set, every call goes there (site.ts); `GATEWAY_URL` moves the gateway (a fake in tests).
 *
 * The variables and the tool names are Atlassian's contract (`ATLASSIAN_BACKEND` in
 * src/contract/kinds/atlassian.ts), which `McpServer.atlassian()` renders. Queries: query.ts (JQL and
 * CQL from typed filters, the allow-lists ANDed in); rich text: adf.ts; paging: paging.ts; failure
 * sentences: failures.ts; fields and rows: shapes.ts; read-after-write for Jira's search (the ids of
 * the issues written to, sent as `reconcileIssues`): written.ts; tools: tools/.
 */
import { describeAtlassianFailure } from './failures';
import { confluenceReadTools } from './tools/confluence';
import { confluenceWriteTools } from './tools/confluence-writes';
import { jiraReadTools } from './tools/jira';
import { jiraWriteTools } from './tools/jira-writes';
import { ATLASSIAN_BACKEND } from '../../../src/contract';
import { auth, defineBackend } from '../../kit';

export { describeAtlassianFailure } from './failures';

export const atlassian = defineBackend(ATLASSIAN_BACKEND, {
  tools: [...jiraReadTools, ...confluenceReadTools, ...jiraWriteTools, ...confluenceWriteTools],
  auth: auth.basic('EMAIL', 'TOKEN'),
  describeFailure: describeAtlassianFailure,
});
