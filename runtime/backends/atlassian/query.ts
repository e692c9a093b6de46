/**
 * JQL and CQL built from typed filters. A tool argument only ever becomes a string literal
 * (`"..."`, with `\` and `"` escaped, control characters refused) or one of a fixed set of words
 * (field names, `ORDER BY` keys, `currentUser()`), so no argument can add a clause, close a
 * parenthesis or drop the allow-list; the server's allow-list (`JIRA_PROJECTS`,
 * `CONFLUENCE_SPACES`) is ANDed in front of every query.
 */
import { z } from 'zod';
import { Refusal } from '../../kit';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A JQL or CQL string literal for `value`: both languages quote with `"` and escape with `\`.
 * A control character (a newline...) is refused: no query needs one, and some parsers end a
 * literal there.
 *
 * @example
 * quoted('OPS" OR project != "OPS', 'project'); // '"OPS\\" OR project != \\"OPS"'
 */
export function quoted(value: string, what: string): string {
  if (CONTROL.test(value)) throw new Refusal(`${what} must not contain control characters (a line break, a tab...), got: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `("A", "B")`: a list of literals for `in`. */
export function quotedList(values: readonly string[], what: string): string {
  return `(${values.map((v) => quoted(v, what)).join(', ')})`;
}

/** Dates both languages take: a day, a day and time, or a relative offset (`-7d`, `-2w`, `-4h`, `-30m`). */
export const DATE = /^(?:\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|-\d{1,5}[wdhm])$/;
const date = (what: string) => z.string().trim().regex(DATE, `${what} must be YYYY-MM-DD, "YYYY-MM-DD HH:mm" or a relative offset such as -7d, -2w, -4h`).optional();
const text = (what: string) => z.string().trim().min(1).max(500).optional().describe(what);
const names = (what: string) => z.array(z.string().trim().min(1).max(255)).min(1).max(50).optional().describe(what);

// ---- JQL ---------------------------------------------------------------------------------------

/** The typed filters of the Jira search tools (jira_search, jira_count). */
export const JQL_FILTERS = {
  project: z.union([z.string().trim().min(1).max(255), z.array(z.string().trim().min(1).max(255)).min(1).max(50)]).optional()
    .describe('Project key(s), e.g. "OPS" or ["OPS", "PLAT"]'),
  text: text('Full-text match on summary, description and comments (JQL `text ~`)'),
  summary: text('Match on the summary only (JQL `summary ~`)'),
  status: names('Status names, any of them, e.g. ["In Progress", "Blocked"]'),
  status_category: z.enum(['To Do', 'In Progress', 'Done']).optional().describe('Status category (every workflow maps onto these three)'),
  issue_type: names('Issue type names, any of them, e.g. ["Bug", "Incident"]'),
  priority: names('Priority names, any of them, e.g. ["Highest", "High"]'),
  labels: names('Labels, all of them'),
  assignee: z.string().trim().min(1).max(128).optional().describe('"me" (the server\'s account), "none" (unassigned), or an account id (see jira_find_user)'),
  reporter: z.string().trim().min(1).max(128).optional().describe('"me", "none" or an account id'),
  parent: z.string().trim().min(1).max(64).optional().describe('Parent issue key (sub-tasks, or the issues of an epic)'),
  resolved: z.boolean().optional().describe('true: resolved issues only; false: unresolved only'),
  created_since: date('created_since'),
  updated_since: date('updated_since'),
  updated_before: date('updated_before'),
  order_by: z.enum(['updated', 'created', 'priority', 'key', 'rank', 'due']).optional().describe('Default: updated'),
  order: z.enum(['asc', 'desc']).optional().describe('Default: desc'),
};

export type JqlFilters = { [K in keyof typeof JQL_FILTERS]?: z.infer<(typeof JQL_FILTERS)[K]> };

const user = (field: string, value: string) => (value === 'me' ? `${field} = currentUser()` : value === 'none' ? `${field} is EMPTY` : `${field} = ${quoted(value, field)}`);

/**
 * The JQL of `f`, with `allowed` (the server's project keys) ANDed in front; a project filter
 * naming a project outside `allowed` is refused.
 *
 * @example
 * buildJql({ status: ['Done'], assignee: 'me' }, ['OPS']);
 * // 'project in ("OPS") AND status in ("Done") AND assignee = currentUser() ORDER BY updated DESC'
 */
