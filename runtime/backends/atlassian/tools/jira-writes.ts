/**
 * Jira writes (off unless `<PREFIX>_ALLOW_WRITES=true`): create, comment, transition; and, in the
 * opt-in tier of edits in place (`<PREFIX>_ALLOW_EDITS=true`), update and link. Markdown becomes
 * ADF; a description is only ever appended to as stored, never rewritten from the markdown a read
 * showed (which drops mentions, media and panels). Each write notes the issue's id once it
 * succeeded, for the next searches to be consistent about it (written.ts).
 */
import { z } from 'zod';
import { Refusal, answer, nested, writeTool, type Row } from '../../../kit';
import { markdownToAdf, isAdf, type AdfDoc } from '../adf';
import { accountId, issueKey, markdown, projectKey } from '../shapes';
import { checkIssue, checkProject, ensureIssueAllowed, issuePath, jira } from '../site';
import { issueIdInSelf, noteWritten } from '../written';
import { createIssueTypes, findIssueType, summarizeTransition } from './jira';

const NEEDS = 'Needs writes enabled for this server and the account\'s permission in the project.';
const names = z.array(z.string().trim().min(1).max(255)).max(50);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'due_date must be YYYY-MM-DD');
const customFields = z.record(z.string().regex(/^customfield_\d{1,10}$/, 'custom field ids look like "customfield_10010"'), z.unknown()).optional()
  .describe('Custom fields by id, in Jira\'s JSON for the field (see jira_get_create_fields), e.g. {"customfield_10010": {"value": "SEV-2"}}');

/** `https://<site>/browse/<key>` from a `self` link on the site, or nothing (a gateway `self`). */
function browse(self: unknown, key: unknown): string {
  if (typeof self !== 'string' || self.includes('/ex/jira/')) return '';
  try {
    return `${new URL(self).origin}/browse/${String(key)}`;
  } catch {
    return '';
  }
}

const createIssue = writeTool({
  name: 'jira_create_issue',
  title: 'Create a Jira issue',
  description: `Create a Jira issue; the description is markdown (converted to Jira's rich text). The issue type is checked against the project's create metadata first. ${NEEDS}`,
  input: {
    project: projectKey,
    issue_type: z.string().trim().min(1).max(100).describe('Issue type name (e.g. "Bug", "Task", "Incident") or id'),
    summary: z.string().trim().min(1).max(255),
    description: markdown('The description').optional(),
    labels: names.optional().describe('Labels (no spaces)'),
    priority: z.string().trim().min(1).max(100).optional().describe('Priority name, e.g. "High"'),
    assignee: accountId.optional().describe('Account id of the assignee (see jira_find_user)'),
    parent: issueKey.optional().describe('Parent issue key: the epic, or the issue of a sub-task'),
    due_date: day.optional(),
    components: names.optional().describe('Component names'),
    custom_fields: customFields,
  },
  output: z.object({ key: z.string(), id: z.string(), url: z.string().optional() }),
  async run(a, ctx) {
    checkProject(ctx, a.project);
    if (a.parent) checkIssue(ctx, a.parent);
    const labels = a.labels?.find((l) => /\s/.test(l));
    if (labels) throw new Refusal(`labels cannot contain spaces, got: ${JSON.stringify(labels)}`);
    const type = findIssueType(await createIssueTypes(ctx, a.project), a.issue_type, a.project);
    const fields: Row = {
      ...(a.custom_fields ?? {}),
      project: { key: a.project.toUpperCase() },
      issuetype: { id: String(type.id) },
      summary: a.summary,
      ...(a.description ? { description: markdownToAdf(a.description) } : {}),
      ...(a.labels ? { labels: a.labels } : {}),
      ...(a.priority ? { priority: { name: a.priority } } : {}),
      ...(a.assignee ? { assignee: { accountId: a.assignee } } : {}),
      ...(a.parent ? { parent: { key: a.parent.toUpperCase() } } : {}),
      ...(a.due_date ? { duedate: a.due_date } : {}),
      ...(a.components ? { components: a.components.map((name) => ({ name })) } : {}),
    };
    const res = await jira(ctx, { method: 'POST', path: '/rest/api/3/issue', body: { fields } });
    await noteWritten(ctx, String(res.data.key), res.data.id);
    const url = browse(res.data.self, res.data.key);
    return answer.message(`Created ${String(res.data.key)}${url ? `: ${url}` : ''}`, { key: String(res.data.key), id: String(res.data.id), ...(url ? { url } : {}) });
  },
});

