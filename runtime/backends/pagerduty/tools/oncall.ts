/** Who is on call: on-call periods, schedules (with the final rendered schedule) and escalation policies. */
import { z } from 'zod';
import { answer, output, readTool, type Row } from '../../../kit';
import { pdList } from '../paging';
import { myUserId, pd, pdItem } from '../requests';
import {
  ONCALL_ROW, ONCALL_WINDOW, POLICY_ROW, SCHEDULE_ROW, SCHEDULE_WINDOW,
  oncallRow, pdId, pdIds, policyRow, scheduleRow, seg, time, timeWindow,
} from '../shapes';

const listOncalls = pdList({
  name: 'list_oncalls',
  title: 'List who is on call',
  description: 'Who is on call, by escalation policy, schedule or user. Without since/until: right now. '
    + 'earliest=true (default) keeps only the next period of each user per policy and level. '
    + 'A since or until alone makes a one-day window; at most 90 days.',
  input: {
    escalation_policy_ids: pdIds('escalation_policy_ids'),
    schedule_ids: pdIds('schedule_ids'),
    user_ids: pdIds('user_ids'),
    mine: z.boolean().optional().describe('Only the API key\'s own user (user-level keys): "am I on call?"; not with user_ids'),
    since: time('since').describe('Start of the range (ISO 8601); default now'),
    until: time('until').describe('End of the range (ISO 8601)'),
    earliest: z.boolean().optional().describe('Only the earliest period of each user, policy and level (default true)'),
  },
  key: 'oncalls',
  row: ONCALL_ROW,
  map: oncallRow,
  async request(a, ctx) {
    if (a.mine && a.user_ids) answer.refuse('give mine or user_ids, not both');
    const users = a.mine ? [await myUserId(ctx, 'list_oncalls')] : a.user_ids;
    const window = a.since === undefined && a.until === undefined ? undefined : timeWindow(a.since, a.until, ONCALL_WINDOW);
    return {
      path: '/oncalls',
      query: {
        'escalation_policy_ids[]': a.escalation_policy_ids,
        'schedule_ids[]': a.schedule_ids,
        'user_ids[]': users,
        ...window,
        'earliest': a.earliest ?? true,
      },
      window: window ? `On call from ${window.since} to ${window.until}.` : 'On call now.',
    };
  },
});

const listSchedules = pdList({
  name: 'list_schedules',
  title: 'List schedules',
  description: 'List on-call schedules, by name or team, with their users and escalation policies.',
  input: { query: z.string().trim().min(1).max(200).optional().describe('Part of the schedule\'s name'), team_ids: pdIds('team_ids') },
  key: 'schedules',
  row: SCHEDULE_ROW,
  map: (s) => scheduleRow(s),
  request: (a) => ({ path: '/schedules', query: { 'query': a.query, 'team_ids[]': a.team_ids } }),
});

const getSchedule = readTool({
  name: 'get_schedule',
  title: 'Get a schedule',
  description: 'One schedule with its final rendered schedule (who is on call when, overrides applied) over since..until '
    + '(default: the next 7 days; at most 90), its overrides and its layers.',
  input: {
    schedule_id: pdId('schedule_id'),
    since: time('since').describe('Start of the rendered range (ISO 8601); default now'),
    until: time('until').describe('End of the rendered range (ISO 8601); default 7 days after since'),
    time_zone: z.string().regex(/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+){0,2}$/, 'time_zone must be an IANA zone such as Europe/Berlin').optional().describe('Times in this zone (default: the schedule\'s)'),
  },
  output: output.item(SCHEDULE_ROW),
  async run(a, ctx) {
    const window = timeWindow(a.since, a.until, SCHEDULE_WINDOW);
    const res = await pd<{ schedule: Row }>(ctx, { path: `/schedules/${seg(a.schedule_id, 'schedule_id')}`, query: { ...window, time_zone: a.time_zone } });
    return answer.item({ ...scheduleRow(res.data.schedule, true), ...window }, `Schedule ${String(res.data.schedule.name ?? a.schedule_id)}, rendered from ${window.since} to ${window.until}.`);
  },
});

const listPolicies = pdList({
  name: 'list_escalation_policies',
  title: 'List escalation policies',
  description: 'List escalation policies, by name, team or user, with the services they cover.',
  input: { query: z.string().trim().min(1).max(200).optional().describe('Part of the policy\'s name'), team_ids: pdIds('team_ids'), user_ids: pdIds('user_ids') },
  key: 'escalation_policies',
  row: POLICY_ROW,
  map: (p) => policyRow(p),
  request: (a) => ({ path: '/escalation_policies', query: { 'query': a.query, 'team_ids[]': a.team_ids, 'user_ids[]': a.user_ids } }),
});

const getPolicy = pdItem({
  name: 'get_escalation_policy',
  title: 'Get an escalation policy',
  description: 'One escalation policy: its rules in order (delay, and the users and schedules each notifies), loops and services.',
  input: { escalation_policy_id: pdId('escalation_policy_id') },
  key: 'escalation_policy',
  row: POLICY_ROW,
  request: (a) => ({ path: `/escalation_policies/${seg(a.escalation_policy_id, 'escalation_policy_id')}` }),
  map: (p) => policyRow(p, true),
});

export const oncallTools = [listOncalls, listSchedules, getSchedule, listPolicies, getPolicy];
