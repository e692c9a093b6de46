/** Repository files. */
import { z } from 'zod';
import { MAX_TEXT_CHARS, answer, pathSegment, readTool, segmentString, textWindow, truncationSchema } from '../../../kit';
import { projectId, projectPath } from '../shapes';

interface GitLabFile { file_path: string; ref: string; size: number; encoding: string; content: string; blob_id: string; last_commit_id: string }

const FILE_SEGMENT = { leaveDots: true };

const FILE_OUTPUT = z.object({
  file_path: z.string(),
  ref: z.string(),
  size: z.number().int().describe('Bytes'),
  blob_id: z.string(),
  last_commit_id: z.string(),
  binary: z.boolean().describe('A binary file\'s content is not shown'),
  content: z.string().optional().describe('The file\'s text (absent for a binary file)'),
  truncated: truncationSchema.optional(),
});

export const repositoryTools = [
  readTool({
    name: 'get_file_contents',
    title: 'Get a file from a repository',
    description: 'Get a file\'s content from a repository at a branch, tag or commit (default: the default branch).',
    input: {
      project_id: projectId,
      // A file path is one segment (`src%2Findex.ts`); an exact "." or ".." is refused by the upstream client.
      file_path: segmentString('file_path', FILE_SEGMENT).describe('Path in the repository, e.g. "src/index.ts"'),
      ref: z.string().min(1).optional().describe('Branch, tag or commit SHA (default HEAD)'),
    },
    output: FILE_OUTPUT,
    async run(a, ctx) {
      const path = `${projectPath(a.project_id)}/repository/files/${pathSegment(a.file_path.replace(/^\/+/, ''), 'file_path', FILE_SEGMENT)}`;
      const f = (await ctx.upstream.request<GitLabFile>({ path, query: { ref: a.ref ?? 'HEAD' } })).data;
      const buf = f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : Buffer.from(f.content ?? '', 'utf8');
      const meta = { file_path: f.file_path, ref: f.ref, size: f.size, blob_id: f.blob_id, last_commit_id: f.last_commit_id };
      if (buf.subarray(0, 8000).includes(0)) {
        return answer.message(`${f.file_path} at ${f.ref} is a binary file of ${f.size} bytes (blob ${f.blob_id}); its content is not shown.`, { ...meta, binary: true });
      }
      const content = buf.toString('utf8');
      const header = `${f.file_path} at ${f.ref} (${f.size} bytes, last commit ${f.last_commit_id})`;
      const shown = textWindow(content, MAX_TEXT_CHARS, 'head');
      if (shown.omitted === 0) return answer.message(`${header}\n\n${content}`, { ...meta, binary: false, content });
      return answer.message(`${header} [truncated: showing the first ${MAX_TEXT_CHARS} of ${content.length} characters]\n\n${shown.text}`, {
        ...meta, binary: false, content: shown.text, truncated: { omitted: shown.omitted, unit: 'characters' as const, hint: 'the start of the file is shown' },
      });
    },
  }),
];
