/**
 * Writes, registered only where the server allows them (`<PREFIX>_ALLOW_WRITES=true`): a comment
 * on a problem, closing a problem, and an event such as a deployment marker. All three are
 * classic Environment API v2 calls and need a classic access token with problems.write or
 * events.ingest. Event types that open problems (alerts, error, availability...) are not offered:
 * the ones here only annotate.
 */
import { z } from 'zod';
import { Refusal, answer, pathSegment, writeTool, type Row, type ToolContext } from '../../../kit';
import { entityFilterInput, entitySelector } from '../entities-filter';
import { requireKind } from '../tokens';
import { problemId } from './problems';
import { criterion } from '../selectors';

const WRITES_NEED = 'Writes go through the Environment API v2: configure a classic access token (dt0c01.*) with problems.write / events.ingest for this server.';

/** The classic problemId of a display id (`P-...`), found over the API's retention. */
async function classicProblemId(ctx: ToolContext, id: string): Promise<string> {
  if (!/^P-\d+$/.test(id)) return id;
  const found = await ctx.upstream.request<{ problems?: Row[] }>({
    path: '/api/v2/problems', query: { problemSelector: criterion('displayId', [id], 'problem_id'), from: 'now-365d', pageSize: 1 },
  });
  const problemIdFound = found.data.problems?.[0]?.problemId;
  if (typeof problemIdFound !== 'string') throw new Refusal(`no problem ${id} in the last 365 days that this token can see`);
  return problemIdFound;
}

const message = (what: string) => z.string().trim().min(1).max(5000).describe(what);

const addProblemComment = writeTool({
  name: 'add_problem_comment',
  title: 'Comment on a problem',
  description: 'Add a comment to a problem (shown on the problem and sent to its integrations), e.g. what was found or done. Needs a classic access token with problems.write.',
  input: {
    problem_id: problemId,
    message: message('The comment (plain text or markdown)'),
    context: z.string().trim().min(1).max(200).optional().describe('Where the comment comes from, e.g. "MCP incident assistant" (default: mcp-server-fleet)'),
  },
  output: z.object({ problem_id: z.string() }),
  async run(a, ctx) {
    await requireKind(ctx, 'classic', 'add_problem_comment', WRITES_NEED);
    const id = await classicProblemId(ctx, a.problem_id);
    // 201 without a body: read as text.
    await ctx.upstream.request({
      method: 'POST', path: `/api/v2/problems/${pathSegment(id, 'problem_id')}/comments`, body: { message: a.message, context: a.context ?? 'mcp-server-fleet' }, responseType: 'text',
    });
    return answer.message(`Added a comment to problem ${a.problem_id}.`, { problem_id: id });
  },
});

const closeProblem = writeTool({
  name: 'close_problem',
  title: 'Close a problem',
  description: 'Close an open problem with a closing comment (Davis reopens it if the cause persists). Needs a classic access token with problems.write.',
  input: { problem_id: problemId, message: message('Why it is closed, e.g. the fix that was deployed') },
  output: z.object({ problem_id: z.string(), closing: z.unknown().optional() }),
  idempotent: true,
  async run(a, ctx) {
    await requireKind(ctx, 'classic', 'close_problem', WRITES_NEED);
    const id = await classicProblemId(ctx, a.problem_id);
    const res = await ctx.upstream.request<Row>({ method: 'POST', path: `/api/v2/problems/${pathSegment(id, 'problem_id')}/close`, body: { message: a.message } });
    return answer.message(`Closing problem ${a.problem_id}${res.data?.closing === true ? '' : ' (Dynatrace did not confirm closing)'}.`, { problem_id: id, closing: res.data?.closing });
  },
});

const EVENT_TYPES = ['CUSTOM_DEPLOYMENT', 'CUSTOM_CONFIGURATION', 'CUSTOM_INFO', 'CUSTOM_ANNOTATION'] as const;
const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

const sendEvent = writeTool({
  name: 'send_event',
  title: 'Send an event',
  description: 'Send an event to entities: a deployment marker (CUSTOM_DEPLOYMENT, with deployment_name, version and a CI link), a configuration change, an info or an annotation, so that problems can be correlated with what changed. '
    + 'Events that open problems are not offered. Without entity filters the event applies to the whole environment. Needs a classic access token with events.ingest.',
  input: {
    event_type: z.enum(EVENT_TYPES),
    title: z.string().trim().min(1).max(500),
    ...entityFilterInput,
    deployment_name: z.string().trim().min(1).max(200).optional().describe('CUSTOM_DEPLOYMENT: what was deployed (dt.event.deployment.name)'),
    deployment_version: z.string().trim().min(1).max(200).optional().describe('CUSTOM_DEPLOYMENT: its version (dt.event.deployment.version)'),
    ci_back_link: z.string().trim().url().max(2000).optional().describe('A link to the pipeline or change (dt.event.deployment.ci_back_link)'),
    properties: z.record(z.string().regex(PROPERTY_KEY, 'property names are letters, digits, ".", ":", "_", "-"'), z.string().max(2000)).optional()
      .describe('More properties as name/value strings, at most 50'),
  },
  output: z.object({ report_count: z.unknown().optional(), results: z.unknown().optional() }),
  async run(a, ctx) {
    await requireKind(ctx, 'classic', 'send_event', WRITES_NEED);
    const properties: Record<string, string> = { ...(a.properties ?? {}) };
    if (Object.keys(properties).length > 50) throw new Refusal(`properties has ${Object.keys(properties).length} entries; at most 50`);
    if (a.event_type !== 'CUSTOM_DEPLOYMENT' && (a.deployment_name || a.deployment_version)) {
      throw new Refusal(`deployment_name and deployment_version belong to CUSTOM_DEPLOYMENT events, not ${a.event_type}`);
    }
    if (a.deployment_name) properties['dt.event.deployment.name'] = a.deployment_name;
    if (a.deployment_version) properties['dt.event.deployment.version'] = a.deployment_version;
    if (a.ci_back_link) properties['dt.event.deployment.ci_back_link'] = a.ci_back_link;
    const selector = entitySelector(a);
    const res = await ctx.upstream.request<{ reportCount?: unknown; eventIngestResults?: unknown }>({
      method: 'POST',
      path: '/api/v2/events/ingest',
      body: { eventType: a.event_type, title: a.title, ...(selector ? { entitySelector: selector } : {}), properties },
    });
    const results = Array.isArray(res.data?.eventIngestResults) ? res.data.eventIngestResults as Row[] : [];
    const ok = results.filter((r) => r.status === 'OK').length;
    return answer.message(`Sent ${a.event_type} "${a.title}": ${String(res.data?.reportCount ?? 0)} entit${res.data?.reportCount === 1 ? 'y' : 'ies'} reported, ${ok} accepted.`,
      { report_count: res.data?.reportCount, results });
  },
});

export const writeTools = [addProblemComment, sendEvent, closeProblem];
