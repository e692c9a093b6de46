/** Jira's and Confluence's failures as sentences: their error body shapes, and what each status usually means. */
import { describeFailures, errorDetail, type UpstreamFailure } from '../../kit';

const HINTS: Record<number, string> = {
  400: 'Atlassian refused the request; the message says which value',
  401: 'the email or API token is wrong, expired or revoked; a scoped API token works only through api.atlassian.com, which the server\'s CLOUD_ID setting turns on',
  403: 'the account lacks the permission (browse, create, edit, comment or transition in the project; view or edit in the space), or the scoped token lacks the scope',
  404: 'the issue, project, page or space does not exist, or the account cannot see it',
  409: 'it conflicts with the current state (for a page: someone saved a newer version; read it again)',
  410: 'Atlassian removed this endpoint',
  413: 'the request is too large for Atlassian',
  429: 'Atlassian\'s rate limit was hit',
};

/**
 * The API's own words: Confluence v2 answers `{ errors: [{ status, code, title, detail }] }`, the
 * gateway `{ code, message }`, Jira `{ errorMessages, errors }` and Confluence v1 `{ message }`
 * (the kit's `errorDetail` reads those).
 */
export function atlassianDetail(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors)) {
    const parts = errors.map((e) => [(e as { title?: unknown }).title, (e as { detail?: unknown }).detail].filter((p) => typeof p === 'string' && p !== '').join(': '));
    const text = parts.filter(Boolean).join('; ');
    if (text) return text;
  }
  return errorDetail(body);
}

/** A 410 of the old Jira search, which CHANGE-2046 removed: the tools use the new one, so this is a proxy or a stale path. */
function specific(f: UpstreamFailure): string | undefined {
  if (f.status === 410 && /\/rest\/api\/[23]\/search\/?$/.test(f.path)) return 'Jira removed /rest/api/*/search (CHANGE-2046); searches go through POST /rest/api/3/search/jql';
  if (f.status === 401 && /scope/i.test(atlassianDetail(f.body) ?? '')) return 'the scoped API token lacks a scope this call needs, or is used against the site instead of api.atlassian.com (set CLOUD_ID)';
  return undefined;
}

export const describeAtlassianFailure = describeFailures({ displayName: 'Atlassian', hints: HINTS, hint: specific, detail: atlassianDetail });
