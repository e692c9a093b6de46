/**
 * What Jira and Confluence answers look like to a model: the input pieces the tools share, the
 * fields asked for and kept (a Jira issue has dozens, most of them null custom fields), rich text
 * rendered as markdown and framed as untrusted, and the output schemas.
 */
import { z } from 'zod';
import { adfToMarkdown, isAdf, lossyNodes } from './adf';
import { nested, rowSchema, untrusted, type Row } from '../../kit';

// ---- input pieces ------------------------------------------------------------------------------

export const issueKey = z.string().trim().regex(/^(?:[A-Za-z][A-Za-z0-9_]*-\d{1,12}|\d{1,18})$/, 'issue_key must be an issue key such as "OPS-123" (or a numeric issue id)')
  .describe('Issue key, e.g. "OPS-123"');
export const projectKey = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]{0,254}$/, 'project must be a project key such as "OPS"').describe('Project key, e.g. "OPS"');
export const pageId = z.string().trim().regex(/^\d{1,20}$/, 'page_id must be a Confluence page id (digits, e.g. "123456")').describe('Page id, e.g. "123456" (the number in the page\'s URL)');
export const spaceKey = z.string().trim().regex(/^~?[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'space must be a space key such as "ENG"').describe('Space key, e.g. "ENG"');
export const accountId = z.string().trim().regex(/^[A-Za-z0-9:_-]{1,128}$/, 'must be an Atlassian account id (see jira_find_user)');
/** Extra Jira field ids to return (`customfield_10010`, `components`...). */
export const extraFields = z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/, 'field ids are letters, digits, "_" and "." (e.g. "customfield_10010")')).max(30).optional()
  .describe('More fields to return by id (e.g. ["customfield_10010", "components"]; jira_get_create_fields lists them)');
export const markdown = (what: string) => z.string().min(1).max(100_000).describe(`${what} (markdown: headings, lists, code blocks, tables, bold, italic, links)`);

// ---- Jira --------------------------------------------------------------------------------------

/** The fields a search asks for (v3 search returns only ids without them). */
export const ISSUE_FIELDS = ['summary', 'status', 'issuetype', 'priority', 'assignee', 'reporter', 'labels', 'project', 'resolution', 'duedate', 'parent', 'created', 'updated'];
/** And those of one issue in full. */
export const ISSUE_DETAIL_FIELDS = [...ISSUE_FIELDS, 'description', 'components', 'fixVersions', 'issuelinks', 'subtasks', 'environment'];

const person = (value: unknown) => (value && typeof value === 'object' ? (value as Row).displayName : undefined);

/** A field's value as a model reads it: ADF as markdown, `{ name }` / `{ value }` / `{ displayName }` objects as the name. */
function fieldValue(value: unknown): unknown {
  if (isAdf(value)) return adfToMarkdown(value);
  if (Array.isArray(value)) return value.map(fieldValue);
  if (value && typeof value === 'object') {
    const v = value as Row;
    return v.displayName ?? v.name ?? v.value ?? v.key ?? value;
  }
  return value;
}

/** The issue's web page, from its `self` link on the site (a gateway `self` has no site in it). */
function browseUrl(i: Row): string | undefined {
  if (typeof i.self !== 'string' || i.self.includes('/ex/jira/')) return undefined;
  try {
    return `${new URL(i.self).origin}/browse/${String(i.key)}`;
  } catch {
    return undefined;
  }
}

export const ISSUE_ROW = rowSchema(['key', 'id', 'summary', 'status', 'status_category', 'type', 'priority', 'assignee', 'assignee_account_id', 'reporter', 'labels', 'project', 'resolution', 'due', 'parent', 'created', 'updated', 'url'], {
  fields: z.record(z.string(), z.unknown()).optional().describe('The extra fields asked for, by id'),
});

/** One issue as a search row (`extra`: the extra field ids asked for). */
export function summarizeIssue(i: Row, extra: readonly string[] = []): Row {
  const f = (i.fields ?? {}) as Row;
  const status = f.status as Row | undefined;
  const row: Row = {
    key: i.key,
    id: i.id,
    summary: f.summary,
    status: status?.name,
    status_category: nested(status?.statusCategory, 'name'),
    type: nested(f.issuetype, 'name'),
    priority: nested(f.priority, 'name'),
    assignee: person(f.assignee) ?? null,
    assignee_account_id: nested(f.assignee, 'accountId') ?? undefined,
    reporter: person(f.reporter),
    labels: f.labels,
    project: nested(f.project, 'key'),
    resolution: nested(f.resolution, 'name') ?? null,
    due: f.duedate ?? undefined,
    parent: nested(f.parent, 'key'),
    created: f.created,
    updated: f.updated,
    url: browseUrl(i),
  };
  if (extra.length > 0) row.fields = Object.fromEntries(extra.map((id) => [id, fieldValue(f[id]) ?? null]));
  return row;
}

