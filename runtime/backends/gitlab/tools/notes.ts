/**
 * Comments: on issues and merge requests (one tool shape for both), and merge request review
 * threads (general or inline on a diff line, replies, resolving).
 */
import { z } from 'zod';
import { answer, pathSegment, writeTool, type Row, type ToolContext } from '../../../kit';
import { iid, projectId, projectPath, sha } from '../shapes';

/**
 * A line of Markdown GitLab would run as a quick action (`/merge`, `/close`, `/assign @x`):
 * a slash and a word alone at the start of a line. A comment tool must not merge, close or
 * relabel; `/path/to/file` and `see /docs` stay text.
 */
const QUICK_ACTION = /^[ \t]*\/([a-z_]+)(?:[ \t].*)?$/im;

/** A Markdown body for a comment or description, refused when it holds a quick action. */
export const markdownBody = (what: string) => z.string().min(1).max(1_000_000).superRefine((v, ctx) => {
  const m = QUICK_ACTION.exec(v);
  if (!m) return;
  const line = v.slice(0, m.index).split('\n').length;
  ctx.addIssue({
    code: 'custom',
    message: `${what} line ${line} is a GitLab quick action (/${m[1]}), which would do more than comment; indent it by four spaces or put it in backticks to show it as text`,
  });
}).describe('Markdown');

interface Noteable<K extends string> {
  readonly name: string;
  readonly title: string;
  /** `issue`, `merge request`. */
  readonly what: string;
  /** `issues`, `merge_requests`. */
  readonly segment: string;
  /** `issue_iid`, `merge_request_iid`. */
  readonly iidArg: K;
  /** How GitLab writes the reference: `#` for issues, `!` for merge requests. */
  readonly sigil: string;
}

const NOTE_OUTPUT = z.object({ id: z.unknown().describe('The new note\'s ID'), noteable_iid: z.number().int() });

