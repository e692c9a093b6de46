/**
 * Where a call goes and what it may touch: Jira and Confluence calls through the site
 * (`ATLASSIAN_URL`) or, with `CLOUD_ID`, through the API gateway (`<GATEWAY_URL>/ex/jira/<id>`,
 * `/ex/confluence/<id>`, what scoped API tokens need); and the server's allow-lists of Jira
 * projects and Confluence spaces, checked on every item fetched by key or id before it is shown
 * or written to.
 */
import { ATLASSIAN_GATEWAY_URL, environmentPrefix, parseList } from '../../../src/contract';
import { Refusal, pathSegment, type ToolContext, type UpstreamRequest, type UpstreamResponse } from '../../kit';

type Row = Record<string, unknown>;

const CLOUD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The variable a setting is read from, for messages: `ATLASSIAN_JIRA_PROJECTS`. */
export const variable = (ctx: ToolContext, env: string) => `${environmentPrefix(ctx.serverName)}_${env}`;

/** The gateway base URL of `product`, or `undefined` (the site) without `CLOUD_ID`. */
function gatewayBase(ctx: ToolContext, product: 'jira' | 'confluence'): string | undefined {
  const cloudId = ctx.settings.CLOUD_ID;
  if (cloudId === undefined) return undefined;
  if (!CLOUD_ID.test(cloudId)) {
    throw new Refusal(`${variable(ctx, 'CLOUD_ID')} must be the site's cloud id, a UUID (https://<site>/_edge/tenant_info shows it), got: ${JSON.stringify(cloudId)}`);
  }
  const gateway = (ctx.settings.GATEWAY_URL ?? ATLASSIAN_GATEWAY_URL).replace(/\/+$/, '');
  return `${gateway}/ex/${product}/${pathSegment(cloudId.toLowerCase(), 'cloud id')}`;
}

/** A Jira REST call (`/rest/api/3/...`), to the site or through the gateway. */
export function jira<T = Row>(ctx: ToolContext, req: UpstreamRequest): Promise<UpstreamResponse<T>> {
  const baseUrl = gatewayBase(ctx, 'jira');
  return ctx.upstream.request<T>(baseUrl ? { ...req, baseUrl } : req);
}

/** A Confluence REST call (`/wiki/...`; the gateway keeps the `/wiki` prefix too). */
export function confluence<T = Row>(ctx: ToolContext, req: UpstreamRequest): Promise<UpstreamResponse<T>> {
  const baseUrl = gatewayBase(ctx, 'confluence');
  return ctx.upstream.request<T>(baseUrl ? { ...req, baseUrl } : req);
}

/** The server's Jira project keys (upper case), or `undefined`: every project. */
export function allowedProjects(ctx: ToolContext): string[] | undefined {
  const value = ctx.settings.JIRA_PROJECTS;
  return value === undefined ? undefined : parseList(value).map((p) => p.toUpperCase());
}

/** The server's Confluence space keys, or `undefined`: every space. */
export function allowedSpaces(ctx: ToolContext): string[] | undefined {
  const value = ctx.settings.CONFLUENCE_SPACES;
  return value === undefined ? undefined : parseList(value);
}

// ---- Jira --------------------------------------------------------------------------------------

/** `/rest/api/3/issue/<key>`, the key upper-cased (Jira keys are case-insensitive) and encoded. */
export const issuePath = (key: string) => `/rest/api/3/issue/${pathSegment(key.toUpperCase(), 'issue_key')}`;

const notInProjects = (key: string, allowed: readonly string[]) => new Refusal(`issue ${key} is not in the Jira projects this server may use (${allowed.join(', ')})`);

/**
 * Refuses an issue outside the allow-list: the project in its key first (no call), then the
 * project Jira files it under (an issue moved to another project keeps answering to its old key).
 * Nothing to check without an allow-list.
 */
