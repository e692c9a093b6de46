/**
 * ServiceNow's failures as sentences. Its error body is `{ error: { message, detail }, status:
 * "failure" }` (the kit's `errorDetail` reads it); an ACL denial is often a 403 with no body at
 * all, so the hint then says what ServiceNow did not: which table or API the integration user
 * lacks a role or ACL for.
 */
import { describeFailures, errorDetail, type UpstreamFailure } from '../../kit';

const HINTS: Record<number, string> = {
  400: 'ServiceNow refused the request: check the table, field names and choice values',
  401: 'the user name or password, or the OAuth client id or secret, is wrong, or the user is locked out or may not use web services',
  403: 'the integration user lacks a role or an ACL this needs',
  404: 'no such record, or an ACL hides it from the integration user',
  409: 'it conflicts with the record\'s current state',
  429: 'a REST rate limit rule of the instance (sys_rate_limit_rules) was hit for this user; its count resets each hour',
};

/** What a path reads: `table incident`, `the Change Management API`... */
function target(path: string): string | undefined {
  const table = /^\/api\/now\/(?:table|stats)\/([^/?]+)/.exec(path);
  if (table) return `table ${decodeURIComponent(table[1])}`;
  const cls = /^\/api\/now\/cmdb\/instance\/([^/?]+)/.exec(path);
  if (cls) return `CMDB class ${decodeURIComponent(cls[1])}`;
  if (path.startsWith('/api/sn_chg_rest/')) return 'the Change Management API (reads: itil, change_manager or sn_change_read; writes: itil or change_manager)';
  return undefined;
}

function specific(f: UpstreamFailure): string | undefined {
  const detail = errorDetail(f.body) ?? '';
  if (f.path.startsWith('/api/sn_chg_rest/') && /does not represent any resource/i.test(detail)) {
    return 'the Change Management REST API (plugin sn_chg_rest) is not active on this instance; sn_query_table can read change_request through the Table API';
  }
  if (f.status === 403) {
    const what = target(f.path);
    const empty = detail === '';
    // An empty 403 is what an ACL denial looks like: nothing else says why.
    return `${empty ? 'ServiceNow gave no reason, which is how an ACL denial looks: ' : ''}the integration user lacks a role or an ACL `
      + `${f.method === 'GET' ? 'to read' : 'to change'} ${what ?? 'this'}; ask the instance's admin to grant it`;
  }
  return undefined;
}

export const describeServiceNowFailure = describeFailures({ displayName: 'ServiceNow', hints: HINTS, hint: specific });