const addComment = writeTool({
  name: 'jira_add_comment',
  title: 'Comment on a Jira issue',
  description: 'Add a comment (markdown) to a Jira issue; visibility restricts it to a project role or group. '
    + `internal: true adds a Jira Service Management internal note (agents only; the issue must be a service request). ${NEEDS}`,
  input: {
    issue_key: issueKey,
    body: markdown('The comment'),
    visibility: z.object({ type: z.enum(['role', 'group']), value: z.string().trim().min(1).max(255).describe('Role or group name') }).strict().optional(),
    internal: z.boolean().optional().describe('Jira Service Management: an internal note, not shown to customers'),
  },
  output: z.object({ id: z.string(), issue_key: z.string(), internal: z.boolean() }),
  async run(a, ctx) {
    const seen = await ensureIssueAllowed(ctx, a.issue_key);
    const key = a.issue_key.toUpperCase();
    if (a.internal) {
      if (a.visibility) throw new Refusal('give internal or visibility, not both: an internal note is already visible to agents only');
      // The service desk API takes plain text (Jira renders its wiki markup), not ADF.
      const res = await jira(ctx, { method: 'POST', path: `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`, body: { body: a.body, public: false } });
      // A request is named by its issue's id in the links of its comments.
      await noteWritten(ctx, key, seen?.id ?? issueIdInSelf(nested(res.data._links, 'self'), 'request'));
      return answer.message(`Added internal note ${String(res.data.id)} to ${key}.`, { id: String(res.data.id), issue_key: key, internal: true });
    }
    const res = await jira(ctx, { method: 'POST', path: `${issuePath(key)}/comment`, body: { body: markdownToAdf(a.body), ...(a.visibility ? { visibility: a.visibility } : {}) } });
    // The comment's `self` is `.../rest/api/3/issue/<issue id>/comment/<id>`.
    await noteWritten(ctx, key, seen?.id ?? issueIdInSelf(res.data.self, 'issue'));
    return answer.message(`Added comment ${String(res.data.id)} to ${key}.`, { id: String(res.data.id), issue_key: key, internal: false });
  },
});

const transition = writeTool({
  name: 'jira_transition_issue',
  title: 'Move a Jira issue through its workflow',
  description: 'Move a Jira issue to another status by taking one of its transitions (id, name, or the target status name, as jira_get_transitions lists them), '
    + `optionally with a resolution and a comment (markdown). ${NEEDS}`,
  input: {
    issue_key: issueKey,
    transition: z.string().trim().min(1).max(255).describe('Transition id or name, or the name of the status it leads to'),
    resolution: z.string().trim().min(1).max(100).optional().describe('Resolution name, e.g. "Fixed" (when the transition screen has the field)'),
    comment: markdown('A comment added with the transition').optional(),
  },
  output: z.object({ issue_key: z.string(), transition_id: z.string(), to_status: z.unknown() }),
  async run(a, ctx) {
    const seen = await ensureIssueAllowed(ctx, a.issue_key);
    const key = a.issue_key.toUpperCase();
    // Transitions are per workflow and status: the id is looked up now, never guessed.
    const res = await jira<{ transitions?: Row[] }>(ctx, { path: `${issuePath(key)}/transitions` });
    const all = res.data.transitions ?? [];
    const wanted = a.transition.toLowerCase();
    const t = all.find((x) => String(x.id) === a.transition) ?? all.find((x) => String(x.name).toLowerCase() === wanted)
      ?? all.find((x) => String(nested(x.to, 'name')).toLowerCase() === wanted);
    if (!t) {
      const list = all.map(summarizeTransition).map((x) => `${String(x.name)} (id ${String(x.id)}) -> ${String(x.to_status)}`).join('; ');
      throw new Refusal(`${key} has no transition ${JSON.stringify(a.transition)} from its current status; it can take: ${list || 'none'}`);
    }
    await jira(ctx, {
      method: 'POST',
      path: `${issuePath(key)}/transitions`,
      body: {
        transition: { id: String(t.id) },
        ...(a.resolution ? { fields: { resolution: { name: a.resolution } } } : {}),
        ...(a.comment ? { update: { comment: [{ add: { body: markdownToAdf(a.comment) } }] } } : {}),
      },
    });
    // Jira answers 204, and the transitions list does not name the issue's id.
    await noteWritten(ctx, key, seen?.id);
    const to = nested(t.to, 'name');
    return answer.message(`Moved ${key} to ${String(to)} (transition ${String(t.id)} "${String(t.name)}").`, { issue_key: key, transition_id: String(t.id), to_status: to });
  },
});

const EDITS = 'In the opt-in tier of edits in place: needs writes and edits (ALLOW_EDITS) enabled for this server.';

