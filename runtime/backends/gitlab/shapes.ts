/**
 * What GitLab answers look like to a model: the input pieces every tool shares, the fields kept of
 * each object (GitLab objects carry dozens of links and flags), and their output schemas.
 */
import { z } from 'zod';
import { nested, nestedAll, pathSegment, pick, rowSchema, safeDecode, segmentProblem, segmentString, untrusted, type Row } from '../../kit';

// ---- input pieces ------------------------------------------------------------------------------

export const projectId = z.union([
  z.number().int().positive(),
  z.string().trim().min(1).superRefine((v, ctx) => {
    const decoded = safeDecode(v);
    const problem = /^\.{1,2}$/.test(decoded) ? 'project_id "." or ".." is not a project' : segmentProblem(decoded, 'project_id');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
]).describe('Project ID (e.g. 42) or URL-encoded-or-not full path (e.g. "group/subgroup/project")');

export const sort = z.enum(['asc', 'desc']).optional();
export const labels = z.string().optional().describe('Comma-separated label names; all must match');

export const iid = (what: string) => z.number().int().positive().describe(`The ${what}'s IID (the number shown in the project, e.g. !12 or #12)`);

/** A group by full path (`platform` or `platform/backend`), encoded or not. */
export const groupId = segmentString('group', { decode: true }).describe('Full path of a group, e.g. "platform" or "platform/backend" (its subgroups are included)');

/** A branch, tag or commit SHA: a query parameter, so any text is safe; blank is refused. */
export const ref = (what = 'Branch, tag or commit SHA') => z.string().trim().min(1).max(1024).describe(what);

/** A commit SHA (full or short), which becomes a path segment. */
export const sha = z.string().trim().regex(/^[0-9a-fA-F]{7,64}$/, 'sha must be a commit SHA of 7 to 64 hexadecimal digits').describe('Commit SHA (full or at least 7 characters)');

/** A date-time filter, passed on as given (GitLab reads ISO 8601). */
export const isoTime = (what: string) => z.string().trim().regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, `${what} must be an ISO 8601 date or date-time, e.g. 2026-11-20 or 2026-11-20T10:00:00Z`)
  .describe(`${what}: ISO 8601 date or date-time, e.g. 2026-11-20T10:00:00Z`);

/** Diff entries at or under one of `paths` (client-side: GitLab's diff endpoints take no path filter); all without paths. */
export function underPaths(paths: readonly string[] | undefined): (file: Row) => boolean {
  const dirs = paths?.map((p) => p.replace(/\/+$/, ''));
  return (file) => !dirs || dirs.some((p) => [file.new_path, file.old_path].some((f) => typeof f === 'string' && (f === p || f.startsWith(`${p}/`))));
}

/** `/groups/<path>`, encoded once. */
export function groupPath(group: string): string {
  return `/groups/${pathSegment(group.trim(), 'group', { decode: true })}`;
}

/** `/projects/<id>` with the id encoded the way GitLab wants (`group/app` -> `group%2Fapp`, never twice). */
export function projectPath(id: number | string): string {
  return `/projects/${pathSegment(typeof id === 'number' ? id : id.trim(), 'project_id', { decode: true })}`;
}

// ---- fields and rows ---------------------------------------------------------------------------

export const PROJECT_FIELDS = ['id', 'path_with_namespace', 'name', 'description', 'default_branch', 'visibility', 'web_url', 'last_activity_at', 'star_count', 'open_issues_count', 'archived'];
const ISSUE_FIELDS = ['id', 'iid', 'project_id', 'title', 'state', 'labels', 'milestone', 'created_at', 'updated_at', 'closed_at', 'due_date', 'web_url', 'user_notes_count', 'confidential'];
const MR_FIELDS = ['id', 'iid', 'project_id', 'title', 'state', 'draft', 'source_branch', 'target_branch', 'labels', 'merge_status', 'detailed_merge_status', 'has_conflicts', 'created_at', 'updated_at', 'merged_at', 'web_url', 'user_notes_count', 'sha'];
export const PIPELINE_FIELDS = ['id', 'iid', 'project_id', 'status', 'source', 'ref', 'sha', 'created_at', 'updated_at', 'web_url'];
export const JOB_FIELDS = ['id', 'name', 'stage', 'status', 'failure_reason', 'allow_failure', 'duration', 'queued_duration', 'created_at', 'started_at', 'finished_at', 'web_url'];
export const DIFF_FIELDS = ['old_path', 'new_path', 'new_file', 'renamed_file', 'deleted_file', 'too_large', 'collapsed', 'diff'];
export const COMMIT_FIELDS = ['id', 'short_id', 'title', 'author_name', 'author_email', 'authored_date', 'committer_name', 'committed_date', 'parent_ids', 'web_url'];
export const TREE_FIELDS = ['id', 'name', 'type', 'path', 'mode'];
export const ENVIRONMENT_FIELDS = ['id', 'name', 'slug', 'tier', 'state', 'external_url', 'created_at', 'updated_at'];
const DEPLOYMENT_FIELDS = ['id', 'iid', 'ref', 'sha', 'status', 'created_at', 'updated_at', 'finished_at'];
const PIPELINE_DETAIL_FIELDS = [...PIPELINE_FIELDS, 'before_sha', 'tag', 'yaml_errors', 'started_at', 'finished_at', 'committed_at', 'duration', 'queued_duration', 'coverage'];
const BRIDGE_FIELDS = ['id', 'name', 'stage', 'status', 'allow_failure', 'created_at', 'started_at', 'finished_at', 'duration', 'web_url'];
export const LABEL_FIELDS = ['id', 'name', 'description', 'color', 'text_color', 'priority', 'is_project_label', 'open_issues_count', 'closed_issues_count', 'open_merge_requests_count'];
const MILESTONE_FIELDS = ['id', 'iid', 'project_id', 'group_id', 'title', 'state', 'start_date', 'due_date', 'expired', 'created_at', 'updated_at', 'web_url'];
const RELEASE_FIELDS = ['tag_name', 'name', 'created_at', 'released_at', 'upcoming_release'];
const NOTE_FIELDS = ['id', 'type', 'system', 'created_at', 'updated_at', 'resolvable', 'resolved', 'resolved_at'];
const POSITION_FIELDS = ['base_sha', 'start_sha', 'head_sha', 'position_type', 'old_path', 'new_path', 'old_line', 'new_line', 'line_range'];

const usernames = z.array(z.unknown()).optional().describe('usernames');

export const PROJECT_ROW = rowSchema(PROJECT_FIELDS, { topics: z.unknown().optional(), namespace: z.unknown().optional().describe('full path of the namespace') });
export const ISSUE_ROW = rowSchema(ISSUE_FIELDS, {
  milestone: z.unknown().optional().describe('milestone title'),
  author: z.unknown().optional().describe('username'),
  assignees: usernames,
  description: z.unknown().optional(),
  notes: z.array(z.unknown()).optional().describe('With include notes: the comments, oldest first, bodies framed as untrusted text'),
});
export const MR_ROW = rowSchema(MR_FIELDS, {
  author: z.unknown().optional().describe('username'),
  assignees: usernames,
  reviewers: usernames,
  description: z.unknown().optional(),
  head_pipeline: z.unknown().optional(),
  diff_refs: z.unknown().optional().describe('base_sha, start_sha, head_sha: the position of inline comments'),
  changes_count: z.unknown().optional().describe('Files changed; a trailing "+" means GitLab cut the diff list'),
  commits: z.array(z.unknown()).optional().describe('With include commits'),
  pipelines: z.array(z.unknown()).optional().describe('With include pipelines'),
  approvals: z.unknown().optional().describe('With include approvals: the approval rules and who approved'),
});
export const COMMIT_ROW = rowSchema(COMMIT_FIELDS);
export const COMMIT_DETAIL_ROW = rowSchema(COMMIT_FIELDS, {
  message: z.unknown().optional().describe('The whole commit message, framed as untrusted text'),
  stats: z.unknown().optional().describe('additions, deletions, total'),
  status: z.unknown().optional().describe('The commit\'s pipeline status'),
  last_pipeline: z.unknown().optional(),
});
export const NOTE_ROW = rowSchema(NOTE_FIELDS, {
  author: z.unknown().optional().describe('username'),
  body: z.unknown().optional().describe('The comment, framed as untrusted text'),
  resolved_by: z.unknown().optional().describe('username'),
  position: z.unknown().optional().describe('Where an inline comment sits in the diff'),
});
export const DISCUSSION_ROW = z.looseObject({
  id: z.unknown().optional().describe('Discussion ID (for replies and resolving)'),
  individual_note: z.unknown().optional().describe('true: a single comment, not a thread'),
  resolvable: z.boolean().optional(),
  resolved: z.boolean().optional().describe('Whether every resolvable note of the thread is resolved'),
  notes: z.array(NOTE_ROW).optional(),
});
export const DEPLOYMENT_ROW = rowSchema(DEPLOYMENT_FIELDS, {
  environment: z.unknown().optional().describe('environment name'),
  user: z.unknown().optional().describe('username'),
  pipeline: z.unknown().optional().describe('id, status, web_url of the deploying pipeline'),
  job: z.unknown().optional().describe('id, name, status, web_url of the deploying job'),
});
export const PIPELINE_DETAIL_ROW = rowSchema(PIPELINE_DETAIL_FIELDS, {
  user: z.unknown().optional().describe('username'),
  detailed_status: z.unknown().optional().describe('GitLab\'s status label'),
  bridges: z.array(z.looseObject({})).optional().describe('Trigger jobs and the downstream pipelines they started'),
});
export const MILESTONE_ROW = rowSchema(MILESTONE_FIELDS, { description: z.unknown().optional().describe('Framed as untrusted text') });
export const RELEASE_ROW = rowSchema(RELEASE_FIELDS, {
  description: z.unknown().optional().describe('The release notes, framed as untrusted text'),
  author: z.unknown().optional().describe('username'),
  commit: z.unknown().optional().describe('id, short_id, title of the tagged commit'),
  milestones: z.array(z.unknown()).optional().describe('milestone titles'),
  asset_links: z.array(z.unknown()).optional().describe('name, url, link_type of each asset link'),
  web_url: z.unknown().optional(),
});
/** Search rows differ by scope (projects, issues, blobs...): GitLab's own fields, unchanged. */
export const SEARCH_ROW = rowSchema([]);

/** A text written by others framed as data (`untrusted`); anything else as it is. */
export function framed(value: unknown, what: string): unknown {
  return typeof value === 'string' && value !== '' ? untrusted(value, what) : value;
}

export function summarizeIssue(i: Row, withBody = false): Row {
  return {
    ...pick(i, ISSUE_FIELDS),
    milestone: nested(i.milestone, 'title') ?? undefined,
    author: nested(i.author, 'username'),
    assignees: nestedAll(i.assignees, 'username'),
    ...(withBody ? { description: framed(i.description, `description of issue #${String(i.iid)}`) } : {}),
  };
}

export function summarizeMr(m: Row, withBody = false): Row {
  return {
    ...pick(m, MR_FIELDS),
    author: nested(m.author, 'username'),
    assignees: nestedAll(m.assignees, 'username'),
    reviewers: nestedAll(m.reviewers, 'username'),
    ...(withBody ? {
      description: framed(m.description, `description of merge request !${String(m.iid)}`),
      head_pipeline: m.head_pipeline ? pick(m.head_pipeline as object, ['id', 'status', 'web_url']) : undefined,
      // What an inline comment's position is made of (create_merge_request_discussion), and the head a review is of.
      diff_refs: m.diff_refs,
      changes_count: m.changes_count,
    } : {}),
  };
}

/** `author.username`, the way every summary names people. */
const username = (u: unknown) => nested(u, 'username');

/** A note as answers show it: its body framed as untrusted text, inline position kept. */
export function summarizeNote(n: Row): Row {
  const author = username(n.author);
  return {
    ...pick(n, NOTE_FIELDS),
    author,
    body: typeof n.body === 'string' ? untrusted(n.body, `comment ${String(n.id)} by @${String(author)}`) : n.body,
    resolved_by: n.resolved_by ? username(n.resolved_by) : undefined,
    position: n.position ? pick(n.position as object, POSITION_FIELDS) : undefined,
  };
}

export function summarizeDiscussion(d: Row): Row {
  const notes = Array.isArray(d.notes) ? (d.notes as Row[]) : [];
  const resolvable = notes.some((n) => n.resolvable === true);
  return {
    id: d.id,
    individual_note: d.individual_note,
    resolvable,
    ...(resolvable ? { resolved: notes.filter((n) => n.resolvable === true).every((n) => n.resolved === true) } : {}),
    notes: notes.map(summarizeNote),
  };
}

export function summarizeCommit(c: Row, withMessage = false): Row {
  return {
    ...pick(c, COMMIT_FIELDS),
    ...(withMessage ? {
      message: typeof c.message === 'string' ? untrusted(c.message, `commit message of ${String(c.short_id ?? c.id)}`) : c.message,
      stats: c.stats,
      status: c.status,
      last_pipeline: c.last_pipeline ? pick(c.last_pipeline as object, ['id', 'status', 'ref', 'web_url']) : undefined,
    } : {}),
  };
}

export function summarizeDeployment(d: Row): Row {
  const job = d.deployable as Row | null | undefined;
  return {
    ...pick(d, DEPLOYMENT_FIELDS),
    environment: nested(d.environment, 'name'),
    user: username(d.user),
    job: job ? pick(job, ['id', 'name', 'status', 'web_url']) : undefined,
    pipeline: job?.pipeline ? pick(job.pipeline as object, ['id', 'status', 'web_url']) : undefined,
  };
}

export function summarizePipeline(p: Row): Row {
  return { ...pick(p, PIPELINE_DETAIL_FIELDS), user: username(p.user), detailed_status: nested(p.detailed_status, 'label') };
}

export function summarizeBridge(b: Row): Row {
  const down = b.downstream_pipeline as Row | null | undefined;
  return {
    ...pick(b, BRIDGE_FIELDS),
    downstream_pipeline: down ? pick(down, ['id', 'project_id', 'ref', 'sha', 'status', 'web_url', 'created_at', 'updated_at']) : null,
  };
}

export function summarizeMilestone(m: Row): Row {
  return { ...pick(m, MILESTONE_FIELDS), description: framed(m.description, `description of milestone ${String(m.title)}`) };
}

export function summarizeRelease(r: Row): Row {
  const assets = r.assets as Row | undefined;
  const links = assets && Array.isArray(assets.links) ? (assets.links as Row[]) : undefined;
  return {
    ...pick(r, RELEASE_FIELDS),
    description: framed(r.description, `notes of release ${String(r.tag_name)}`),
    author: username(r.author),
    commit: r.commit ? pick(r.commit as object, ['id', 'short_id', 'title']) : undefined,
    milestones: nestedAll(r.milestones, 'title'),
    asset_links: links?.map((l) => pick(l, ['name', 'url', 'link_type'])),
    web_url: nested(r._links, 'self'),
  };
}
