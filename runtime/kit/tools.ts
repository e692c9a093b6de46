/**
 * Tool definers. A tool says once whether it reads or writes (`readTool` / `writeTool`); its MCP
 * annotations and the write gate (`mutating`: registered only where the server allows writes)
 * follow from that. Its input is a zod shape (strict: an unknown argument is refused), its output a
 * zod object that the text's `structuredContent` matches, and a `Refusal` thrown anywhere in `run`
 * becomes an `isError` result with its message.
 */
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { Refusal, answer, output, type Answer, type ListOutput } from './answer';
import { pick, rowSchema } from './fields';
import type { Paging, Query } from './paging';
import type { ToolContext, ToolDefinition } from '../core/types';

const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodObject> {
  /** snake_case, unique in the backend, listed in the backend's contract. */
  readonly name: string;
  readonly title: string;
  /** What the tool does and returns, for the model choosing a tool. */
  readonly description: string;
  readonly input: I;
  /** The `structuredContent` of every non-error result (`output.item(...)`, `output.list(...)` or an object). */
  readonly output: O;
  run(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<Answer<z.input<O>>>;
}

export interface WriteToolSpec<I extends z.ZodRawShape, O extends z.ZodObject> extends ToolSpec<I, O> {
  /** Whether it may destroy data (delete, overwrite). Default false: it adds or changes. */
  readonly destructive?: boolean;
  /** Whether calling it twice with the same arguments does no more than once. Default false. */
  readonly idempotent?: boolean;
}

function define<I extends z.ZodRawShape, O extends z.ZodObject>(
  spec: ToolSpec<I, O>, annotations: ToolAnnotations, mutating: boolean,
): ToolDefinition {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: z.object(spec.input).strict(),
    outputSchema: spec.output,
    annotations,
    mutating,
    async handler(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult> {
      try {
        const { text, data } = await spec.run(args, ctx);
        return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
      } catch (err) {
        if (err instanceof Refusal) return { content: [{ type: 'text', text: err.message }], isError: true };
        throw err;
      }
    },
  };
}

/**
 * A tool that only reads: annotated read-only and idempotent, offered whatever the write switch says.
 *
 * @example
 * export const getIssue = readTool({
 *   name: 'get_issue',
 *   title: 'Get an issue',
 *   description: 'Get one issue of a project, with its description.',
 *   input: { project_id: projectId, issue_iid: iid('issue') },
 *   output: output.item(ISSUE_ROW),
 *   run: async (a, ctx) => answer.item(summarizeIssue((await ctx.upstream.request<Row>({ path: issuePath(a) })).data, true)),
 * });
 */
export function readTool<I extends z.ZodRawShape, O extends z.ZodObject>(spec: ToolSpec<I, O>): ToolDefinition {
  return define(spec, READ, false);
}

/**
 * A tool that changes the upstream: annotated as a write, and registered only where the server
 * allows writes (`<PREFIX>_ALLOW_WRITES=true`).
 *
 * @example
 * export const addNote = writeTool({
 *   name: 'create_issue_note',
 *   title: 'Comment on an issue',
 *   description: 'Add a comment to an issue.',
 *   input: { project_id: projectId, issue_iid: iid('issue'), body: z.string().min(1) },
 *   output: z.object({ id: z.unknown() }),
 *   run: async (a, ctx) => {
 *     const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${issuePath(a)}/notes`, body: { body: a.body } });
 *     return answer.message(`Added note ${String(res.data.id)} to issue #${a.issue_iid}.`, { id: res.data.id });
 *   },
 * });
 */
export function writeTool<I extends z.ZodRawShape, O extends z.ZodObject>(spec: WriteToolSpec<I, O>): ToolDefinition {
  const annotations: ToolAnnotations = {
    readOnlyHint: false, destructiveHint: spec.destructive ?? false, idempotentHint: spec.idempotent ?? false, openWorldHint: true,
  };
  return define(spec, annotations, true);
}

/** How an upstream object becomes a row of the answer: a schema and a mapping... */
export interface MappedRows<R extends z.ZodType> {
  /** The schema of one mapped row (see `rowSchema`). */
  readonly row: R;
  /** One upstream object as the answer shows it. */
  map(row: Record<string, unknown>): z.input<R>;
}

/** ...or just the fields it keeps (`pick(row, fields)`, schema `rowSchema(fields)`). */
export interface PickedRows {
  readonly fields: readonly string[];
}

export type RowSpec<R extends z.ZodType> = MappedRows<R> | PickedRows;

function rowsFrom<R extends z.ZodType>(spec: RowSpec<R>): MappedRows<z.ZodType> {
  if ('fields' in spec) return { row: rowSchema(spec.fields), map: (r) => pick(r, spec.fields) };
  return spec;
}

export type ListToolSpec<I extends z.ZodRawShape, P extends z.ZodRawShape, R extends z.ZodType> = RowSpec<R> & {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The tool's own input; the paging style adds its pieces (`page`/`per_page`/`limit`, `cursor`). */
  readonly input: I;
  readonly paging: Paging<P>;
  /** The upstream call for the arguments: path and filters (paging parameters are added), or a `Refusal`. */
  request(args: z.infer<z.ZodObject<I & P>>): { path: string; query?: Query };
};

/**
 * A read tool over one paged upstream list: its input, output, query, rows and continuation
 * sentence all come from its paging style.
 *
 * @example
 * export const listPipelines = listTool({
 *   name: 'list_pipelines',
 *   title: 'List pipelines',
 *   description: 'List CI/CD pipelines of a project, newest first, filtered by status or ref.',
 *   input: { project_id: projectId, ref: z.string().optional() },
 *   paging: pages,
 *   fields: PIPELINE_FIELDS, // or `row` (a schema) and `map` (upstream object -> row)
 *   request: (a) => ({ path: `${projectPath(a.project_id)}/pipelines`, query: { ref: a.ref } }),
 * });
 */
export function listTool<I extends z.ZodRawShape, P extends z.ZodRawShape, R extends z.ZodType = z.ZodType>(
  spec: ListToolSpec<I, P, R>,
): ToolDefinition {
  const { row, map } = rowsFrom(spec);
  return readTool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} ${spec.paging.hint}`,
    input: { ...spec.input, ...spec.paging.input } as I & P,
    output: output.list(row),
    async run(args, ctx): Promise<Answer<ListOutput<unknown>>> {
      const { path, query } = spec.request(args as z.infer<z.ZodObject<I & P>>);
      const pageArgs = args as z.infer<z.ZodObject<P>>;
      const res = await ctx.upstream.request({ path, query: { ...query, ...spec.paging.query(pageArgs, spec.name) } });
      const { rows, continuation } = spec.paging.read(res, pageArgs, spec.name);
      return answer.list(rows.map(map), continuation);
    },
  });
}

export type ItemToolSpec<I extends z.ZodRawShape, R extends z.ZodType> = RowSpec<R> & {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: I;
  /** The upstream call for the arguments (a GET of `path`). */
  request(args: z.infer<z.ZodObject<I>>): { path: string; query?: Query };
};

/**
 * A read tool that gets one upstream object: `{ item }` as structured content, its JSON as text.
 *
 * @example
 * export const getIssue = itemTool({
 *   name: 'get_issue',
 *   title: 'Get an issue',
 *   description: 'Get one issue of a project, with its description.',
 *   input: { project_id: projectId, issue_iid: iid('issue') },
 *   row: ISSUE_ROW,
 *   request: (a) => ({ path: `${projectPath(a.project_id)}/issues/${a.issue_iid}` }),
 *   map: (i) => summarizeIssue(i, true),
 * });
 */
export function itemTool<I extends z.ZodRawShape, R extends z.ZodType = z.ZodType>(spec: ItemToolSpec<I, R>): ToolDefinition {
  const { row, map } = rowsFrom(spec);
  return readTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: output.item(row),
    async run(args, ctx) {
      const res = await ctx.upstream.request<Record<string, unknown>>(spec.request(args));
      return answer.item(map(res.data));
    },
  });
}