const updateIssue = writeTool({
  name: 'jira_update_issue',
  title: 'Update a Jira issue\'s fields',
  description: 'Change a Jira issue\'s summary, priority, assignee, due date or labels, or append markdown to its description. '
    + 'The description is never replaced: what jira_get_issue shows is a simplified rendering, so the new text is appended to the stored rich text. '
    + EDITS,
  input: {
    issue_key: issueKey,
    summary: z.string().trim().min(1).max(255).optional(),
    priority: z.string().trim().min(1).max(100).optional().describe('Priority name'),
    assignee: z.union([accountId, z.literal('none')]).optional().describe('Account id, or "none" to unassign'),
    due_date: z.union([day, z.literal('none')]).optional().describe('YYYY-MM-DD, or "none" to clear'),
    labels_add: names.optional(),
    labels_remove: names.optional(),
    description_append: markdown('Text appended to the end of the description').optional(),
  },
  output: z.object({ issue_key: z.string(), changed: z.array(z.string()) }),
  destructive: true,
  async run(a, ctx) {
    const { issue_key: _key, ...changes } = a;
    const changed = Object.keys(changes).filter((k) => (changes as Row)[k] !== undefined);
    if (changed.length === 0) throw new Refusal('nothing to change: give at least one of summary, priority, assignee, due_date, labels_add, labels_remove, description_append');
    const seen = await ensureIssueAllowed(ctx, a.issue_key);
    const key = a.issue_key.toUpperCase();
    const fields: Row = {};
    let id = seen?.id;
    if (a.summary) fields.summary = a.summary;
    if (a.priority) fields.priority = { name: a.priority };
    if (a.assignee) fields.assignee = a.assignee === 'none' ? null : { accountId: a.assignee };
    if (a.due_date) fields.duedate = a.due_date === 'none' ? null : a.due_date;
    if (a.description_append) {
      // The stored ADF, as Jira has it (not the markdown a read shows), with the new blocks after it.
      const read = (await jira(ctx, { path: issuePath(key), query: { fields: 'description' } })).data;
      id ??= read.id;
      const current = read.fields as Row | undefined;
      const stored = current?.description;
      const added = markdownToAdf(a.description_append);
      fields.description = isAdf(stored) ? { ...stored, content: [...(stored as AdfDoc).content, ...added.content] } : added;
    }
    const labels = [...(a.labels_add ?? []).map((l) => ({ add: l })), ...(a.labels_remove ?? []).map((l) => ({ remove: l }))];
    await jira(ctx, { method: 'PUT', path: issuePath(key), query: { notifyUsers: true }, body: { fields, ...(labels.length > 0 ? { update: { labels } } : {}) } });
    // Jira answers 204 (returnIssue=true would send the whole issue back, comments and all).
    await noteWritten(ctx, key, id);
    return answer.message(`Updated ${key}: ${changed.join(', ')}.`, { issue_key: key, changed });
  },
});

const linkIssues = writeTool({
  name: 'jira_link_issues',
  title: 'Link two Jira issues',
  description: 'Link two Jira issues with a link type ("Blocks", "Relates", "Duplicate", "Cloners"...), inward and outward as Jira\'s issueLink API names them; '
    + `jira_get_issue then shows the link as each side reads it. ${EDITS}`,
  input: {
    link_type: z.string().trim().min(1).max(100).describe('Link type name, e.g. "Blocks"'),
    inward_issue: issueKey,
    outward_issue: issueKey,
    comment: markdown('A comment added to the link').optional(),
  },
  output: z.object({ link_type: z.string(), inward_issue: z.string(), outward_issue: z.string() }),
  async run(a, ctx) {
    const inwardSeen = await ensureIssueAllowed(ctx, a.inward_issue);
    const outwardSeen = await ensureIssueAllowed(ctx, a.outward_issue);
    const inward = a.inward_issue.toUpperCase();
    const outward = a.outward_issue.toUpperCase();
    // Jira answers 201 with an empty body: read as text.
    await jira(ctx, {
      method: 'POST',
      path: '/rest/api/3/issueLink',
      responseType: 'text',
      body: {
        type: { name: a.link_type },
        inwardIssue: { key: inward },
        outwardIssue: { key: outward },
        ...(a.comment ? { comment: { body: markdownToAdf(a.comment) } } : {}),
      },
    });
    await noteWritten(ctx, inward, inwardSeen?.id);
    await noteWritten(ctx, outward, outwardSeen?.id);
    return answer.message(`Linked ${inward} and ${outward} (${a.link_type}).`, { link_type: a.link_type, inward_issue: inward, outward_issue: outward });
  },
});

export const jiraWriteTools = [createIssue, addComment, transition, updateIssue, linkIssues];
