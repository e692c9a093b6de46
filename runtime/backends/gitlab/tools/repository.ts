/** The repository: files, the tree, commits, and comparing two refs. */
import { z } from 'zod';
import {
  MAX_TEXT_CHARS, UNTRUSTED_NOTE, answer, count, listTool, output, pathSegment, pick, readTool, rowSchema, segmentString, textWindow,
  truncationSchema, type Row,
} from '../../../kit';
import { pages } from '../paging';
import { COMMIT_DETAIL_ROW, COMMIT_FIELDS, COMMIT_ROW, DIFF_FIELDS, TREE_FIELDS, isoTime, projectId, projectPath, ref, summarizeCommit, underPaths } from '../shapes';

const FILE_SEGMENT = { leaveDots: true };

/** How many changed files get_commit's include diff reads: one page. */
const COMMIT_DIFF_FILES = 50;

const FILE_OUTPUT = z.object({
  file_path: z.string(),
  ref: z.string(),
  size: z.number().int().describe('Bytes'),
  blob_id: z.string().optional(),
  last_commit_id: z.string().optional(),
  binary: z.boolean().describe('A binary file\'s content is not shown'),
  content: z.string().optional().describe('The file\'s text, or the lines asked for (absent for a binary file)'),
  start_line: z.number().int().optional().describe('The first line shown, from 1, when a line window was asked for'),
  end_line: z.number().int().optional().describe('The last line shown'),
  total_lines: z.number().int().optional().describe('Lines in the file (of what was read)'),
  truncated: truncationSchema.optional(),
});

/** A number from a GitLab `X-Gitlab-*` header of the raw file endpoint. */
const headerInt = (h: Headers, name: string) => {
  const n = Number(h.get(name) ?? '');
  return Number.isInteger(n) && (h.get(name) ?? '') !== '' ? n : undefined;
};

const COMPARE_ROW = z.looseObject({
  from: z.string(),
  to: z.string(),
  commits: z.array(COMMIT_ROW).describe('Commits in to that are not in from, oldest first'),
  diffs: z.array(rowSchema(DIFF_FIELDS)).describe('Changed files, with unified diffs'),
  compare_timeout: z.unknown().optional().describe('true: GitLab gave up computing the comparison, so it is incomplete'),
  compare_same_ref: z.unknown().optional(),
  web_url: z.unknown().optional(),
});

