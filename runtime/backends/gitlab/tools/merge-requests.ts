/** Merge requests: list, read (with commits, pipelines, approvals), their diffs, review threads, comments, and approving one. */
import { z } from 'zod';
import { UNTRUSTED_NOTE, answer, count, output, pick, readTool, rowSchema, writeTool, type Row, type ToolContext, type UpstreamFailure } from '../../../kit';
import { pages, readPage } from '../paging';
import { isNotFound, targetOf } from '../scope';
import {
  COMMIT_FIELDS, DIFF_FIELDS, DISCUSSION_ROW, MR_ROW, PIPELINE_FIELDS,
  groupId, iid, isoTime, labels, projectId, projectPath, sort, summarizeDiscussion, summarizeMr, underPaths,
} from '../shapes';
import { discussionWrites, mergeRequestNote } from './notes';

const mergeRequest = { project_id: projectId, merge_request_iid: iid('merge request') };
type MergeRequestArgs = { project_id: number | string; merge_request_iid: number };
const mergeRequestPath = (a: MergeRequestArgs) => `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}`;

/** How many commits and pipelines get_merge_request's include reads: one page each. */
const INCLUDED_ROWS = 50;

/** The approvals: the rules (`approval_state`, Premium and up), else the plain summary every tier has. */
async function approvalsOf(ctx: ToolContext, base: string): Promise<Row> {
  try {
    const state = (await ctx.upstream.request<Row>({ path: `${base}/approval_state` })).data;
    const rules = Array.isArray(state.rules) ? (state.rules as Row[]) : [];
    return {
      approved: rules.every((r) => r.approved === true),
      rules: rules.map((r) => ({ ...pick(r, ['name', 'rule_type', 'approvals_required', 'approved']), approved_by: Array.isArray(r.approved_by) ? (r.approved_by as Row[]).map((u) => u.username) : [] })),
    };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // GitLab Free has no approval rules (404 above): the summary of approvals instead.
  const plain = (await ctx.upstream.request<Row>({ path: `${base}/approvals` })).data;
  return {
    ...pick(plain, ['approved', 'approvals_required', 'approvals_left']),
    approved_by: Array.isArray(plain.approved_by) ? (plain.approved_by as Row[]).map((a) => (a.user as Row | undefined)?.username) : [],
  };
}

const DIFFS_OUTPUT = output.list(rowSchema(DIFF_FIELDS));

/**
 * The head an approval is of: GitLab compares it with the merge request's head commit as it is
 * (the whole SHA, lower-case), and refuses the approval with 409 when new commits came since.
 */
const headSha = z.string().trim().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/i, 'sha must be the merge request\'s whole head commit SHA (40 or 64 hexadecimal digits), the sha get_merge_request gives')
  .transform((v) => v.toLowerCase())
  .describe('The head commit SHA the approval is for: the sha from get_merge_request, of the changes reviewed');

const APPROVAL_OUTPUT = z.object({
  merge_request_iid: z.number().int(),
  sha: z.string().describe('The head commit that was approved'),
  approved: z.unknown().optional().describe('Whether the merge request now has every approval it needs'),
  approvals_required: z.unknown().optional(),
  approvals_left: z.unknown().optional(),
  approved_by: z.array(z.unknown()).optional().describe('usernames'),
});

/** The upstream failure an error carries (the upstream client's errors do), or `undefined`. */
const failureOf = (err: unknown) => (err as { failure?: UpstreamFailure } | undefined)?.failure;

