/**
 * Projects: find them (the whole instance, one group, or only the server's allowed projects and
 * groups), and read one.
 */
import { z } from 'zod';
import { answer, count, decodeCursor, encodeCursor, itemTool, nested, output, pick, readTool, type Query, type Row, type ToolContext } from '../../../kit';
import { pages, readPage } from '../paging';
import { allowedPaths, checkGroup, coveringEntry, entryKind } from '../scope';
import { PROJECT_FIELDS, PROJECT_ROW, groupId, groupPath, projectId, projectPath, sort } from '../shapes';

const TOOL = 'list_projects';

const input = {
  search: z.string().optional().describe('Match against project name and path'),
  group: groupId.optional().describe('Only projects of this group and its subgroups, by full path (e.g. "platform")'),
  membership: z.boolean().optional().describe('Only projects the token user is a member of (not with group)'),
  owned: z.boolean().optional().describe('Only projects owned by the token user'),
  archived: z.boolean().optional().describe('Filter by archived state'),
  order_by: z.enum(['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'star_count']).optional(),
  sort,
  ...pages.input,
};
type Args = z.infer<z.ZodObject<typeof input>>;

// Never `simple`: GitLab's simple rows (BasicProjectDetails) have no visibility, archived or open_issues_count.
const filters = (a: Args): Query => ({ search: a.search, owned: a.owned, archived: a.archived, order_by: a.order_by, sort: a.sort });
const groupQuery = (a: Args): Query => ({ include_subgroups: true, ...filters(a) });

/** The rows inside the allow-list (a group's listing is, unless GitLab resolved a moved path: checked on every row). */
function inside(rows: Row[], list: readonly string[] | undefined): Row[] {
  return list ? rows.filter((r) => typeof r.path_with_namespace === 'string' && coveringEntry(list, r.path_with_namespace) !== undefined) : rows;
}

/**
 * With an allow-list and no group: the allowed entries one after the other, each a group's
 * projects (paged) or one project. The cursor holds which entry and which page of it.
 */
async function allowedProjects(ctx: ToolContext, a: Args, list: readonly string[]) {
  let at = { entry: 0, page: a.page ?? 1 };
  if (a.cursor !== undefined) {
    if (a.page !== undefined) answer.refuse(`give page or cursor, not both (cursor ${JSON.stringify(a.cursor)} names a page itself)`);
    const state = decodeCursor(a.cursor, TOOL);
    const entry = Number(state.entry);
    const page = Number(state.page);
    if (!Number.isInteger(entry) || entry < 0 || entry >= list.length || !Number.isInteger(page) || page < 1) {
      answer.refuse(`cursor is not one ${TOOL} gave out for this server's PROJECTS; call again without cursor to start from the beginning`);
    }
    at = { entry, page };
  }
  const entry = list[at.entry];
  const kind = await entryKind(ctx, entry);
  let rows: Row[];
  let nextPage: number | undefined;
  if (kind === 'group') {
    const read = await readPage(ctx, TOOL, { page: at.page, per_page: a.per_page }, `${groupPath(entry)}/projects`, groupQuery(a));
    rows = read.rows;
    nextPage = read.continuation.has_more ? (read.continuation.page ?? at.page) + 1 : undefined;
  } else {
    const p = (await ctx.upstream.request<Row>({ path: projectPath(entry) })).data;
    const text = `${String(p.path_with_namespace)} ${String(p.name)}`.toLowerCase();
    const matches = (!a.search || text.includes(a.search.toLowerCase())) && (a.archived === undefined || p.archived === a.archived);
    rows = at.page === 1 && matches ? [p] : [];
  }
  const next = nextPage !== undefined ? { entry: at.entry, page: nextPage }
    : at.entry + 1 < list.length ? { entry: at.entry + 1, page: 1 } : undefined;
  const cursor = next ? encodeCursor(TOOL, next) : undefined;
  const where = `${count(rows.length, 'result')} from ${kind} ${entry} (page ${at.page}; entry ${at.entry + 1} of ${list.length} in this server's PROJECTS).`;
  const how = cursor ? `More results: call again with cursor="${cursor}".` : 'These are the last results.';
  return answer.list(inside(rows, list).map((r) => pick(r, PROJECT_FIELDS)), { has_more: cursor !== undefined, next_cursor: cursor, page: at.page, note: `${where} ${how}` });
}

export const projectTools = [
  readTool({
    name: TOOL,
    title: 'List projects',
    description: 'List GitLab projects the token can see, optionally in one group or filtered by a search string. Returns ID, full path, '
      + 'default branch, visibility, archived state, open issue count and web URL (without a token GitLab lists only public projects, '
      + 'without visibility, archived state or issue counts). Where the server is limited to some projects and groups, only those are listed. '
      + pages.hint,
    input,
    output: output.list(PROJECT_ROW),
    async run(a, ctx) {
      if (a.group !== undefined && a.membership !== undefined) answer.refuse('membership lists projects across the instance; leave it out with group (every project of the group is listed)');
      const list = allowedPaths(ctx);
      if (a.group !== undefined) {
        await checkGroup(ctx, a.group);
        const { rows, continuation } = await readPage(ctx, TOOL, a, `${groupPath(a.group)}/projects`, groupQuery(a));
        return answer.list(inside(rows, list).map((r) => pick(r, PROJECT_FIELDS)), continuation);
      }
      if (list) return allowedProjects(ctx, a, list);
      const { rows, continuation } = await readPage(ctx, TOOL, a, '/projects', { ...filters(a), membership: a.membership });
      return answer.list(rows.map((r) => pick(r, PROJECT_FIELDS)), continuation);
    },
  }),
  itemTool({
    name: 'get_project',
    title: 'Get a project',
    description: 'Get one GitLab project by ID or full path (e.g. "group/project").',
    input: { project_id: projectId },
    row: PROJECT_ROW,
    request: (a) => ({ path: projectPath(a.project_id) }),
    map: (p) => ({ ...pick(p, PROJECT_FIELDS), topics: p.topics, namespace: nested(p.namespace, 'full_path') }),
  }),
];
