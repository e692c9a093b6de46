/** Users, and who the server is: the token's user, and the `From` user its writes act as. */
import { z } from 'zod';
import { answer, readTool } from '../../../kit';
import { pdList } from '../paging';
import { failedStatus, fromEmailVariable, tokenUser } from '../requests';
import { USER_ROW, pdIds, userRow } from '../shapes';

const whoami = readTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'The PagerDuty user of the server\'s API key (GET /users/me) and the email its write tools send as From. '
    + 'An account-level key has no user: then writes act as the configured fromEmail, or cannot be made.',
  input: {},
  output: z.object({
    user: USER_ROW.nullable().describe('The token\'s user; null for an account-level key'),
    token: z.enum(['user', 'account']).describe('user: a user-level key; account: an account-level key (no user of its own)'),
    from_email: z.string().nullable().describe('The From email of writes; null when writes cannot be made'),
    from_source: z.enum(['setting', 'token user', 'none']),
  }),
  async run(_a, ctx) {
    const configured = ctx.settings.FROM_EMAIL?.trim() || undefined;
    try {
      const user = userRow(await tokenUser(ctx));
      const from = configured ?? (typeof user.email === 'string' ? user.email : undefined);
      const source = configured ? 'setting' : from ? 'token user' : 'none';
      return answer.message(
        `The API key is ${String(user.name ?? user.id)}'s (${String(user.email ?? 'no email')}, ${String(user.role ?? 'role unknown')}). `
          + `Writes act as ${from ?? 'nobody'}${configured ? ` (${fromEmailVariable(ctx)})` : ''}.`,
        { user, token: 'user' as const, from_email: from ?? null, from_source: source as 'setting' | 'token user' | 'none' },
      );
    } catch (err) {
      // An account-level key has no user: /users/me answers 400 (PagerDuty says it cannot correlate a user).
      if (failedStatus(err) !== 400) throw err;
      const writes = configured
        ? `Writes act as ${configured} (${fromEmailVariable(ctx)}).`
        : `Writes cannot be made until fromEmail is set (McpServer.pagerduty({ fromEmail }), the variable ${fromEmailVariable(ctx)}) to the email of the responder the server acts as.`;
      return answer.message(`The API key is an account-level key: it has no user of its own (${(err as Error).message}). ${writes}`, {
        user: null, token: 'account' as const, from_email: configured ?? null, from_source: configured ? 'setting' as const : 'none' as const,
      });
    }
  },
});

const listUsers = pdList({
  name: 'list_users',
  title: 'List users',
  description: 'List PagerDuty users by name or email, or by team, with their role and time zone.',
  input: {
    query: z.string().trim().min(1).max(200).optional().describe('Part of the user\'s name or email'),
    team_ids: pdIds('team_ids'),
  },
  key: 'users',
  row: USER_ROW,
  map: userRow,
  request: (a) => ({ path: '/users', query: { 'query': a.query, 'team_ids[]': a.team_ids, 'include[]': ['teams'] } }),
});

export const userTools = [whoami, listUsers];
