/** Jira reads: search and count (JQL from typed filters; the search consistent about the issues this server wrote to, written.ts), one issue, its changelog and transitions, projects, create fields, users. */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, answer, json, nested, output, pathSegment, readTool, rowSchema, type Row } from '../../../kit';
import { jiraPages, listPage, searchPages, userPages } from '../paging';
import { JQL_FILTERS, buildJql } from '../query';
import {
  ISSUE_DETAIL_FIELDS, ISSUE_DETAIL_ROW, ISSUE_FIELDS, ISSUE_ROW, detailIssue, extraFields, issueKey, projectKey, summarizeComment, summarizeIssue,
} from '../shapes';
import { allowedProjects, checkIssue, checkProject, ensureIssueAllowed, issuePath, jira } from '../site';
import { RECONCILE_LIMIT, writtenIssueIds } from '../written';

const ALLOW_LIST_NOTE = 'The server\'s allowed projects, when it has any, are ANDed into every query.';

const search = readTool({
  name: 'jira_search',
  title: 'Search Jira issues',
  description: 'Search Jira issues with typed filters (project, text, status, type, priority, labels, assignee, dates...), newest update first; '
    + 'the answer shows the JQL it ran. Rows are slim: jira_get_issue has the description, comments and links. '
    + `${ALLOW_LIST_NOTE} ${searchPages.hint}`,
  input: { ...JQL_FILTERS, fields: extraFields, ...searchPages.input },
  output: output.list(ISSUE_ROW),
  async run(a, ctx) {
    const allowed = allowedProjects(ctx);
    const jql = buildJql(a, allowed);
    const extra = a.fields ?? [];
    // The issues this server wrote to lately, which the eventually consistent search may not show yet
    // (or show as they were): Jira reconciles them in this search, on every page.
    const reconcile = (await writtenIssueIds(ctx)).slice(-RECONCILE_LIMIT);
    return listPage(searchPages, a, 'jira_search', (paging) => jira(ctx, {
      method: 'POST',
      path: '/rest/api/3/search/jql',
      // Without `fields` the enhanced search returns ids only.
      body: { jql, fields: [...ISSUE_FIELDS, ...extra], ...paging, ...(reconcile.length > 0 ? { reconcileIssues: reconcile } : {}) },
    }), (i) => summarizeIssue(i, extra), `JQL: ${jql}`);
  },
});

const count = readTool({
  name: 'jira_count',
  title: 'Count Jira issues',
  description: `Count the Jira issues matching typed filters (the same as jira_search's), without listing them: Jira's approximate count. ${ALLOW_LIST_NOTE}`,
  input: Object.fromEntries(Object.entries(JQL_FILTERS).filter(([k]) => k !== 'order_by' && k !== 'order')) as Omit<typeof JQL_FILTERS, 'order_by' | 'order'>,
  output: z.object({ count: z.number().int().describe('Approximate: newly changed issues may lag'), jql: z.string() }),
  async run(a, ctx) {
    const jql = buildJql(a, allowedProjects(ctx), false);
    const res = await jira<{ count?: number }>(ctx, { method: 'POST', path: '/rest/api/3/search/approximate-count', body: { jql } });
    const n = Number(res.data.count ?? 0);
    return answer.message(`About ${n} issue${n === 1 ? '' : 's'} match. JQL: ${jql}`, { count: n, jql });
  },
});

const getIssue = readTool({
  name: 'jira_get_issue',
  title: 'Get a Jira issue',
  description: 'Get one Jira issue: its fields, description (markdown rendered from Jira\'s rich text; description_lossy names what was simplified), '
    + 'issue links and sub-tasks; include "comments" (newest first) and "remote_links" for more. '
    + `Never write a description back from this text: jira_update_issue appends instead. ${UNTRUSTED_NOTE}`,
  input: {
    issue_key: issueKey,
    include: z.array(z.enum(['comments', 'remote_links'])).max(2).optional().describe('Facets to add: comments, remote_links'),
    comments_limit: z.number().int().min(1).max(50).optional().describe('How many comments, newest first (default 10)'),
    fields: extraFields,
  },
  output: output.item(ISSUE_DETAIL_ROW),
  async run(a, ctx) {
    checkIssue(ctx, a.issue_key);
    const extra = a.fields ?? [];
    const res = await jira(ctx, { path: issuePath(a.issue_key), query: { fields: [...ISSUE_DETAIL_FIELDS, ...extra].join(',') } });
    checkIssue(ctx, a.issue_key, res.data);
    const item = detailIssue(res.data, extra);
    const key = String(res.data.key ?? a.issue_key);
    const include = new Set(a.include ?? []);
    if (include.has('comments')) {
      const limit = a.comments_limit ?? 10;
      const c = await jira<{ comments?: Row[]; total?: number }>(ctx, { path: `${issuePath(key)}/comment`, query: { orderBy: '-created', maxResults: limit, startAt: 0 } });
      item.comments = (c.data.comments ?? []).map((x) => summarizeComment(x, key));
      item.comments_total = c.data.total;
    }
    if (include.has('remote_links')) {
      const r = await jira<Row[]>(ctx, { path: `${issuePath(key)}/remotelink` });
      item.remote_links = (Array.isArray(r.data) ? r.data : []).map((l) => ({
        title: nested(l.object, 'title'), url: nested(l.object, 'url'), relationship: l.relationship, application: nested(l.application, 'name'),
      }));
    }
    return answer.item(item);
  },
});

