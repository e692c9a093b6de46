/**
 * GitLab access tokens (personal, project and group access tokens: all are rotated through the
 * personal access tokens API's `self` endpoints, project and group tokens since GitLab 17.9 with
 * the `self_rotate` or `api` scope).
 *
 * `POST /personal_access_tokens/self/rotate` revokes the token it is called with at once and
 * answers its successor (`token`); GitLab has no way to keep the old one valid for a while
 * (gitlab-org/gitlab#428256 asks for one). So a secret that holds one token has, between
 * createSecret and finishSecret, a revoked token as AWSCURRENT: the steps run back to back, but
 * a server that read the secret in that window is refused until it reads again.
 *
 * The way around it is two tokens (Secrets Manager's "alternating users" strategy): the secret's
 * JSON holds `token` (what servers use) and `standbyToken` (a second token of the same scopes).
 * A rotation then rotates the standby, which no server uses, and swaps the two: the pending
 * version is `{ token: <new>, standbyToken: <the current token> }`. The current token stays valid
 * through the whole rotation and one period after it, and a rotation that fails at any step
 * leaves AWSCURRENT working. Each token lives two rotation periods.
 *
 * A token GitLab refuses is never rotated: GitLab treats the use of a rotated (revoked) token to
 * rotate as token reuse and revokes its successor too (gitlab-org/gitlab#524639), which would
 * revoke the token a server uses.
 */
import { RotationError, briefBody, tokenOfSecret, type Rotator, type RotationSettings } from './kit';

const DAY = 86_400_000;
const TIMEOUT_MS = 15_000;

interface Tokens {
  /** The parsed JSON (undefined for a bare-token secret). */
  readonly json?: Record<string, unknown>;
  readonly token: string;
  readonly standby?: string;
}

export function gitlabRotator(settings: RotationSettings): Rotator {
  const field = settings.tokenField;
  const standbyField = settings.standbyField;

  const parse = (raw: string, which: string): Tokens => {
    const { json: obj, token } = tokenOfSecret(raw, field, which);
    if (!obj) return { token };
    const standby = obj[standbyField];
    if (standby !== undefined && (typeof standby !== 'string' || standby.trim() === '')) {
      throw new RotationError(`the ${which} value of the secret has a field "${standbyField}" (ROTATION_STANDBY_FIELD) that is not a non-empty string`);
    }
    return { json: obj, token, ...(standby ? { standby: standby.trim() } : {}) };
  };

  const call = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(`${settings.apiUrl}${path}`, {
        method,
        headers: { 'PRIVATE-TOKEN': token, 'accept': 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new RotationError(`GitLab at ${settings.apiUrl} could not be reached for ${method} ${path}: ${(err as Error).message}`);
    }
  };

  /** GET /personal_access_tokens/self: whether GitLab accepts the token (and it is active). */
  const accepted = async (token: string): Promise<{ ok: true } | { ok: false; why: string }> => {
    const res = await call('GET', '/personal_access_tokens/self', token);
    if (res.status === 401) return { ok: false, why: 'GitLab answers 401: it is revoked, expired or unknown' };
    if (!res.ok) throw new RotationError(`GET /personal_access_tokens/self answered ${res.status}: ${await briefBody(res)}`);
    const about = await res.json() as { active?: boolean; revoked?: boolean };
    if (about.active === false || about.revoked === true) return { ok: false, why: 'GitLab describes it as not active' };
    return { ok: true };
  };

  return {
    lostTokenAdvice: 'the token GitLab made is lost. With a standby token, servers are unaffected: put a new standby token in the secret. '
      + 'With one token, the secret\'s token is revoked: put a new token in the secret',

    async create(currentRaw) {
      const current = parse(currentRaw, 'AWSCURRENT');
      if (current.standby !== undefined && current.standby === current.token) {
        throw new RotationError(`the secret's "${field}" and "${standbyField}" are the same token: the standby must be a second token`);
      }
      const subject = current.standby ?? current.token;
      const which = current.standby !== undefined ? `standby token ("${standbyField}")` : `token ("${field || 'the secret value'}")`;
      const state = await accepted(subject);
      if (!state.ok) {
        throw new RotationError(`the secret's ${which} cannot be rotated: ${state.why}. It is not sent to the rotate endpoint (GitLab would take that as `
          + 'token reuse and revoke the token made from it); put a valid token in the secret');
      }
      const expiresAt = new Date(Date.now() + settings.lifetimeDays * DAY).toISOString().slice(0, 10);
      const res = await call('POST', '/personal_access_tokens/self/rotate', subject, { expires_at: expiresAt });
      if (res.status === 403) {
        throw new RotationError(`GitLab refused to rotate the ${which} (403): it needs the api or self_rotate scope. ${await briefBody(res)}`);
      }
      if (!res.ok) throw new RotationError(`POST /personal_access_tokens/self/rotate answered ${res.status}: ${await briefBody(res)}`);
      const rotated = await res.json() as { token?: unknown };
      if (typeof rotated.token !== 'string' || rotated.token === '') throw new RotationError('POST /personal_access_tokens/self/rotate answered without a token');
      if (!current.json) return rotated.token;
      // Alternating: the new token is used, the current one waits as the standby; one token: replaced.
      const next = current.standby !== undefined
        ? { ...current.json, [field]: rotated.token, [standbyField]: current.token }
        : { ...current.json, [field]: rotated.token };
      return JSON.stringify(next);
    },

    check(pendingRaw) {
      parse(pendingRaw, 'AWSPENDING');
    },

    async test(pendingRaw) {
      const pending = parse(pendingRaw, 'AWSPENDING');
      const state = await accepted(pending.token);
      if (!state.ok) throw new RotationError(`the pending token is not accepted: ${state.why}`);
      if (pending.standby !== undefined) {
        const standby = await accepted(pending.standby);
        if (!standby.ok) throw new RotationError(`the pending standby token (the token servers use now) is not accepted: ${standby.why}`);
      }
    },
  };
}