export function buildJql(f: JqlFilters, allowed: readonly string[] | undefined, withOrder = true): string {
  const clauses: string[] = [];
  const projects = f.project === undefined ? undefined : Array.isArray(f.project) ? f.project : [f.project];
  if (allowed) {
    const outside = (projects ?? []).filter((p) => !allowed.includes(p.toUpperCase()));
    if (outside.length > 0) throw new Refusal(`project ${outside.map((p) => JSON.stringify(p)).join(', ')} is not one this server may use; its Jira projects: ${allowed.join(', ')}`);
    clauses.push(`project in ${quotedList(projects ? projects.map((p) => p.toUpperCase()) : allowed, 'project')}`);
  } else if (projects) {
    clauses.push(`project in ${quotedList(projects, 'project')}`);
  }
  if (f.text) clauses.push(`text ~ ${quoted(f.text, 'text')}`);
  if (f.summary) clauses.push(`summary ~ ${quoted(f.summary, 'summary')}`);
  if (f.status) clauses.push(`status in ${quotedList(f.status, 'status')}`);
  if (f.status_category) clauses.push(`statusCategory = ${quoted(f.status_category, 'status_category')}`);
  if (f.issue_type) clauses.push(`issuetype in ${quotedList(f.issue_type, 'issue_type')}`);
  if (f.priority) clauses.push(`priority in ${quotedList(f.priority, 'priority')}`);
  for (const label of f.labels ?? []) clauses.push(`labels = ${quoted(label, 'labels')}`);
  if (f.assignee) clauses.push(user('assignee', f.assignee));
  if (f.reporter) clauses.push(user('reporter', f.reporter));
  if (f.parent) clauses.push(`parent = ${quoted(f.parent, 'parent')}`);
  if (f.resolved !== undefined) clauses.push(f.resolved ? 'resolution is not EMPTY' : 'resolution is EMPTY');
  if (f.created_since) clauses.push(`created >= ${quoted(f.created_since, 'created_since')}`);
  if (f.updated_since) clauses.push(`updated >= ${quoted(f.updated_since, 'updated_since')}`);
  if (f.updated_before) clauses.push(`updated < ${quoted(f.updated_before, 'updated_before')}`);
  // Jira refuses an unbounded search (no restriction at all) on the enhanced endpoint.
  if (clauses.length === 0) clauses.push('created >= "-365d"');
  const order = withOrder ? ` ORDER BY ${f.order_by === 'due' ? 'duedate' : f.order_by ?? 'updated'} ${(f.order ?? 'desc').toUpperCase()}` : '';
  return clauses.join(' AND ') + order;
}

// ---- CQL ---------------------------------------------------------------------------------------

/** The typed filters of confluence_search. */
export const CQL_FILTERS = {
  text: text('Full-text match on title and body (CQL `text ~`)'),
  title: text('Match on the title only (CQL `title ~`)'),
  space: z.union([z.string().trim().min(1).max(255), z.array(z.string().trim().min(1).max(255)).min(1).max(50)]).optional()
    .describe('Space key(s), e.g. "ENG" or ["ENG", "OPS"]'),
  type: z.enum(['page', 'blogpost', 'comment', 'attachment']).optional().describe('Default: pages and blog posts'),
  labels: names('Labels, all of them'),
  contributor: z.string().trim().min(1).max(128).optional().describe('"me" or an account id: content this user created or edited'),
  ancestor: z.string().regex(/^\d{1,20}$/, 'ancestor must be a page id (digits)').optional().describe('A page id: only pages below it'),
  updated_since: date('updated_since'),
  order_by: z.enum(['relevance', 'lastmodified', 'created', 'title']).optional().describe('Default: relevance with text, else lastmodified (newest first)'),
};

export type CqlFilters = { [K in keyof typeof CQL_FILTERS]?: z.infer<(typeof CQL_FILTERS)[K]> };

const cqlDate = (value: string) => (value.startsWith('-') ? `now(${quoted(value, 'updated_since')})` : quoted(value, 'updated_since'));

/**
 * The CQL of `f`, with `allowed` (the server's space keys) ANDed in front; a space filter naming
 * a space outside `allowed` is refused.
 *
 * @example
 * buildCql({ text: 'runbook' }, ['ENG']); // 'space in ("ENG") AND type in (page, blogpost) AND text ~ "runbook"'
 */
export function buildCql(f: CqlFilters, allowed: readonly string[] | undefined): string {
  const clauses: string[] = [];
  const spaces = f.space === undefined ? undefined : Array.isArray(f.space) ? f.space : [f.space];
  if (allowed) {
    const outside = (spaces ?? []).filter((s) => !allowed.includes(s));
    if (outside.length > 0) throw new Refusal(`space ${outside.map((s) => JSON.stringify(s)).join(', ')} is not one this server may use; its Confluence spaces: ${allowed.join(', ')}`);
    clauses.push(`space in ${quotedList(spaces ?? allowed, 'space')}`);
  } else if (spaces) {
    clauses.push(`space in ${quotedList(spaces, 'space')}`);
  }
  clauses.push(f.type ? `type = ${f.type}` : 'type in (page, blogpost)');
  if (f.text) clauses.push(`text ~ ${quoted(f.text, 'text')}`);
  if (f.title) clauses.push(`title ~ ${quoted(f.title, 'title')}`);
  for (const label of f.labels ?? []) clauses.push(`label = ${quoted(label, 'labels')}`);
  if (f.contributor) clauses.push(f.contributor === 'me' ? 'contributor = currentUser()' : `contributor = ${quoted(f.contributor, 'contributor')}`);
  if (f.ancestor) clauses.push(`ancestor = ${f.ancestor}`);
  if (f.updated_since) clauses.push(`lastmodified >= ${cqlDate(f.updated_since)}`);
  const orderBy = f.order_by ?? (f.text ? 'relevance' : 'lastmodified');
  const order = orderBy === 'relevance' ? '' : ` ORDER BY ${orderBy} ${orderBy === 'title' ? 'ASC' : 'DESC'}`;
  return clauses.join(' AND ') + order;
}
