/** GitLab's failures as sentences: its error body shapes, and what each status usually means. */
import { describeFailures, type UpstreamFailure } from '../../kit';

const HINTS: Record<number, string> = {
  400: 'check the arguments',
  401: 'the token is missing, expired or revoked',
  403: 'the token\'s user lacks the role this needs, or the project forbids it',
  404: 'the project, issue, merge request, pipeline, job or file does not exist, or the token cannot see it',
  409: 'it conflicts with the current state',
  422: 'GitLab refused the values',
  429: 'GitLab\'s rate limit was hit',
};

/** GitLab's answer when a token's scopes do not cover the endpoint: `{ error: 'insufficient_scope', scope: 'api read_api' }`. */
function missingScope(f: UpstreamFailure): string | undefined {
  const insufficient = f.status === 403 && typeof f.body === 'object' && f.body !== null && (f.body as { error?: unknown }).error === 'insufficient_scope';
  return insufficient ? `the token lacks the ${f.method === 'GET' ? 'read_api' : 'api'} scope` : undefined;
}

export const describeGitLabFailure = describeFailures({ displayName: 'GitLab', hints: HINTS, hint: missingScope });