const CHANGE_ROW = rowSchema(['id', 'author', 'created'], { changes: z.array(z.object({ field: z.unknown(), from: z.unknown(), to: z.unknown() })) });
const changelogPages = jiraPages('values', 50, 100);

const changelog = readTool({
  name: 'jira_get_changelog',
  title: 'Get a Jira issue\'s history',
  description: 'The change history of one Jira issue, oldest first: who changed which field (status, assignee, priority...) from what to what, and when; '
    + `\`fields\` keeps only changes of those fields (e.g. ["status", "assignee"] for an incident timeline). ${changelogPages.hint}`,
  input: {
    issue_key: issueKey,
    fields: z.array(z.string().trim().min(1).max(100)).max(20).optional().describe('Only changes of these fields, by name as Jira shows it (e.g. "status")'),
    ...changelogPages.input,
  },
  output: output.list(CHANGE_ROW),
  async run(a, ctx) {
    await ensureIssueAllowed(ctx, a.issue_key);
    const only = a.fields ? new Set(a.fields.map((f) => f.toLowerCase())) : undefined;
    return listPage(changelogPages, a, 'jira_get_changelog', (query) => jira(ctx, { path: `${issuePath(a.issue_key)}/changelog`, query }), (h) => ({
      id: h.id,
      author: nested(h.author, 'displayName'),
      created: h.created,
      changes: (Array.isArray(h.items) ? h.items as Row[] : [])
        .filter((i) => !only || only.has(String(i.field).toLowerCase()))
        .map((i) => ({ field: i.field, from: i.fromString ?? i.from ?? null, to: i.toString ?? i.to ?? null })),
    }));
  },
});

const TRANSITION_ROW = z.object({
  id: z.unknown(), name: z.unknown(), to_status: z.unknown(), to_category: z.unknown(), has_screen: z.unknown().optional(),
});

export function summarizeTransition(t: Row): z.input<typeof TRANSITION_ROW> {
  return { id: t.id, name: t.name, to_status: nested(t.to, 'name'), to_category: nested(nested(t.to, 'statusCategory'), 'name'), has_screen: t.hasScreen };
}

