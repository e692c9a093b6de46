/**
 * The server's allow-list of projects and groups (`<PREFIX>_PROJECTS`, the `projects` prop): full
 * paths such as `platform/fleet` (one project) or `platform` (a group, its subgroups and their
 * projects). Absent: every project the token can see.
 *
 * Every tool with a `project_id` goes through `scopedTool`, which refuses a project outside the
 * list before the tool runs. A path is first checked as written (GitLab finds paths
 * case-insensitively, so the check is too): one outside is refused without a call. Then, and for
 * a numeric id (which says nothing about where the project lives), the project is resolved once
 * per server and process (`GET /projects/:id`, remembered) to its canonical `path_with_namespace`,
 * which must be inside too: GitLab serves a moved project under its old path, so a path that
 * looks inside may lead elsewhere. Groups are resolved the same way (`GET /groups/:id`). Listing
 * and search keep inside the list themselves (tools/projects.ts, tools/search.ts).
 */
import { groupPath, projectPath } from './shapes';
import { parseList } from '../../../src/contract';
import { Refusal, safeDecode, type Row, type ToolContext, type ToolDefinition, type UpstreamFailure } from '../../kit';

/** The allow-list, lower-cased (GitLab paths are case-insensitive), or `undefined` when the server has none. */
export function allowedPaths(ctx: ToolContext): string[] | undefined {
  const raw = ctx.settings.PROJECTS;
  if (raw === undefined) return undefined;
  const list = parseList(raw).map((p) => p.toLowerCase());
  return list.length > 0 ? list : undefined;
}

/** The allow-list as the refusals show it: `"platform", "team/api"`. */
function shown(list: readonly string[]): string {
  return list.map((p) => JSON.stringify(p)).join(', ');
}

/** A digit-only id is a numeric id to GitLab, as a number or as a string (`"42"`). */
export function isNumericId(id: number | string): boolean {
  return typeof id === 'number' || /^\d+$/.test(safeDecode(id).trim());
}

/**
 * The entry of `list` that covers `fullPath` (the path itself, or a group above it), or
 * `undefined`. A path with an empty, `.` or `..` segment is covered by nothing: GitLab does not
 * resolve those, and a lexical check must not be fooled by `platform/../team/app`.
 */
export function coveringEntry(list: readonly string[], fullPath: string): string | undefined {
  const path = fullPath.trim().toLowerCase();
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return list.find((entry) => path === entry || path.startsWith(`${entry}/`));
}

/** Whether an upstream error is GitLab's 404 (the upstream client's errors carry the failure). */
export function isNotFound(err: unknown): boolean {
  return (err as { failure?: UpstreamFailure } | undefined)?.failure?.status === 404;
}

/** The full path of project `id`, asked of GitLab once per server and process. */
export function projectFullPath(ctx: ToolContext, id: number | string): Promise<string> {
  const key = typeof id === 'number' ? String(id) : safeDecode(id).trim().toLowerCase();
  return ctx.remember(`gitlab:project-path:${key}`, async () => {
    const res = await ctx.upstream.request<Row>({ path: projectPath(id) });
    const path = res.data.path_with_namespace;
    if (typeof path !== 'string' || path === '') throw new Refusal(`GitLab's answer for project ${key} has no path_with_namespace, so it cannot be checked against PROJECTS`);
    return path;
  });
}

/**
 * Refuses `id` when the server has an allow-list that does not cover it; `what` names the
 * argument in the message (`project_id`).
 */
export async function checkProject(ctx: ToolContext, id: number | string, what = 'project_id'): Promise<void> {
  const list = allowedPaths(ctx);
  if (!list) return;
  if (!isNumericId(id)) {
    const given = safeDecode(String(id)).trim();
    if (!coveringEntry(list, given)) throw new Refusal(outside(`${what} ${JSON.stringify(given)}`, list));
    const path = await projectFullPath(ctx, given);
    if (!coveringEntry(list, path)) throw new Refusal(outside(`${what} ${JSON.stringify(given)} (moved: now ${path})`, list));
    return;
  }
  const path = await projectFullPath(ctx, id);
  if (!coveringEntry(list, path)) throw new Refusal(outside(`${what} ${String(id)} (${path})`, list));
}

