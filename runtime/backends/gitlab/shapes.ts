/**
 * What GitLab answers look like to a model: the input pieces every tool shares, the fields kept of
 * each object (GitLab objects carry dozens of links and flags), and their output schemas.
 */
import { z } from 'zod';
import { nested, nestedAll, pathSegment, pick, rowSchema, safeDecode, segmentProblem, type Row } from '../../kit';

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
export const DIFF_FIELDS = ['old_path', 'new_path', 'new_file', 'renamed_file', 'deleted_file', 'too_large', 'diff'];

const usernames = z.array(z.unknown()).optional().describe('usernames');

export const PROJECT_ROW = rowSchema(PROJECT_FIELDS, { topics: z.unknown().optional(), namespace: z.unknown().optional().describe('full path of the namespace') });
export const ISSUE_ROW = rowSchema(ISSUE_FIELDS, { milestone: z.unknown().optional().describe('milestone title'), author: z.unknown().optional().describe('username'), assignees: usernames, description: z.unknown().optional() });
export const MR_ROW = rowSchema(MR_FIELDS, { author: z.unknown().optional().describe('username'), assignees: usernames, reviewers: usernames, description: z.unknown().optional(), head_pipeline: z.unknown().optional() });
/** Search rows differ by scope (projects, issues, blobs...): GitLab's own fields, unchanged. */
export const SEARCH_ROW = rowSchema([]);

export function summarizeIssue(i: Row, withBody = false): Row {
  return {
    ...pick(i, ISSUE_FIELDS),
    milestone: nested(i.milestone, 'title') ?? undefined,
    author: nested(i.author, 'username'),
    assignees: nestedAll(i.assignees, 'username'),
    ...(withBody ? { description: i.description } : {}),
  };
}

export function summarizeMr(m: Row, withBody = false): Row {
  return {
    ...pick(m, MR_FIELDS),
    author: nested(m.author, 'username'),
    assignees: nestedAll(m.assignees, 'username'),
    reviewers: nestedAll(m.reviewers, 'username'),
    ...(withBody ? { description: m.description, head_pipeline: m.head_pipeline ? pick(m.head_pipeline as object, ['id', 'status', 'web_url']) : undefined } : {}),
  };
}