const transitions = readTool({
  name: 'jira_get_transitions',
  title: 'List a Jira issue\'s transitions',
  description: 'The workflow transitions one Jira issue can take now (its workflow decides: they differ per project and status), with the status each leads to; jira_transition_issue takes the id or name.',
  input: { issue_key: issueKey },
  output: z.object({ issue_key: z.string(), transitions: z.array(TRANSITION_ROW) }),
  async run(a, ctx) {
    await ensureIssueAllowed(ctx, a.issue_key);
    const res = await jira<{ transitions?: Row[] }>(ctx, { path: `${issuePath(a.issue_key)}/transitions` });
    const rows = (res.data.transitions ?? []).map(summarizeTransition);
    const lines = rows.map((t) => `- ${String(t.name)} (id ${String(t.id)}) -> ${String(t.to_status)}`);
    return answer.message(`${a.issue_key.toUpperCase()} can take ${rows.length} transition${rows.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, { issue_key: a.issue_key.toUpperCase(), transitions: rows });
  },
});

const PROJECT_ROW = rowSchema(['key', 'id', 'name', 'type', 'style', 'category', 'lead']);
const projectPages = jiraPages('values', 50, 100);

const listProjects = readTool({
  name: 'jira_list_projects',
  title: 'List Jira projects',
  description: `List the Jira projects the account can see (only the server's allowed ones, when it has any), matching \`query\` on key or name. ${projectPages.hint}`,
  input: { query: z.string().trim().min(1).max(200).optional().describe('Part of a project key or name'), ...projectPages.input },
  output: output.list(PROJECT_ROW),
  run: (a, ctx) => listPage(projectPages, a, 'jira_list_projects', (paging) => jira(ctx, {
    path: '/rest/api/3/project/search',
    query: { query: a.query, keys: allowedProjects(ctx), orderBy: 'key', ...paging },
  }), (p) => ({ key: p.key, id: p.id, name: p.name, type: p.projectTypeKey, style: p.style, category: nested(p.projectCategory, 'name'), lead: nested(p.lead, 'displayName') })),
});

const FIELD_ROW = z.object({
  id: z.unknown(),
  name: z.unknown(),
  required: z.unknown(),
  has_default: z.unknown().optional(),
  type: z.unknown().optional(),
  allowed_values: z.unknown().optional(),
});
const ISSUE_TYPE_ROW = z.object({ id: z.unknown(), name: z.unknown(), subtask: z.unknown().optional(), description: z.unknown().optional() });

/** The issue types of a project that can be created (`GET .../createmeta/<project>/issuetypes`). */
export async function createIssueTypes(ctx: Parameters<typeof jira>[0], project: string): Promise<Row[]> {
  const res = await jira<{ issueTypes?: Row[]; values?: Row[] }>(ctx, { path: `/rest/api/3/issue/createmeta/${pathSegment(project.toUpperCase(), 'project')}/issuetypes`, query: { maxResults: 100 } });
  return res.data.issueTypes ?? res.data.values ?? [];
}

/** The issue type named (or numbered) `wanted`, or a refusal naming the project's types. */
export function findIssueType(types: Row[], wanted: string, project: string): Row {
  const found = types.find((t) => String(t.id) === wanted) ?? types.find((t) => String(t.name).toLowerCase() === wanted.toLowerCase());
  if (!found) throw new Refusal(`project ${project.toUpperCase()} has no issue type ${JSON.stringify(wanted)}; its types: ${types.map((t) => String(t.name)).join(', ') || 'none'}`);
  return found;
}

const CREATE_FIELDS_OUTPUT = z.object({
  project: z.string(), issue_types: z.array(ISSUE_TYPE_ROW).optional(), issue_type: ISSUE_TYPE_ROW.optional(), fields: z.array(FIELD_ROW).optional(),
});

const createFields = readTool({
  name: 'jira_get_create_fields',
  title: 'Get what creating a Jira issue needs',
  description: 'Without issue_type: the issue types a project can create. With issue_type (name or id): the fields of that type, which are required, their types and allowed values; jira_create_issue takes them (custom fields by id).',
  input: { project: projectKey, issue_type: z.string().trim().min(1).max(100).optional().describe('Issue type name (e.g. "Bug") or id') },
  output: CREATE_FIELDS_OUTPUT,
  async run(a, ctx) {
    checkProject(ctx, a.project);
    const project = a.project.toUpperCase();
    const types = await createIssueTypes(ctx, project);
    const typeRow = (t: Row) => ({ id: t.id, name: t.name, subtask: t.subtask, description: t.description || undefined });
    if (!a.issue_type) {
      const data: z.input<typeof CREATE_FIELDS_OUTPUT> = { project, issue_types: types.map(typeRow) };
      return answer.message(`Project ${project} can create: ${types.map((t) => `${String(t.name)} (id ${String(t.id)})`).join(', ')}`, data);
    }
    const type = findIssueType(types, a.issue_type, project);
    const res = await jira<{ fields?: Row[]; values?: Row[] }>(ctx, {
      path: `/rest/api/3/issue/createmeta/${pathSegment(project, 'project')}/issuetypes/${pathSegment(String(type.id), 'issue_type')}`,
      query: { maxResults: 200 },
    });
    const fields = (res.data.fields ?? res.data.values ?? []).map((f) => {
      const schema = (f.schema ?? {}) as Row;
      const values = Array.isArray(f.allowedValues) ? (f.allowedValues as Row[]) : undefined;
      const allowed = values?.slice(0, 25).map((v) => v.name ?? v.value ?? v.key ?? v.id);
      return { id: f.fieldId ?? f.key, name: f.name, required: f.required === true, has_default: f.hasDefaultValue, type: schema.items ? `${String(schema.type)} of ${String(schema.items)}` : schema.type, allowed_values: allowed };
    });
    const required = fields.filter((f) => f.required && !f.has_default).map((f) => String(f.name));
    const data = { project, issue_type: typeRow(type), fields };
    return answer.message(`${String(type.name)} in ${project}: ${fields.length} fields; required without a default: ${required.join(', ') || 'none'}\n${json(fields)}`, data);
  },
});

const USER_ROW = rowSchema(['account_id', 'name', 'email', 'active', 'account_type']);

const findUser = readTool({
  name: 'jira_find_user',
  title: 'Find an Atlassian user',
  description: `Find users by name or email (Jira identifies people by account id: assignee filters and assignments take it). ${userPages.hint}`,
  input: { query: z.string().trim().min(1).max(200).describe('Part of a display name or an email address'), ...userPages.input },
  output: output.list(USER_ROW),
  run: (a, ctx) => listPage(userPages, a, 'jira_find_user', (paging) => jira(ctx, { path: '/rest/api/3/user/search', query: { query: a.query, ...paging } }),
    (u) => ({ account_id: u.accountId, name: u.displayName, email: u.emailAddress || undefined, active: u.active, account_type: u.accountType })),
});

export const jiraReadTools = [search, count, getIssue, changelog, transitions, listProjects, createFields, findUser];
