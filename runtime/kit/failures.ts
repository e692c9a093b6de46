/**
 * Failure sentences: an upstream error becomes one sentence a person can act on,
 * `<Backend> answered <status> for <METHOD> <path>: <what the API said> (<what it usually means>)`.
 */
import type { UpstreamFailure } from '../core/types';

/** How long the API's own words may be in a sentence. */
const MAX_DETAIL_CHARS = 500;

/**
 * What an API put in an error body, for the shapes REST APIs use: a text body; `{error_description}`
 * (OAuth); `{message}` as text or as field errors (`{ title: ['is too long'] }`); `{error}` as text or
 * as `{message, detail, errors}` (PagerDuty, ServiceNow); `{errorMessages, errors}` (Jira).
 *
 * @example
 * errorDetail({ message: { title: ['is too long'] } }); // 'title is too long'
 * errorDetail({ error: { message: 'Invalid Input Provided', errors: ['Offset must be below 10000'] } });
 * // 'Invalid Input Provided: Offset must be below 10000'
 */
export function errorDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; error?: unknown; error_description?: unknown; errorMessages?: unknown; errors?: unknown };
  if (typeof b.error_description === 'string') return b.error_description;
  if (typeof b.message === 'string') return b.message;
  if (b.message && typeof b.message === 'object') return fieldErrors(b.message);
  if (typeof b.error === 'string') return b.error;
  if (b.error && typeof b.error === 'object') {
    const e = b.error as { message?: unknown; detail?: unknown; errors?: unknown };
    const parts = [e.message, e.detail, ...(Array.isArray(e.errors) ? e.errors : [])].filter((p) => typeof p === 'string' && p !== '');
    return parts.length > 0 ? parts.join(': ') : undefined;
  }
  if (Array.isArray(b.errorMessages) || (b.errors && typeof b.errors === 'object')) {
    const parts = [...(Array.isArray(b.errorMessages) ? b.errorMessages.map(String) : [])];
    if (b.errors && typeof b.errors === 'object' && !Array.isArray(b.errors)) parts.push(fieldErrors(b.errors));
    return parts.filter(Boolean).join('; ') || undefined;
  }
  return undefined;
}

function fieldErrors(errors: object): string {
  return Object.entries(errors as Record<string, unknown>).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('; ');
}

export interface FailureWording {
  /** `GitLab`. */
  readonly displayName: string;
  /** What a status usually means, for this API: `{ 401: 'the token is missing, expired or revoked' }`. */
  readonly hints: Readonly<Record<number, string>>;
  /** A more precise hint for some failures (e.g. a missing scope named in the body); `undefined` falls back to `hints`. */
  readonly hint?: (failure: UpstreamFailure) => string | undefined;
  /** The API's own words from its error body (default `errorDetail`). */
  readonly detail?: (body: unknown) => string | undefined;
  /** The hint for a 5xx without one of its own (default: `<Backend> had a server error; try again later`). */
  readonly serverError?: string;
}

/**
 * The failure sentence builder of a backend.
 *
 * @example
 * const describeFailure = describeFailures({
 *   displayName: 'PagerDuty',
 *   hints: { 401: 'the API key is wrong or revoked', 429: 'PagerDuty\'s rate limit was hit' },
 * });
 * describeFailure({ status: 401, method: 'GET', path: '/incidents', body: { error: { message: 'Unauthorized' } } });
 * // 'PagerDuty answered 401 for GET /incidents: Unauthorized (the API key is wrong or revoked)'
 */
export function describeFailures(wording: FailureWording): (failure: UpstreamFailure) => string {
  const detailOf = wording.detail ?? errorDetail;
  const serverError = wording.serverError ?? `${wording.displayName} had a server error; try again later`;
  return (f) => {
    const raw = detailOf(f.body);
    const detail = raw && raw.length > MAX_DETAIL_CHARS ? `${raw.slice(0, MAX_DETAIL_CHARS)}…` : raw;
    const hint = wording.hint?.(f) ?? wording.hints[f.status] ?? (f.status >= 500 ? serverError : undefined);
    return `${wording.displayName} answered ${f.status} for ${f.method} ${f.path}${detail ? `: ${detail}` : ''}${hint ? ` (${hint})` : ''}`;
  };
}