function noteTool<K extends string>(n: Noteable<K>) {
  const number = { [n.iidArg]: iid(n.what) } as Record<K, ReturnType<typeof iid>>;
  return writeTool({
    name: n.name,
    title: n.title,
    description: `Add a comment to a${n.what.startsWith('i') ? 'n' : ''} ${n.what}. Needs a token with the api scope and writes enabled for this server.`,
    input: { project_id: projectId, ...number, body: markdownBody('body') },
    output: NOTE_OUTPUT,
    async run(a, ctx) {
      // The key is a type parameter, which zod's inference cannot follow; the schema above checked these.
      const args = a as unknown as { project_id: number | string; body: string } & Record<K, number>;
      const target = args[n.iidArg];
      const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${projectPath(args.project_id)}/${n.segment}/${target}/notes`, body: { body: args.body } });
      return answer.message(`Added note ${String(res.data.id)} to ${n.what} ${n.sigil}${target}.`, { id: res.data.id, noteable_iid: target });
    },
  });
}

export const issueNote = noteTool({ name: 'create_issue_note', title: 'Comment on an issue', what: 'issue', segment: 'issues', iidArg: 'issue_iid', sigil: '#' });
export const mergeRequestNote = noteTool({
  name: 'create_merge_request_note', title: 'Comment on a merge request', what: 'merge request', segment: 'merge_requests', iidArg: 'merge_request_iid', sigil: '!',
});

// ---- review threads ----------------------------------------------------------------------------

/** A discussion ID as GitLab gives it (40 hexadecimal digits); it becomes a path segment. */
const discussionId = z.string().trim().regex(/^[0-9a-fA-F]{8,64}$/, 'discussion_id must be a discussion ID (hexadecimal) from list_merge_request_discussions')
  .describe('The discussion\'s ID, from list_merge_request_discussions');

const line = z.number().int().positive();

const POSITION = z.object({
  new_path: z.string().trim().min(1).describe('The file\'s path after the change'),
  old_path: z.string().trim().min(1).optional().describe('The file\'s path before the change (default new_path; differs for a renamed file)'),
  new_line: line.optional().describe('Line in the new file: alone for an added line, with old_line for an unchanged one'),
  old_line: line.optional().describe('Line in the old file: alone for a removed line, with new_line for an unchanged one'),
  base_sha: sha.optional(),
  start_sha: sha.optional(),
  head_sha: sha.optional(),
}).strict().refine((p) => p.new_line !== undefined || p.old_line !== undefined, {
  message: 'position needs new_line (an added line), old_line (a removed line) or both (an unchanged line)',
}).describe('Where an inline comment goes. base_sha/start_sha/head_sha default to the merge request\'s current diff_refs (from get_merge_request)');

type Position = z.infer<typeof POSITION>;
type DiffRefs = { base_sha?: string; start_sha?: string; head_sha?: string };

const DISCUSSION_OUTPUT = z.object({
  discussion_id: z.unknown().describe('The thread\'s ID (for replies and resolving)'),
  note_id: z.unknown().describe('The new note\'s ID'),
  merge_request_iid: z.number().int(),
  inline: z.boolean().describe('Whether the comment sits on a diff line'),
});

type MergeRequestArgs = { project_id: number | string; merge_request_iid: number };
const mergeRequestPath = (a: MergeRequestArgs) => `${projectPath(a.project_id)}/merge_requests/${a.merge_request_iid}`;

/** GitLab's `position` for an inline comment: the diff versions from the merge request unless given. */
async function positionOf(p: Position, a: MergeRequestArgs, ctx: ToolContext): Promise<Row> {
  let refs: DiffRefs = { base_sha: p.base_sha, start_sha: p.start_sha, head_sha: p.head_sha };
  if (!refs.base_sha || !refs.start_sha || !refs.head_sha) {
    const mr = (await ctx.upstream.request<Row>({ path: mergeRequestPath(a) })).data;
    const current = (mr.diff_refs ?? {}) as DiffRefs;
    refs = {
      base_sha: refs.base_sha ?? current.base_sha,
      start_sha: refs.start_sha ?? current.start_sha,
      head_sha: refs.head_sha ?? current.head_sha,
    };
    if (!refs.base_sha || !refs.start_sha || !refs.head_sha) {
      answer.refuse(`merge request !${a.merge_request_iid} has no diff_refs yet (GitLab is still preparing its diff); give base_sha, start_sha and head_sha, or try again shortly`);
    }
  }
  return {
    position_type: 'text',
    ...refs,
    new_path: p.new_path,
    old_path: p.old_path ?? p.new_path,
    ...(p.new_line !== undefined ? { new_line: p.new_line } : {}),
    ...(p.old_line !== undefined ? { old_line: p.old_line } : {}),
  };
}

export const discussionWrites = [
  writeTool({
    name: 'create_merge_request_discussion',
    title: 'Start or answer a review thread',
    description: 'Start a review thread on a merge request (general, or inline on a diff line with position), or reply to one with discussion_id. '
      + 'Inline lines follow GitLab\'s rules: an added line takes new_line, a removed line old_line, an unchanged line both. Needs a token with the api scope and writes enabled.',
    input: {
      project_id: projectId,
      merge_request_iid: iid('merge request'),
      body: markdownBody('body'),
      position: POSITION.optional(),
      discussion_id: discussionId.optional().describe('Reply to this thread instead of starting one'),
    },
    output: DISCUSSION_OUTPUT,
    async run(a, ctx) {
      if (a.discussion_id !== undefined && a.position !== undefined) {
        answer.refuse('give position (a new inline thread) or discussion_id (a reply, which sits where its thread is), not both');
      }
      const base = mergeRequestPath(a);
      if (a.discussion_id !== undefined) {
        const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${base}/discussions/${pathSegment(a.discussion_id, 'discussion_id')}/notes`, body: { body: a.body } });
        return answer.message(`Replied with note ${String(res.data.id)} in thread ${a.discussion_id} of merge request !${a.merge_request_iid}.`, {
          discussion_id: a.discussion_id, note_id: res.data.id, merge_request_iid: a.merge_request_iid, inline: false,
        });
      }
      const position = a.position ? await positionOf(a.position, a, ctx) : undefined;
      const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${base}/discussions`, body: { body: a.body, ...(position ? { position } : {}) } });
      const first = Array.isArray(res.data.notes) ? (res.data.notes[0] as Row | undefined) : undefined;
      const where = position ? ` on ${String(position.new_path)} line ${String(position.new_line ?? position.old_line)}` : '';
      return answer.message(`Started thread ${String(res.data.id)}${where} in merge request !${a.merge_request_iid}.`, {
        discussion_id: res.data.id, note_id: first?.id, merge_request_iid: a.merge_request_iid, inline: position !== undefined,
      });
    },
  }),
  writeTool({
    name: 'resolve_merge_request_discussion',
    title: 'Resolve a review thread',
    description: 'Resolve a merge request review thread, or reopen it with resolved false. Needs a token with the api scope and writes enabled.',
    idempotent: true,
    input: {
      project_id: projectId,
      merge_request_iid: iid('merge request'),
      discussion_id: discussionId,
      resolved: z.boolean().optional().describe('Default true; false reopens the thread'),
    },
    output: z.object({ discussion_id: z.string(), merge_request_iid: z.number().int(), resolved: z.boolean() }),
    async run(a, ctx) {
      const resolved = a.resolved ?? true;
      const path = `${mergeRequestPath(a)}/discussions/${pathSegment(a.discussion_id, 'discussion_id')}`;
      await ctx.upstream.request<Row>({ method: 'PUT', path, query: { resolved } });
      return answer.message(`${resolved ? 'Resolved' : 'Reopened'} thread ${a.discussion_id} of merge request !${a.merge_request_iid}.`, {
        discussion_id: a.discussion_id, merge_request_iid: a.merge_request_iid, resolved,
      });
    },
  }),
];