export function checkIssue(ctx: ToolContext, key: string, issue?: Row): void {
  const allowed = allowedProjects(ctx);
  if (!allowed) return;
  const prefix = /^([A-Za-z][A-Za-z0-9_]*)-\d+$/.exec(key)?.[1]?.toUpperCase();
  if (prefix !== undefined && !allowed.includes(prefix)) throw notInProjects(key, allowed);
  if (issue) {
    const project = ((issue.fields as Row | undefined)?.project as Row | undefined)?.key;
    if (typeof project !== 'string' || !allowed.includes(project.toUpperCase())) throw notInProjects(key, allowed);
  }
}

/**
 * Before touching an issue by key (a write, its changelog...): with an allow-list, its project is
 * looked up and checked. Returns the issue read (its `id` among others), or `undefined` without an
 * allow-list, where nothing is read.
 */
export async function ensureIssueAllowed(ctx: ToolContext, key: string): Promise<Row | undefined> {
  checkIssue(ctx, key);
  if (!allowedProjects(ctx)) return undefined;
  const res = await jira(ctx, { path: issuePath(key), query: { fields: 'project' } });
  checkIssue(ctx, key, res.data);
  return res.data;
}

/** Refuses a project key outside the allow-list. */
export function checkProject(ctx: ToolContext, key: string): void {
  const allowed = allowedProjects(ctx);
  if (allowed && !allowed.includes(key.toUpperCase())) throw new Refusal(`project ${JSON.stringify(key)} is not one this server may use; its Jira projects: ${allowed.join(', ')}`);
}

// ---- Confluence --------------------------------------------------------------------------------

interface Space { id: string; key: string }

/** Spaces by key (`GET /wiki/api/v2/spaces?keys=`), as many as asked (at most 250). */
export async function spacesByKey(ctx: ToolContext, keys: readonly string[]): Promise<Space[]> {
  const res = await confluence<{ results?: Row[] }>(ctx, { path: '/wiki/api/v2/spaces', query: { keys: keys.join(','), limit: 250 } });
  return (res.data.results ?? []).map((s) => ({ id: String(s.id), key: String(s.key) }));
}

/** The ids of the allowed spaces (pages name their space by id), looked up once per process. */
async function allowedSpaceIds(ctx: ToolContext, allowed: readonly string[]): Promise<ReadonlySet<string>> {
  const spaces = await ctx.remember(`confluence-space-ids:${allowed.join(',')}`, () => spacesByKey(ctx, allowed));
  return new Set(spaces.map((s) => s.id));
}

/** The id of a space the server may use, by key: refused outside the allow-list, or when Confluence has no such space. */
export async function spaceId(ctx: ToolContext, key: string): Promise<string> {
  const allowed = allowedSpaces(ctx);
  if (allowed && !allowed.includes(key)) throw new Refusal(`space ${JSON.stringify(key)} is not one this server may use; its Confluence spaces: ${allowed.join(', ')}`);
  const found = (await spacesByKey(ctx, [key])).find((s) => s.key === key);
  if (!found) throw new Refusal(`Confluence has no space with key ${JSON.stringify(key)} that this account can see (confluence_list_spaces lists them)`);
  return found.id;
}

/** Refuses a page (or comment, by its page) whose space is outside the allow-list. */
export async function checkPage(ctx: ToolContext, page: Row, what = `page ${String(page.id)}`): Promise<void> {
  const allowed = allowedSpaces(ctx);
  if (!allowed) return;
  const ids = await allowedSpaceIds(ctx, allowed);
  if (!ids.has(String(page.spaceId))) throw new Refusal(`${what} is not in the Confluence spaces this server may use (${allowed.join(', ')})`);
}

/** `/wiki/api/v2/pages/<id>`. */
export const pagePath = (id: string) => `/wiki/api/v2/pages/${pathSegment(id, 'page_id')}`;

/** Before touching a page by id (children, comments, a write): with an allow-list, the page is fetched and its space checked. */
export async function ensurePageAllowed(ctx: ToolContext, id: string): Promise<void> {
  if (!allowedSpaces(ctx)) return;
  const res = await confluence(ctx, { path: pagePath(id) });
  await checkPage(ctx, res.data);
}
