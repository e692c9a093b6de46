/**
 * Read-after-write for Jira's search. The enhanced search (`POST /rest/api/3/search/jql`) is
 * eventually consistent: an issue just created, edited, transitioned, commented on or linked may be
 * missing from the next search, or found as it was. Jira makes up to 50 issues consistent in one
 * search when their numeric ids are sent as `reconcileIssues`
 * (developer.atlassian.com/cloud/jira/platform/search-and-reconcile).
 *
 * So each server keeps the ids of the last 50 issues its Jira write tools touched in this process
 * (`ToolContext.remember`: one list per server, newest kept), and `jira_search` sends them. An id is
 * noted only once the write succeeded. The approximate count (`POST .../search/approximate-count`)
 * takes a JQL only: it has no such parameter.
 */
import { issuePath, jira } from './site';
import type { ToolContext } from '../../kit';

type Row = Record<string, unknown>;

/** How many issue ids Jira reconciles in one search at most. */
export const RECONCILE_LIMIT = 50;

/** The ids of the issues a server wrote to, oldest first, at most `RECONCILE_LIMIT`. */
class WrittenIssues {
  private readonly ids: number[] = [];

  public add(id: number): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
    this.ids.push(id);
    if (this.ids.length > RECONCILE_LIMIT) this.ids.splice(0, this.ids.length - RECONCILE_LIMIT);
  }

  public list(): number[] {
    return [...this.ids];
  }
}

const written = (ctx: ToolContext) => ctx.remember('jira:written-issues', () => Promise.resolve(new WrittenIssues()));

/** A Jira issue id (`"10042"`, or the number) as a number; `undefined` for anything else (a key, nothing). */
export function issueIdOf(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) return undefined;
  const id = Number(text);
  return id > 0 ? id : undefined;
}

/** The issue id in the path of a `self` link: `.../rest/api/3/issue/10042/comment/1`, `.../servicedeskapi/request/10042/comment/1`. */
export function issueIdInSelf(self: unknown, segment: 'issue' | 'request'): number | undefined {
  if (typeof self !== 'string') return undefined;
  return issueIdOf(new RegExp(`/${segment}/(\\d+)/`).exec(self)?.[1]);
}

/** The ids to send as `reconcileIssues`, oldest first (empty when the server wrote nothing yet). */
export async function writtenIssueIds(ctx: ToolContext): Promise<number[]> {
  return (await written(ctx)).list();
}

/**
 * After a write to the issue `key` succeeded: notes its id for later searches. `known` is the id a
 * call of the tool already returned (the create answer, the issue read for the allow-list); without
 * one the issue is looked up (`GET .../issue/<key>?fields=project`). A failed look-up notes nothing and
 * does not fail the tool: the write was done.
 */
export async function noteWritten(ctx: ToolContext, key: string, known?: unknown): Promise<void> {
  let id = issueIdOf(known);
  if (id === undefined) {
    try {
      id = issueIdOf((await jira<Row>(ctx, { path: issuePath(key), query: { fields: 'project' } })).data?.id);
    } catch {
      return;
    }
  }
  if (id !== undefined) (await written(ctx)).add(id);
}
