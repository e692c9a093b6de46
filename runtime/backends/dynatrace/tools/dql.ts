/**
 * DQL as written by the caller: verified first (`query:verify`, nothing scanned), then run with
 * every cap (records, bytes, gigabytes scanned). DQL has no command that changes data, and the
 * platform token needs only read scopes, so a raw query can read but never write.
 */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, answer, readTool, untrusted, type Row, type ToolContext } from '../../../kit';
import { grailAnswer } from '../answers';
import { MAX_RECORDS, MAX_RESULT_BYTES, runDql, serverScanLimit, verifyDql, type Verification } from '../grail';
import { timestamp } from '../selectors';
import { dualList } from '../shapes';
import { requireKind } from '../tokens';

const MAX_QUERY_CHARS = 10_000;

const dqlQuery = z.string().min(1).max(MAX_QUERY_CHARS).superRefine((v, ctx) => {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) ctx.addIssue({ code: 'custom', message: 'query contains a control character other than a newline or tab' });
}).describe('The DQL query, e.g. fetch logs | filter loglevel == "ERROR" | summarize count(), by: {dt.entity.service}');

const PLATFORM_ONLY = 'Grail (DQL) is reached with a platform token only; with a classic token use list_problems, search_logs, query_metrics, list_events and find_entities.';

function verificationText(v: Verification): string {
  return v.notifications.map((n) => {
    const at = (n.syntaxPosition as { start?: { line?: number; column?: number } } | undefined)?.start;
    return `${n.severity ?? 'INFO'}${n.notificationType ? ` ${n.notificationType}` : ''}${at?.line !== undefined ? ` at line ${at.line}, column ${at.column ?? '?'}` : ''}: ${n.message ?? ''}`;
  }).join('\n');
}

/** Log content and other text fields of a record are data written by others. */
function framed(record: Row): Row {
  return typeof record.content === 'string' ? { ...record, content: untrusted(record.content, 'log line') } : record;
}

async function verified(ctx: ToolContext, query: string): Promise<void> {
  const v = await verifyDql(ctx, query);
  if (!v.valid) {
    throw new Refusal(`Grail refused the query before running it (nothing was scanned):\n${verificationText(v) || 'no reason given'}\nFix it and call again (verify_dql checks a query without running it).`);
  }
}

const executeDql = readTool({
  name: 'execute_dql',
  title: 'Run a DQL query',
  description: 'Run a read-only Dynatrace Query Language query on Grail (logs, events, spans, metrics via timeseries, entities, dt.davis.problems, security.events...). '
    + `Read-only: DQL cannot change data. Verified first with query:verify (an invalid query is refused with Grail's reasons, nothing scanned). Capped: at most max_records records (default 100, at most ${MAX_RECORDS}), `
    + `${MAX_RESULT_BYTES / 1024} KB of result and the server's scan limit in GB (Grail bills per GB read); the answer says when a cap cut the result and how much was scanned. `
    + `Timeframe: the query's own from:/to:, else from/to here (default the last 2 hours). Needs a platform token. ${UNTRUSTED_NOTE}`,
  input: {
    query: dqlQuery,
    from: timestamp('from', 'now-2h'),
    to: timestamp('to', 'now'),
    max_records: z.number().int().min(1).max(MAX_RECORDS).optional().describe(`Records to return, 1-${MAX_RECORDS} (default 100); sort and limit in the query for the top ones`),
    scan_limit_gbytes: z.number().positive().max(10_000).optional().describe('Gigabytes the query may scan, at most the server\'s limit (default that limit)'),
  },
  output: dualList(z.looseObject({})),
  async run(a, ctx) {
    await requireKind(ctx, 'platform', 'execute_dql', PLATFORM_ONLY);
    if (a.scan_limit_gbytes !== undefined && a.scan_limit_gbytes > serverScanLimit(ctx)) {
      throw new Refusal(`scan_limit_gbytes ${a.scan_limit_gbytes} is above this server's limit of ${serverScanLimit(ctx)} GB (SCAN_LIMIT_GBYTES); ask for at most that`);
    }
    await verified(ctx, a.query);
    const run = await runDql(ctx, { query: a.query, from: a.from ?? 'now-2h', to: a.to, maxRecords: a.max_records ?? 100, scanLimitGbytes: a.scan_limit_gbytes }, 'execute_dql');
    return grailAnswer(run, framed);
  },
});

const verifyDqlTool = readTool({
  name: 'verify_dql',
  title: 'Check a DQL query',
  description: 'Check a DQL query without running it (query:verify; nothing is scanned or billed): whether it is valid, Grail\'s errors and warnings with their line and column, and the canonical form. '
    + 'Use it on every query you write before execute_dql. Needs a platform token.',
  input: { query: dqlQuery },
  output: z.object({
    valid: z.boolean(),
    notifications: z.array(z.looseObject({})),
    canonical_query: z.string().optional(),
  }),
  async run(a, ctx) {
    await requireKind(ctx, 'platform', 'verify_dql', PLATFORM_ONLY);
    const v = await verifyDql(ctx, a.query);
    const head = v.valid ? 'The query is valid.' : 'The query is not valid.';
    const detail = verificationText(v);
    const data = { valid: v.valid, notifications: v.notifications as Row[], ...(v.canonicalQuery ? { canonical_query: v.canonicalQuery } : {}) };
    return answer.message([head, detail, v.canonicalQuery ? `Canonical form:\n${v.canonicalQuery}` : ''].filter(Boolean).join('\n'), data);
  },
});

export const dqlTools = [executeDql, verifyDqlTool];