/** GitLab's own words in a failure (`{ message: '...' }`), quoted, or `''`. */
function gitlabSaid(f: UpstreamFailure | undefined): string {
  const message = f && typeof f.body === 'object' && f.body !== null ? (f.body as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message !== '' ? ` (GitLab: ${JSON.stringify(message)})` : '';
}

export const mergeRequestTools = [
  readTool({
    name: 'list_merge_requests',
    title: 'List merge requests',
    description: 'List merge requests of a project or a group, filtered by state, branches, labels, author, reviewer, update time or a search string. '
      + 'Without either, merge requests across GitLab by scope (GitLab\'s default: created_by_me; reviews_for_me is a review queue); where the server is '
      + `limited to some projects and groups, the list stays inside them. ${pages.hint}`,
    input: {
      project_id: projectId.optional(),
      group: groupId.optional().describe('Merge requests of this group and its subgroups, by full path'),
      scope: z.enum(['created_by_me', 'assigned_to_me', 'reviews_for_me', 'all']).optional()
        .describe('Whose merge requests (GitLab\'s default: created_by_me across GitLab, all in a project or group)'),
      state: z.enum(['opened', 'closed', 'locked', 'merged', 'all']).optional().describe('Default: opened'),
      target_branch: z.string().optional(),
      source_branch: z.string().optional(),
      labels,
      search: z.string().optional(),
      author_username: z.string().optional(),
      reviewer_username: z.string().optional(),
      updated_after: isoTime('updated_after').optional(),
      order_by: z.enum(['created_at', 'updated_at', 'merged_at', 'title']).optional(),
      sort,
      ...pages.input,
    },
    output: output.list(MR_ROW),
    async run(a, ctx) {
      const base = await targetOf(ctx, a, 'lists merge requests');
      const { rows, continuation } = await readPage(ctx, 'list_merge_requests', a, `${base}/merge_requests`, {
        scope: a.scope,
        state: a.state ?? 'opened',
        target_branch: a.target_branch,
        source_branch: a.source_branch,
        labels: a.labels,
        search: a.search,
        author_username: a.author_username,
        reviewer_username: a.reviewer_username,
        updated_after: a.updated_after,
        order_by: a.order_by,
        sort: a.sort,
      });
      return answer.list(rows.map((m) => summarizeMr(m)), continuation);
    },
  }),
  readTool({
    name: 'get_merge_request',
    title: 'Get a merge request',
    description: 'Get one merge request with its description, merge status, head sha, diff_refs (for inline comments) and head pipeline; '
      + `include adds its commits, pipelines or approvals. ${UNTRUSTED_NOTE}`,
    input: {
      ...mergeRequest,
      include: z.array(z.enum(['commits', 'pipelines', 'approvals'])).max(3).optional().describe('commits, pipelines, approvals'),
    },
    output: output.item(MR_ROW),
    async run(a, ctx) {
      const base = mergeRequestPath(a);
      const mr = summarizeMr((await ctx.upstream.request<Row>({ path: base })).data, true);
      const include = new Set(a.include ?? []);
      const notes: string[] = [];
      if (String(mr.changes_count ?? '').endsWith('+')) {
        notes.push(`GitLab cut this merge request's diff (changes_count ${String(mr.changes_count)}): get_merge_request_diffs misses files; compare_refs from diff_refs.base_sha to sha has them all.`);
      }
      if (include.has('commits')) {
        const res = await ctx.upstream.request<Row[]>({ path: `${base}/commits`, query: { per_page: INCLUDED_ROWS } });
        mr.commits = res.data.map((c) => pick(c, COMMIT_FIELDS));
        if ((res.headers.get('x-next-page') ?? '') !== '') notes.push(`Only the first ${INCLUDED_ROWS} commits are included; list_commits with ref_name ${String(mr.source_branch)} has the rest.`);
      }
      if (include.has('pipelines')) {
        const res = await ctx.upstream.request<Row[]>({ path: `${base}/pipelines`, query: { per_page: INCLUDED_ROWS } });
        mr.pipelines = res.data.map((p) => pick(p, PIPELINE_FIELDS));
      }
      if (include.has('approvals')) mr.approvals = await approvalsOf(ctx, base);
      return answer.item(mr, notes.length > 0 ? notes.join(' ') : undefined);
    },
  }),
  readTool({
    name: 'get_merge_request_diffs',
    title: 'Get merge request changes',
    description: 'Get the file diffs of a merge request (unified diff per file), paged; paths keeps only files under the given paths. '
      + 'Files GitLab left without a diff (too_large or collapsed) are named; read them with compare_refs or get_file_contents. ' + pages.hint,
    input: {
      ...mergeRequest,
      paths: z.array(z.string().trim().min(1)).max(50).optional().describe('Keep only files at or under these paths (checked on each page)'),
      ...pages.input,
    },
    output: DIFFS_OUTPUT,
    async run(a, ctx) {
      const { rows, continuation } = await readPage(ctx, 'get_merge_request_diffs', a, `${mergeRequestPath(a)}/diffs`);
      const kept = rows.filter(underPaths(a.paths)).map((f) => pick(f, DIFF_FIELDS));
      const cut = kept.filter((f) => f.too_large === true || f.collapsed === true).map((f) => String(f.new_path));
      const notes = [
        a.paths && kept.length < rows.length ? `${count(rows.length - kept.length, 'file')} of this page outside paths left out.` : '',
        cut.length > 0 ? `GitLab sent no diff for ${cut.join(', ')} (too large or collapsed by its diff limits): use compare_refs, or get_file_contents at both refs.` : '',
      ].filter(Boolean);
      const shown = answer.list(kept, continuation);
      return notes.length > 0 ? { ...shown, text: `${notes.join(' ')}\n${shown.text}` } : shown;
    },
  }),
  readTool({
    name: 'list_merge_request_discussions',
    title: 'List merge request review threads',
    description: 'List the discussions (review threads and comments) of a merge request, oldest first: each with its notes, '
      + 'inline position (file, lines, diff shas) and whether it is resolved. unresolved_only keeps open threads; system notes '
      + `("added 1 commit") are left out unless include_system. ${UNTRUSTED_NOTE} ${pages.hint}`,
    input: {
      ...mergeRequest,
      unresolved_only: z.boolean().optional().describe('Only resolvable threads not yet resolved (checked on each page)'),
      include_system: z.boolean().optional().describe('Keep GitLab\'s own notes (pushes, label changes); default false'),
      ...pages.input,
    },
    output: output.list(DISCUSSION_ROW),
    async run(a, ctx) {
      const { rows, continuation } = await readPage(ctx, 'list_merge_request_discussions', a, `${mergeRequestPath(a)}/discussions`);
      const threads = rows
        .filter((d) => a.include_system || !(Array.isArray(d.notes) && d.notes.every((n) => (n as Row).system === true)))
        .map(summarizeDiscussion)
        .filter((d) => !a.unresolved_only || (d.resolvable === true && d.resolved === false));
      const shown = answer.list(threads, continuation);
      const left = rows.length - threads.length;
      return left > 0 ? { ...shown, text: `${count(left, 'discussion')} of this page left out by the filters (system notes, resolved threads).\n${shown.text}` } : shown;
    },
  }),
  mergeRequestNote,
  ...discussionWrites,
  writeTool({
    name: 'approve_merge_request',
    title: 'Approve a merge request',
    description: 'Approve a merge request as the token\'s user, for the head commit reviewed: sha is the merge request\'s sha from get_merge_request. '
      + 'When commits were pushed since, GitLab refuses and nothing is approved: read it again and review what changed. '
      + 'Needs a token with the api scope, a user who may approve, and writes enabled for this server.',
    input: { ...mergeRequest, sha: headSha },
    output: APPROVAL_OUTPUT,
    async run(a, ctx) {
      const which = `merge request !${a.merge_request_iid}`;
      let res;
      try {
        res = await ctx.upstream.request<Row>({ method: 'POST', path: `${mergeRequestPath(a)}/approve`, body: { sha: a.sha } });
      } catch (err) {
        const failure = failureOf(err);
        const said = gitlabSaid(failure);
        if (failure?.status === 409) {
          answer.refuse(`${which} was not approved: its head is no longer ${a.sha}, new commits were pushed since${said}. `
            + 'Read it again with get_merge_request, review what changed, and approve with its new sha.');
        }
        if (failure?.status === 401) {
          answer.refuse(`${which} was not approved: GitLab answered 401, which for an approval usually means the token's user may not approve it `
            + `(has already approved it, is its author where authors may not approve, or is not an eligible approver); otherwise the token is missing, expired or revoked${said}.`);
        }
        throw err;
      }
      const r = res.data;
      const approvedBy = Array.isArray(r.approved_by) ? (r.approved_by as Row[]).map((x) => (x.user as Row | undefined)?.username) : undefined;
      const left = typeof r.approvals_left === 'number' && r.approvals_left > 0 ? ` ${count(r.approvals_left, 'approval')} still needed.` : '';
      return answer.message(`Approved ${which} at ${a.sha.slice(0, 12)}.${left}`, {
        merge_request_iid: a.merge_request_iid,
        sha: a.sha,
        ...pick(r, ['approved', 'approvals_required', 'approvals_left']),
        approved_by: approvedBy,
      });
    },
  }),
];