/** Rich text someone wrote, as markdown framed as untrusted, and what markdown could not carry. */
export function richText(value: unknown, what: string): { text: string | null; lossy?: string[] } {
  if (value === null || value === undefined) return { text: null };
  const text = adfToMarkdown(value);
  const lossy = isAdf(value) ? lossyNodes(value) : [];
  return { text: untrusted(text, what), ...(lossy.length > 0 ? { lossy } : {}) };
}

const LINK_ROW = z.object({ relation: z.unknown(), key: z.unknown(), summary: z.unknown().optional(), status: z.unknown().optional() });

export const ISSUE_DETAIL_ROW = ISSUE_ROW.extend({
  description: z.string().nullable().describe('Markdown rendered from Jira\'s ADF, framed as untrusted text'),
  description_lossy: z.array(z.string()).optional().describe('ADF nodes markdown cannot carry exactly (mentions, media, panels...): the description shown is simplified there'),
  components: z.unknown().optional(),
  fix_versions: z.unknown().optional(),
  environment: z.string().nullable().optional(),
  links: z.array(LINK_ROW).optional().describe('Issue links: relation as Jira words it ("blocks", "is blocked by"...), the other issue'),
  subtasks: z.array(z.unknown()).optional(),
  comments: z.array(z.unknown()).optional().describe('Newest first (include "comments")'),
  comments_total: z.number().int().optional().describe('How many comments the issue has in all'),
  remote_links: z.array(z.unknown()).optional().describe('Links to other systems (include "remote_links")'),
});

/** One issue in full: the row, the description (markdown, untrusted), links, sub-tasks. */
export function detailIssue(i: Row, extra: readonly string[] = []): Row {
  const f = (i.fields ?? {}) as Row;
  const key = String(i.key);
  const description = richText(f.description, `description of ${key}`);
  const environment = f.environment ? richText(f.environment, `environment of ${key}`).text : undefined;
  const links = Array.isArray(f.issuelinks) ? f.issuelinks.map((l: Row) => {
    const outward = l.outwardIssue as Row | undefined;
    const other = (outward ?? l.inwardIssue) as Row | undefined;
    const otherFields = (other?.fields ?? {}) as Row;
    return { relation: nested(l.type, outward ? 'outward' : 'inward'), key: other?.key, summary: otherFields.summary, status: nested(otherFields.status, 'name') };
  }) : undefined;
  return {
    ...summarizeIssue(i, extra),
    description: description.text,
    ...(description.lossy ? { description_lossy: description.lossy } : {}),
    components: Array.isArray(f.components) ? f.components.map((c: Row) => c.name) : undefined,
    fix_versions: Array.isArray(f.fixVersions) ? f.fixVersions.map((v: Row) => v.name) : undefined,
    environment,
    links,
    subtasks: Array.isArray(f.subtasks) ? f.subtasks.map((s: Row) => ({ key: s.key, summary: (s.fields as Row | undefined)?.summary, status: nested((s.fields as Row | undefined)?.status, 'name') })) : undefined,
  };
}

export const COMMENT_ROW = rowSchema(['id', 'author', 'created', 'updated', 'body', 'body_lossy', 'visibility']);

/** One Jira comment: author, dates, body as markdown framed as untrusted. */
export function summarizeComment(c: Row, issue: string): Row {
  const body = richText(c.body, `comment ${String(c.id)} on ${issue}`);
  return {
    id: c.id,
    author: person(c.author),
    created: c.created,
    updated: c.updated !== c.created ? c.updated : undefined,
    body: body.text,
    ...(body.lossy ? { body_lossy: body.lossy } : {}),
    visibility: c.visibility ? `${String(nested(c.visibility, 'type'))}: ${String(nested(c.visibility, 'value'))}` : undefined,
  };
}

// ---- Confluence --------------------------------------------------------------------------------

export const PAGE_ROW = rowSchema(['id', 'title', 'status', 'space_id', 'parent_id', 'version', 'author_id', 'created_at', 'url']);

/** A v2 page (or child) without its body; `base` is the `_links.base` of the answer (`https://site/wiki`). */
export function summarizePage(p: Row, base?: unknown): Row {
  const links = (p._links ?? {}) as Row;
  const root = typeof links.base === 'string' ? links.base : typeof base === 'string' ? base : undefined;
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    space_id: p.spaceId,
    parent_id: p.parentId ?? undefined,
    version: nested(p.version, 'number'),
    author_id: p.authorId,
    created_at: p.createdAt,
    url: root && typeof links.webui === 'string' ? root + links.webui : undefined,
  };
}

/** Confluence search marks hits with `@@@hl@@@` ... `@@@endhl@@@`: shown as bold. */
export const highlighted = (text: string) => text.replace(/@@@hl@@@/g, '**').replace(/@@@endhl@@@/g, '**');