export const repositoryTools = [
  readTool({
    name: 'get_file_contents',
    title: 'Get a file from a repository',
    description: 'Get a file\'s text from a repository at a branch, tag or commit (default: the default branch); start_line and line_count '
      + 'read a window of lines. Large files are read up to the read limit and the answer says where it was cut.',
    input: {
      project_id: projectId,
      // A file path is one segment (`src%2Findex.ts`); an exact "." or ".." is refused by the upstream client.
      file_path: segmentString('file_path', FILE_SEGMENT).describe('Path in the repository, e.g. "src/index.ts"'),
      ref: ref('Branch, tag or commit SHA (default HEAD)').optional(),
      start_line: z.number().int().positive().optional().describe('First line to show, from 1'),
      line_count: z.number().int().positive().max(100_000).optional().describe('How many lines to show from start_line'),
    },
    output: FILE_OUTPUT,
    async run(a, ctx) {
      // The raw endpoint sends the bytes themselves (no base64 in a JSON document, so no 1 MB JSON cap) and the metadata as headers.
      const path = `${projectPath(a.project_id)}/repository/files/${pathSegment(a.file_path.replace(/^\/+/, ''), 'file_path', FILE_SEGMENT)}/raw`;
      const res = await ctx.upstream.request<string>({ path, query: { ref: a.ref ?? 'HEAD' }, responseType: 'text' });
      const h = res.headers;
      const filePath = h.get('x-gitlab-file-path') ?? a.file_path.replace(/^\/+/, '');
      const at = h.get('x-gitlab-ref') ?? a.ref ?? 'HEAD';
      const size = headerInt(h, 'x-gitlab-size') ?? res.bytes;
      const meta = { file_path: filePath, ref: at, size, blob_id: h.get('x-gitlab-blob-id') ?? undefined, last_commit_id: h.get('x-gitlab-last-commit-id') ?? undefined };
      if (res.data.slice(0, 8000).includes('\u0000')) {
        return answer.message(`${filePath} at ${at} is a binary file of ${size} bytes (blob ${meta.blob_id ?? 'unknown'}); its content is not shown.`, { ...meta, binary: true });
      }
      const readCut = res.truncated === true;
      let content = res.data;
      let window: { start_line?: number; end_line?: number; total_lines?: number } = {};
      if (a.start_line !== undefined || a.line_count !== undefined) {
        const lines = content.split('\n');
        if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
        const start = a.start_line ?? 1;
        if (start > lines.length) {
          answer.refuse(`start_line ${start} is past the end of ${filePath} (${lines.length} lines${readCut ? ' read before the read limit' : ''})`);
        }
        const picked = lines.slice(start - 1, a.line_count !== undefined ? start - 1 + a.line_count : undefined);
        content = picked.join('\n') + '\n';
        window = { start_line: start, end_line: start + picked.length - 1, total_lines: lines.length };
      }
      const header = `${filePath} at ${at} (${size} bytes, last commit ${meta.last_commit_id ?? 'unknown'})${window.start_line ? ` lines ${window.start_line}-${window.end_line} of ${window.total_lines}` : ''}`;
      const shown = textWindow(content, MAX_TEXT_CHARS, 'head');
      if (shown.omitted === 0 && !readCut) return answer.message(`${header}\n\n${content}`, { ...meta, ...window, binary: false, content });
      const shownBytes = Buffer.byteLength(shown.text);
      // Two limits may cut: the answer's characters, and the upstream read limit (the first bytes of a larger file).
      const why = `showing ${shown.omitted > 0 ? `the first ${shown.text.length}` : `all ${shown.text.length}`} characters read of a ${size}-byte file`
        + (readCut ? `; reading stops at ${Buffer.byteLength(res.data)} bytes, so lines past that cannot be shown` : '');
      const lastShown = (window.start_line ?? 1) + shown.text.split('\n').length - 2;
      return answer.message(`${header} [truncated: ${why}]\n\n${shown.text}`, {
        ...meta,
        ...window,
        binary: false,
        content: shown.text,
        truncated: { omitted: Math.max(0, size - shownBytes), unit: 'bytes' as const, hint: `read on with start_line=${Math.max(1, lastShown + 1)} (and line_count) for the rest` },
      });
    },
  }),
  listTool({
    name: 'get_repository_tree',
    title: 'List files and directories',
    description: 'List the files (blob) and directories (tree) of a repository at a path and ref; recursive lists everything below it.',
    input: {
      project_id: projectId,
      path: z.string().trim().optional().describe('Directory in the repository (default: the root)'),
      ref: ref('Branch, tag or commit SHA (default: the default branch)').optional(),
      recursive: z.boolean().optional(),
    },
    paging: pages,
    row: rowSchema(TREE_FIELDS),
    request: (a) => ({ path: `${projectPath(a.project_id)}/repository/tree`, query: { path: a.path?.replace(/^\/+/, ''), ref: a.ref, recursive: a.recursive } }),
    map: (e) => pick(e, TREE_FIELDS),
  }),
  listTool({
    name: 'list_commits',
    title: 'List commits',
    description: 'List commits of a branch or tag (default: the default branch), newest first, filtered by time, path or author.',
    input: {
      project_id: projectId,
      ref_name: ref('Branch, tag, or a range such as "v1.0..v1.1"').optional(),
      since: isoTime('since').optional(),
      until: isoTime('until').optional(),
      path: z.string().trim().min(1).optional().describe('Only commits that change this file or directory'),
      author: z.string().trim().min(1).optional().describe('Author name or email'),
      first_parent: z.boolean().optional().describe('Follow only the first parent of merges (the branch\'s own history)'),
    },
    paging: pages,
    row: COMMIT_ROW,
    request: (a) => ({
      path: `${projectPath(a.project_id)}/repository/commits`,
      query: { ref_name: a.ref_name, since: a.since, until: a.until, path: a.path, author: a.author, first_parent: a.first_parent },
    }),
    map: (c) => summarizeCommit(c),
  }),
  readTool({
    name: 'get_commit',
    title: 'Get a commit',
    description: `Get one commit: message, author, stats and pipeline status; include diff adds its changed files (up to ${COMMIT_DIFF_FILES}). ${UNTRUSTED_NOTE}`,
    input: {
      project_id: projectId,
      sha: segmentString('sha').describe('Commit SHA, or a branch or tag name (its latest commit)'),
      include: z.array(z.enum(['diff'])).max(1).optional().describe('diff: the changed files with unified diffs'),
    },
    output: output.item(COMMIT_DETAIL_ROW.extend({ diffs: z.array(rowSchema(DIFF_FIELDS)).optional() })),
    async run(a, ctx) {
      const base = `${projectPath(a.project_id)}/repository/commits/${pathSegment(a.sha, 'sha')}`;
      const commit = summarizeCommit((await ctx.upstream.request<Row>({ path: base, query: { stats: true } })).data, true);
      if (!a.include?.includes('diff')) return answer.item(commit);
      const res = await ctx.upstream.request<Row[]>({ path: `${base}/diff`, query: { per_page: COMMIT_DIFF_FILES } });
      const diffs = res.data.map((d) => pick(d, DIFF_FIELDS));
      const more = (res.headers.get('x-next-page') ?? '') !== ''
        ? `Only the first ${COMMIT_DIFF_FILES} changed files are included (${res.headers.get('x-total') ?? 'more'} in all); compare_refs from its parent has them all.`
        : undefined;
      return answer.item({ ...commit, diffs }, more);
    },
  }),
  readTool({
    name: 'compare_refs',
    title: 'Compare two refs',
    description: 'Compare two branches, tags or commits: the commits in to that are not in from and the changed files (e.g. what shipped between two deployments). '
      + 'paths keeps only files under the given paths.',
    input: {
      project_id: projectId,
      from: ref('The older branch, tag or commit SHA'),
      to: ref('The newer branch, tag or commit SHA'),
      straight: z.boolean().optional().describe('true (default): diff from..to directly; false: from their merge base (from...to)'),
      paths: z.array(z.string().trim().min(1)).max(50).optional().describe('Keep only files at or under these paths'),
    },
    output: output.item(COMPARE_ROW),
    async run(a, ctx) {
      const res = await ctx.upstream.request<Row>({ path: `${projectPath(a.project_id)}/repository/compare`, query: { from: a.from, to: a.to, straight: a.straight ?? true } });
      const commits = (Array.isArray(res.data.commits) ? (res.data.commits as Row[]) : []).map((c) => pick(c, COMMIT_FIELDS));
      const all = Array.isArray(res.data.diffs) ? (res.data.diffs as Row[]) : [];
      const diffs = all.filter(underPaths(a.paths)).map((d) => pick(d, DIFF_FIELDS));
      const notes = [
        `${count(commits.length, 'commit')} and ${count(diffs.length, 'changed file')} from ${a.from} to ${a.to}${a.paths ? ` (of ${all.length} changed files, those under paths)` : ''}.`,
        res.data.compare_timeout === true ? 'GitLab timed out computing this comparison: it is incomplete; compare closer refs or narrow with paths.' : '',
      ].filter(Boolean);
      return answer.item({
        from: a.from,
        to: a.to,
        commits,
        diffs,
        compare_timeout: res.data.compare_timeout,
        compare_same_ref: res.data.compare_same_ref,
        web_url: res.data.web_url,
      }, notes.join(' '));
    },
  }),
];
