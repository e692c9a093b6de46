/**
 * How every tool calls PagerDuty: the versioned `Accept` header of REST API v2 on each request, and
 * for writes the `From` header with the email of the user the write acts as. PagerDuty refuses
 * writes of account-level keys without one (400, error 2016), and it makes that user the
 * acknowledger (and assignee) of an incident: so it is a real responder's, never invented.
 *
 * The `From` user is the server's `FROM_EMAIL` setting, else the token's own user (`GET /users/me`,
 * asked once per process): only user-level keys have one; for an account-level key `/users/me`
 * answers 400, and the write is refused with a sentence that says to set `fromEmail`.
 */
import { z } from 'zod';
import { FROM_PLACEHOLDER } from './failures';
import { environmentPrefix } from '../../../src/contract';
import { Refusal, answer, output, readTool, type Query, type Row, type ToolContext, type ToolDefinition, type UpstreamRequest, type UpstreamResponse } from '../../kit';

export const PAGERDUTY_ACCEPT = 'application/vnd.pagerduty+json;version=2';

/** One PagerDuty call (JSON), with the versioned Accept header. */
export function pd<T = Row>(ctx: ToolContext, req: UpstreamRequest): Promise<UpstreamResponse<T>> {
  // Lower case: the upstream client's own `accept` default is replaced, not joined.
  return ctx.upstream.request<T>({ ...req, headers: { ...req.headers, accept: PAGERDUTY_ACCEPT } });
}

/** The status of a failed upstream call (the upstream client's errors carry the failure). */
export function failedStatus(err: unknown): number | undefined {
  const status = (err as { failure?: { status?: unknown } } | undefined)?.failure?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The token's own user (`GET /users/me`), asked once per server and process. */
export function tokenUser(ctx: ToolContext): Promise<Row> {
  return ctx.remember('pagerduty:users/me', async () => (await pd<{ user: Row }>(ctx, { path: '/users/me' })).data.user);
}

/**
 * The ID of the key's own user, for `mine` filters; a `Refusal` for an account-level key, which
 * has none.
 */
export async function myUserId(ctx: ToolContext, tool: string): Promise<string> {
  try {
    return String((await tokenUser(ctx)).id);
  } catch (err) {
    if (failedStatus(err) !== 400) throw err;
    throw new Refusal(`${tool}: mine=true needs a user-level API key, and this server's key is account-level (it has no user): give user_ids instead`);
  }
}

/** The variable that names the `From` user, for messages. */
export const fromEmailVariable = (ctx: ToolContext) => `${environmentPrefix(ctx.serverName)}_FROM_EMAIL`;

/** Who a write acts as. */
export interface Requester {
  readonly email: string;
  /** `setting`: the server's FROM_EMAIL; `token user`: the user of a user-level key. */
  readonly source: 'setting' | 'token user';
}

/** The `From` user of writes, or a `Refusal` saying to set `fromEmail`. */
export async function requester(ctx: ToolContext): Promise<Requester> {
  const configured = ctx.settings.FROM_EMAIL?.trim();
  if (configured) return { email: configured, source: 'setting' };
  let user: Row;
  try {
    user = await tokenUser(ctx);
  } catch (err) {
    // An account-level key has no user: PagerDuty answers /users/me with 400 (it cannot correlate a user).
    if (failedStatus(err) !== 400) throw err;
    throw new Refusal('this write needs the email of the PagerDuty user it acts as (the From header), and the token has no user of its own: '
      + `${(err as Error).message}. That is what an account-level API key answers: set fromEmail in McpServer.pagerduty({ ... }) `
      + `(the variable ${fromEmailVariable(ctx)}) to the email of the responder the server acts as, or use a user-level API key`);
  }
  if (typeof user?.email !== 'string' || user.email === '') {
    throw new Refusal(`GET /users/me gave no email for the token's user; set fromEmail in McpServer.pagerduty({ ... }) (the variable ${fromEmailVariable(ctx)})`);
  }
  return { email: user.email, source: 'token user' };
}

/**
 * The ID of the `From` user (responder requests name their requester by ID): the token's user, or
 * the user whose email is FROM_EMAIL (`GET /users?query=`, asked once per process).
 */
export async function requesterId(ctx: ToolContext, who: Requester): Promise<string> {
  if (who.source === 'token user') return String((await tokenUser(ctx)).id);
  const email = who.email.toLowerCase();
  return ctx.remember(`pagerduty:user-id:${email}`, async () => {
    const res = await pd<{ users?: Row[] }>(ctx, { path: '/users', query: { query: who.email, limit: 25 } });
    const match = (res.data.users ?? []).find((u) => typeof u.email === 'string' && u.email.toLowerCase() === email);
    if (!match) throw new Refusal(`no PagerDuty user has the email ${who.email} (${fromEmailVariable(ctx)}): set it to a user's login email`);
    return String(match.id);
  });
}

/** A write: the Accept header, and `From` with the requester's email. */
export async function pdWrite<T = Row>(ctx: ToolContext, req: UpstreamRequest): Promise<{ res: UpstreamResponse<T>; from: Requester }> {
  const from = await requester(ctx);
  try {
    const res = await pd<T>(ctx, { ...req, headers: { ...req.headers, from: from.email } });
    return { res, from };
  } catch (err) {
    // The failure sentence cannot know the server's prefix; here it is known: name the variable.
    if (failedStatus(err) === 400 && err instanceof Error && err.message.includes(FROM_PLACEHOLDER)) {
      throw new Refusal(err.message.split(FROM_PLACEHOLDER).join(fromEmailVariable(ctx)));
    }
    throw err;
  }
}

/** What a PagerDuty read tool declares (`pdItem` here, `pdList` in paging.ts add how to call it). */
export interface PdReadSpec<I extends z.ZodRawShape> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: I;
  /** The key of the object, or of the rows, in PagerDuty's answer. */
  readonly key: string;
  readonly row: z.ZodType;
  map(row: Row): Row;
}

/**
 * A read tool that gets one PagerDuty object (the kit's `itemTool`, with the Accept header):
 * `key` is the object's key in the answer (`{ escalation_policy: {...} }`).
 */
export function pdItem<I extends z.ZodRawShape>(spec: PdReadSpec<I> & {
  request(args: z.infer<z.ZodObject<I>>): { path: string; query?: Query };
}): ToolDefinition {
  return readTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: output.item(spec.row),
    async run(args, ctx) {
      const res = await pd<Row>(ctx, spec.request(args));
      return answer.item(spec.map((res.data[spec.key] ?? {}) as Row));
    },
  });
}
