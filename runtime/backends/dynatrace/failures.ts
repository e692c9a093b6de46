/**
 * Dynatrace's failures as sentences. Both APIs answer `{ error: { code, message, ... } }`: the
 * classic one adds `constraintViolations` (which parameter is wrong), the platform one `details`
 * (`errorMessage`, the DQL syntax position). A 401 or 403 most often means the token is of the
 * other kind or lacks a scope: the hint names the scope the call needs (Grail's storage scopes, or
 * davis-copilot:nl2dql:execute for Davis CoPilot's nl2dql skill).
 */
import { describeFailures, errorDetail, type UpstreamFailure } from '../../kit';

interface Body {
  error?: {
    message?: unknown;
    details?: { errorMessage?: unknown; syntaxErrorPosition?: { start?: { line?: number; column?: number } } };
    constraintViolations?: Array<{ path?: unknown; message?: unknown }>;
  };
}

/** The message, plus what the body says about which parameter or which DQL position is wrong. */
function detail(body: unknown): string | undefined {
  const e = (body as Body | null)?.error;
  if (!e || typeof e !== 'object') return errorDetail(body);
  const parts: string[] = [];
  if (typeof e.message === 'string' && e.message) parts.push(e.message);
  const d = e.details;
  if (d && typeof d.errorMessage === 'string' && d.errorMessage !== e.message) parts.push(d.errorMessage);
  const at = d?.syntaxErrorPosition?.start;
  if (at?.line !== undefined) parts.push(`at line ${at.line}, column ${at.column ?? '?'}`);
  for (const v of Array.isArray(e.constraintViolations) ? e.constraintViolations : []) {
    if (typeof v?.message === 'string') parts.push(`${typeof v.path === 'string' && v.path ? `${v.path}: ` : ''}${v.message}`);
  }
  return parts.length > 0 ? parts.join('; ') : errorDetail(body);
}

/** The classic scope each Environment API v2 path needs (GET, then POST). */
const CLASSIC_SCOPES: Array<[RegExp, string, string]> = [
  [/^\/api\/v2\/problems/, 'problems.read', 'problems.write'],
  [/^\/api\/v2\/entities/, 'entities.read', 'entities.write'],
  [/^\/api\/v2\/metrics/, 'metrics.read', 'metrics.ingest'],
  [/^\/api\/v2\/events/, 'events.read', 'events.ingest'],
  [/^\/api\/v2\/logs/, 'logs.read', 'logs.ingest'],
  [/^\/api\/v2\/securityProblems/, 'securityProblems.read', 'securityProblems.write'],
  [/^\/api\/v2\/slo/, 'slo.read', 'slo.write'],
];

const PLATFORM = /^\/platform\//;

/** Platform paths whose 403 means one scope other than Grail's storage scopes. */
const PLATFORM_SCOPES: Array<[RegExp, string]> = [
  [
    /^\/platform\/davis\/copilot\/v\d[^/]*\/skills\/nl2dql:/,
    'the platform token lacks the davis-copilot:nl2dql:execute scope that Davis CoPilot\'s nl2dql skill needs (add it to the token; '
      + 'the token\'s user needs that permission too, and Davis CoPilot must be enabled for the environment)',
  ],
];

function hint(f: UpstreamFailure): string | undefined {
  const platform = PLATFORM.test(f.path);
  if (f.status === 401) {
    return platform
      ? 'the platform token is missing, expired or revoked, or it is a classic token (dt0c01.*), which the platform refuses'
      : 'the access token is missing, expired or revoked, or it is a platform token (dt0s16.*), which the classic API refuses';
  }
  if (f.status === 403) {
    const scoped = PLATFORM_SCOPES.find(([p]) => p.test(f.path));
    if (scoped) return scoped[1];
    if (platform) return 'the platform token lacks a scope this query needs: storage:buckets:read plus storage:<table>:read for each table read (storage:logs:read, storage:events:read, storage:metrics:read, storage:entities:read, storage:security.events:read...)';
    const scopes = CLASSIC_SCOPES.find(([p]) => p.test(f.path));
    return scopes ? `the access token lacks the ${f.method === 'GET' ? scopes[1] : scopes[2]} scope` : 'the access token lacks the scope this call needs';
  }
  if (f.status === 404 && platform) return 'no such endpoint on this URL: Grail lives on the platform URL (https://<environment>.apps.dynatrace.com); check PLATFORM_URL';
  return undefined;
}

export const describeDynatraceFailure = describeFailures({
  displayName: 'Dynatrace',
  hints: {
    400: 'Dynatrace refused the arguments (a selector, a timeframe, or DQL it cannot parse; verify_dql shows where)',
    404: 'the problem, entity or event does not exist (or the token cannot see it), or the URL is not this environment\'s: the classic API lives on https://<environment>.live.dynatrace.com',
    410: 'the query result expired before it was read; run the query again',
    429: 'Dynatrace is throttling: its request queue is full',
  },
  hint,
  detail,
});
