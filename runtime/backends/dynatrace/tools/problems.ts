/**
 * Problems: Davis problems from the classic Problems API v2 (`problemSelector`, `nextPageKey`) or
 * from Grail's `dt.davis.problems` with the Problems app's query, by token kind.
 */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, answer, pathSegment, readTool, type Row } from '../../../kit';
import { classicAnswer, grailAnswer } from '../answers';
import { entityFilterInput, entitySelector, grailEntityCondition } from '../entities-filter';
import { runDql } from '../grail';
import { PAGED_HINT, classicPage, cursorInput, sizeInput } from '../paging';
import { criterion, dqlString, textValue, timestamp } from '../selectors';
import { GRAIL_PROBLEM_FIELDS, PROBLEM_ROW, dualItem, dualList, summarizeProblem } from '../shapes';
import { tokenKind } from '../tokens';

const SEVERITIES = ['AVAILABILITY', 'ERROR', 'PERFORMANCE', 'RESOURCE_CONTENTION', 'CUSTOM_ALERT', 'MONITORING_UNAVAILABLE', 'INFO'] as const;
/** Grail's `event.category` for the classic severity level. */
const GRAIL_CATEGORY: Record<(typeof SEVERITIES)[number], string> = {
  AVAILABILITY: 'AVAILABILITY', ERROR: 'ERROR', PERFORMANCE: 'SLOWDOWN', RESOURCE_CONTENTION: 'RESOURCE', CUSTOM_ALERT: 'CUSTOM_ALERT', MONITORING_UNAVAILABLE: 'MONITORING_UNAVAILABLE', INFO: 'INFO',
};
const IMPACTS = ['APPLICATION', 'SERVICES', 'INFRASTRUCTURE', 'ENVIRONMENT'] as const;

/** A problem: its display id (`P-2311123`, what people quote) or the classic problemId. */
export const problemId = z.string().trim().regex(/^(?:P-\d{1,20}|-?[0-9A-Za-z_]{1,120})$/, 'problem_id must be a display id such as P-2311123 or a classic problemId such as -7513698357812339401_1700000000000V2')
  .describe('The problem: its display id (e.g. P-2311123) or its classic problemId');

const DEDUP = 'isNull(dt.davis.is_duplicate) or not(dt.davis.is_duplicate)';
const PROBLEM_FIELDS_DQL = `| fields ${GRAIL_PROBLEM_FIELDS.join(', ')}`;

const listProblems = readTool({
  name: 'list_problems',
  title: 'List problems',
  description: 'List Davis problems (open by default), newest first, by severity, impact, affected entity or management zone. Classic token: Problems API v2; platform token: Grail dt.davis.problems (as the Problems app queries it; management_zone and impact filter only the classic API). '
    + `Each problem has its display id (P-...), title, status, root cause and affected entities. ${PAGED_HINT}`,
  input: {
    status: z.enum(['open', 'closed', 'all']).optional().describe('Default open'),
    severity: z.array(z.enum(SEVERITIES)).min(1).optional().describe('Any of these severity levels'),
    impact: z.array(z.enum(IMPACTS)).min(1).optional().describe('Any of these impact levels (classic token)'),
    management_zone: textValue('management_zone').optional().describe('Only problems in this management zone, by name (classic token)'),
    ...entityFilterInput,
    from: timestamp('from', 'now-24h'),
    to: timestamp('to', 'now'),
    limit: sizeInput(500, 25),
    cursor: cursorInput,
  },
  output: dualList(PROBLEM_ROW),
  async run(a, ctx) {
    const status = a.status ?? 'open';
    const from = a.from ?? 'now-24h';
    if (await tokenKind(ctx) === 'classic') {
      const selector = [
        ...(status === 'all' ? [] : [criterion('status', [status], 'status')]),
        ...(a.severity ? [criterion('severityLevel', a.severity, 'severity')] : []),
        ...(a.impact ? [criterion('impactLevel', a.impact, 'impact')] : []),
        ...(a.management_zone ? [criterion('managementZones', [a.management_zone], 'management_zone')] : []),
      ].join(',');
      const page = await classicPage(ctx, 'list_problems', '/api/v2/problems', {
        problemSelector: selector, entitySelector: entitySelector(a), from, to: a.to, sort: '-startTime',
      }, { rows: 'problems' }, a);
      return classicAnswer(page, (p) => summarizeProblem(p));
    }
    if (a.impact || a.management_zone) throw new Refusal('impact and management_zone filter problems only through the classic API (a classic access token); with a platform token, filter by severity or entity_id');
    const limit = a.limit ?? 25;
    const entity = grailEntityCondition(a, () => ['in:affected_entity_ids', 'root_cause_entity_id']);
    const query = [
      'fetch dt.davis.problems',
      `| filter ${DEDUP}`,
      ...(status === 'all' ? [] : [`| filter event.status == ${dqlString(status === 'open' ? 'ACTIVE' : 'CLOSED')}`]),
      ...(a.severity ? [`| filter in(event.category, array(${a.severity.map((s) => dqlString(GRAIL_CATEGORY[s])).join(', ')}))`] : []),
      ...(entity ? [`| filter ${entity}`] : []),
      // A problem has a record per update: the latest one says its state.
      '| dedup event.id, sort: {timestamp desc}',
      '| sort event.start desc',
      `| limit ${limit + 1}`,
      PROBLEM_FIELDS_DQL,
    ].join('\n');
    const run = await runDql(ctx, { query, from, to: a.to, maxRecords: limit + 1 }, 'list_problems');
    return grailAnswer(run, (r) => r, limit);
  },
});