/** Whether the project `id` (a number from an upstream answer) is inside the allow-list; true without one. */
export async function projectAllowed(ctx: ToolContext, id: number): Promise<boolean> {
  const list = allowedPaths(ctx);
  if (!list) return true;
  return coveringEntry(list, await projectFullPath(ctx, id)) !== undefined;
}

/** The refusal sentence for something outside the allow-list. */
export function outside(what: string, list: readonly string[]): string {
  return `${what} is outside the projects this server may use (PROJECTS: ${shown(list)}); use a project or group inside them`;
}

/** The canonical full path of a group, asked of GitLab once per server and process. */
function groupFullPath(ctx: ToolContext, group: string): Promise<string> {
  const key = safeDecode(group).trim().toLowerCase();
  return ctx.remember(`gitlab:group-path:${key}`, async () => {
    const res = await ctx.upstream.request<Row>({ path: groupPath(group), query: { with_projects: false } });
    const path = res.data.full_path;
    if (typeof path !== 'string' || path === '') throw new Refusal(`GitLab's answer for group ${key} has no full_path, so it cannot be checked against PROJECTS`);
    return path;
  });
}

/**
 * A group argument checked against the allow-list: the group itself must be an entry or inside
 * one (a group above an entry would reach other projects too), as written and as GitLab resolves it.
 */
export async function checkGroup(ctx: ToolContext, group: string): Promise<void> {
  const list = allowedPaths(ctx);
  if (!list) return;
  const given = safeDecode(group).trim();
  if (!coveringEntry(list, given)) throw new Refusal(outside(`group ${JSON.stringify(given)}`, list));
  const path = await groupFullPath(ctx, given);
  if (!coveringEntry(list, path)) throw new Refusal(outside(`group ${JSON.stringify(given)} (moved: now ${path})`, list));
}

/**
 * Where a list or a search goes: `/projects/<id>`, `/groups/<path>`, or `''` for the whole instance
 * (only without an allow-list). With an allow-list of one entry that entry is the default; with
 * several, one must be named. A `project_id` was checked by `scopedTool` before the tool ran.
 * `doing` names the tool's work in the refusal (`searches`, `lists issues`).
 */
export async function targetOf(ctx: ToolContext, a: { project_id?: number | string; group?: string }, doing: string): Promise<string> {
  if (a.project_id !== undefined && a.group !== undefined) throw new Refusal('give project_id or group, not both');
  if (a.project_id !== undefined) return projectPath(a.project_id);
  if (a.group !== undefined) {
    await checkGroup(ctx, a.group);
    return groupPath(a.group);
  }
  const list = allowedPaths(ctx);
  if (!list) return '';
  if (list.length > 1) throw new Refusal(`this server ${doing} only inside its PROJECTS (${shown(list)}): give project_id or group set to one of them`);
  return (await entryKind(ctx, list[0])) === 'group' ? groupPath(list[0]) : projectPath(list[0]);
}

/** Whether an allow-list entry is a group or a project, asked of GitLab once per server and process. */
export function entryKind(ctx: ToolContext, entry: string): Promise<'group' | 'project'> {
  return ctx.remember(`gitlab:entry-kind:${entry}`, async () => {
    try {
      await groupFullPath(ctx, entry);
      return 'group' as const;
    } catch (err) {
      // GitLab answers 404 for a path that is no group: then it names a project (or nothing, which its own call will say).
      if (isNotFound(err)) return 'project' as const;
      throw err;
    }
  });
}

/**
 * The tool with its project checked first: a `project_id` argument outside the allow-list is
 * refused before the tool calls anything else. Applied to every tool in index.ts, so no
 * project-scoped tool can forget it.
 */
export function scopedTool(tool: ToolDefinition): ToolDefinition {
  if (!('project_id' in tool.inputSchema.shape)) return tool;
  return {
    ...tool,
    async handler(args: { project_id?: number | string }, ctx: ToolContext) {
      try {
        if (args.project_id !== undefined) await checkProject(ctx, args.project_id);
      } catch (err) {
        if (err instanceof Refusal) return { content: [{ type: 'text' as const, text: err.message }], isError: true };
        throw err;
      }
      return tool.handler(args, ctx);
    },
  };
}
