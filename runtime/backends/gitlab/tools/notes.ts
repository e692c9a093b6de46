/** Comments on issues and merge requests: one tool shape for both. */
import { z } from 'zod';
import { answer, writeTool, type Row } from '../../../kit';
import { iid, projectId, projectPath } from '../shapes';

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
    input: { project_id: projectId, ...number, body: z.string().min(1).max(1_000_000).describe('Markdown') },
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
