/**
 * PagerDuty's failures as sentences. Its error body is `{ error: { message, code, errors: [...] } }`
 * (the kit's `errorDetail` reads it); the `code` tells apart failures that share a status: 2016 is a
 * write without a usable `From` user, 2002 an `offset + limit` past what PagerDuty pages through.
 */
import { describeFailures, type UpstreamFailure } from '../../kit';

const HINTS: Record<number, string> = {
  400: 'check the arguments',
  401: 'the API key is wrong or revoked, or is not a REST API key (an Events API integration key does not work here)',
  402: 'the account\'s plan does not include this (related and past incidents need AIOps)',
  403: 'the API key may not do this: a read-only key cannot write, and a user key has only its user\'s permissions',
  404: 'the incident, service, schedule, escalation policy or user does not exist, or the key cannot see it',
  429: 'PagerDuty\'s rate limit was hit (960 requests a minute per key)',
};

/** PagerDuty's error code, when the body has one. */
export function errorCode(body: unknown): number | undefined {
  const code = body && typeof body === 'object' ? (body as { error?: { code?: unknown } }).error?.code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/** The failure sentences know no server name: this stands for the variable of the `From` user (requests.ts names it). */
export const FROM_PLACEHOLDER = '<PREFIX>_FROM_EMAIL';

function precise(f: UpstreamFailure): string | undefined {
  const code = errorCode(f.body);
  const words = JSON.stringify(f.body ?? '');
  if (f.status === 400 && (code === 2016 || /\bFrom\b|Requester User/i.test(words))) {
    return `PagerDuty needs the email of a real PagerDuty user in the From header for this: set the server's fromEmail (${FROM_PLACEHOLDER}) to that user's email`;
  }
  if (f.status === 400 && (code === 2002 || /offset/i.test(words))) {
    return 'PagerDuty pages through at most 10,000 results of one query (offset + limit): narrow the date range (since/until) or the filters';
  }
  if (f.status === 400 && /date range|since|until/i.test(words)) {
    return 'the date range is invalid or longer than PagerDuty allows: narrow since/until';
  }
  return undefined;
}

export const describePagerDutyFailure = describeFailures({ displayName: 'PagerDuty', hints: HINTS, hint: precise });
