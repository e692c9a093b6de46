/**
 * Dynatrace classic access tokens (`dt0c01.*`, Access tokens API v2). Dynatrace has no
 * self-rotation, but a token with `apiTokens.write` may create tokens, so the old token stays
 * valid until finishSecret:
 *
 *   createSecret  `POST /api/v2/apiTokens/lookup` describes the current token (name, scopes);
 *                 `POST /api/v2/apiTokens` makes a token of the same name and scopes that
 *                 expires after the lifetime; it becomes the pending value;
 *   testSecret    the pending token looks itself up (any token may);
 *   finishSecret  after AWSCURRENT moved, the new token deletes the previous one
 *                 (`DELETE /api/v2/apiTokens/{id}`); a previous token Dynatrace no longer knows
 *                 was deleted already (a finishSecret run again).
 *
 * The current token needs `apiTokens.read` and `apiTokens.write` besides the scopes its server
 * uses (the new token inherits them, so it can do the next rotation). Platform tokens (`dt0s16.*`)
 * are managed in Account Management, not by this API, and are not rotated here.
 */
import { RotationError, briefBody, log, tokenOfSecret, type Rotator, type RotationSettings } from './kit';

const DAY = 86_400_000;
const TIMEOUT_MS = 15_000;

interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: string[];
}

export function dynatraceRotator(settings: RotationSettings): Rotator {
  const field = settings.tokenField;

  const tokenOf = (raw: string, which: string) => tokenOfSecret(raw, field, which);

  const call = async (method: 'POST' | 'DELETE', path: string, token: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(`${settings.apiUrl}${path}`, {
        method,
        headers: { authorization: `Api-Token ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new RotationError(`Dynatrace at ${settings.apiUrl} could not be reached for ${method} ${path}: ${(err as Error).message}`);
    }
  };

  /** The token's metadata (asked with `auth`), or undefined when Dynatrace refuses or does not know it. */
  const lookup = async (token: string, auth: string): Promise<TokenInfo | undefined> => {
    const res = await call('POST', '/api/v2/apiTokens/lookup', auth, { token });
    if (res.status === 401 || res.status === 404) return undefined;
    if (!res.ok) throw new RotationError(`POST /api/v2/apiTokens/lookup answered ${res.status}: ${await briefBody(res)}`);
    const info = await res.json() as { id?: unknown; name?: unknown; scopes?: unknown; enabled?: unknown };
    if (info.enabled === false) return undefined;
    if (typeof info.id !== 'string' || !Array.isArray(info.scopes)) throw new RotationError('POST /api/v2/apiTokens/lookup answered without the token\'s id and scopes');
    return { id: info.id, name: typeof info.name === 'string' ? info.name : 'mcp-server-fleet', scopes: info.scopes as string[] };
  };

  return {
    lostTokenAdvice: 'the token Dynatrace made is unused (the current token still works); delete it in Dynatrace (Access tokens) and let the rotation run again',

    async create(currentRaw) {
      const current = tokenOf(currentRaw, 'AWSCURRENT');
      const info = await lookup(current.token, current.token);
      if (!info) throw new RotationError('the secret\'s token cannot be rotated: Dynatrace refuses it (401) or does not know it; put a valid token in the secret');
      const expirationDate = new Date(Date.now() + settings.lifetimeDays * DAY).toISOString();
      const res = await call('POST', '/api/v2/apiTokens', current.token, { name: info.name, scopes: info.scopes, expirationDate });
      if (res.status === 403) throw new RotationError(`Dynatrace refused to create a token (403): the secret's token needs the apiTokens.write scope. ${await briefBody(res)}`);
      if (!res.ok) throw new RotationError(`POST /api/v2/apiTokens answered ${res.status}: ${await briefBody(res)}`);
      const made = await res.json() as { token?: unknown };
      if (typeof made.token !== 'string' || made.token === '') throw new RotationError('POST /api/v2/apiTokens answered without a token');
      return current.json ? JSON.stringify({ ...current.json, [field]: made.token }) : made.token;
    },

    check(pendingRaw) {
      tokenOf(pendingRaw, 'AWSPENDING');
    },

    async test(pendingRaw) {
      const { token } = tokenOf(pendingRaw, 'AWSPENDING');
      if (!await lookup(token, token)) throw new RotationError('the pending token is not accepted: Dynatrace refuses it or does not know it');
    },

    async finish(previousRaw, currentRaw) {
      const previous = tokenOf(previousRaw, 'AWSPREVIOUS').token;
      const current = tokenOf(currentRaw, 'AWSCURRENT').token;
      if (previous === current) return;
      const info = await lookup(previous, current);
      if (!info) {
        log('info', 'the previous token is already gone', {});
        return;
      }
      const res = await call('DELETE', `/api/v2/apiTokens/${encodeURIComponent(info.id)}`, current);
      if (!res.ok && res.status !== 404) throw new RotationError(`DELETE /api/v2/apiTokens/${info.id} (the previous token) answered ${res.status}: ${await briefBody(res)}`);
      log('info', 'the previous token is deleted', { tokenId: info.id });
    },
  };
}