const getProblem = readTool({
  name: 'get_problem',
  title: 'Get a problem',
  description: 'Get one problem with its evidence, impact analysis, root cause, affected entities and recent comments (classic token), or its latest Grail record and its Davis events (platform token). '
    + `Takes the display id (P-...) or the classic problemId. ${UNTRUSTED_NOTE}`,
  input: { problem_id: problemId },
  output: dualItem(z.looseObject({})),
  async run(a, ctx) {
    if (await tokenKind(ctx) === 'classic') {
      let id = a.problem_id;
      if (/^P-\d+$/.test(id)) {
        // The detail endpoint takes the internal id only: find it by display id first (over the API's full retention).
        const found = await ctx.upstream.request<{ problems?: Row[] }>({
          path: '/api/v2/problems', query: { problemSelector: criterion('displayId', [id], 'problem_id'), from: 'now-365d', pageSize: 1 },
        });
        const problem = found.data.problems?.[0];
        if (!problem || typeof problem.problemId !== 'string') throw new Refusal(`no problem ${id} in the last 365 days that this token can see`);
        id = problem.problemId;
      }
      const res = await ctx.upstream.request<Row>({
        path: `/api/v2/problems/${pathSegment(id, 'problem_id')}`, query: { fields: '+evidenceDetails,+impactAnalysis,+recentComments' },
      });
      const item = answer.item(summarizeProblem(res.data, true));
      return { text: item.text, data: { ...item.data, api: 'classic' as const } };
    }
    const match = /^P-\d+$/.test(a.problem_id) ? `display_id == ${dqlString(a.problem_id)}` : `event.id == ${dqlString(a.problem_id)}`;
    const problems = await runDql(ctx, {
      query: ['fetch dt.davis.problems', `| filter ${match}`, '| sort timestamp desc', '| limit 1'].join('\n'), from: 'now-30d', maxRecords: 1,
    }, 'get_problem');
    const problem = problems.records[0];
    if (!problem) throw new Refusal(`no problem ${a.problem_id} in Grail's dt.davis.problems over the last 30 days that this token can see`);
    const eventIds = (Array.isArray(problem['dt.davis.event_ids']) ? problem['dt.davis.event_ids'] : []).filter((e): e is string => typeof e === 'string').slice(0, 50);
    let events: Row[] = [];
    if (eventIds.length > 0) {
      const run = await runDql(ctx, {
        query: ['fetch dt.davis.events', `| filter in(event.id, array(${eventIds.map((e) => dqlString(e, 'event id')).join(', ')}))`,
          '| fields event.id, event.name, event.type, event.status, event.start, event.end, dt.source_entity, event.description', '| limit 50'].join('\n'),
        from: 'now-30d',
        maxRecords: 50,
      }, 'get_problem');
      events = run.records;
    }
    const item = answer.item({ ...problem, davis_events: events });
    return { text: item.text, data: { ...item.data, api: 'platform' as const } };
  },
});

export const problemTools = [listProblems, getProblem];
