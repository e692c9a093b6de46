/**
 * Upstream authentication schemes. Each turns a server's credentials (keyed by their contract
 * suffix: `TOKEN`, `EMAIL`, `CLIENT_ID`...) into request headers, and may be async: the OAuth
 * client-credentials scheme exchanges the client's id and secret for an access token, caches it
 * until shortly before it expires, and drops it after an upstream 401 so the retry gets a new one.
 * Header values are redacted from upstream errors by the upstream client, as the credentials are.
 */
import { createHash } from 'node:crypto';
import { errorDetail } from './failures';
import type { AuthContext, Credentials } from '../core/types';
import { UpstreamError } from '../core/upstream';

export interface UpstreamAuth {
  /** The headers of one upstream call; leaves out what is not configured. */
  headers(credentials: Credentials, context: AuthContext): Record<string, string> | Promise<Record<string, string>>;
  /** After a 401: forget what was derived from these credentials; true when a retry can succeed. */
  onUnauthorized?(credentials: Credentials): boolean;
}

/**
 * No authentication.
 */
function none(): UpstreamAuth {
  return { headers: () => ({}) };
}

/**
 * One header from a template whose `{NAME}` placeholders are credentials; left out unless every
 * placeholder has a value.
 *
 * @example
 * auth.template('Authorization', 'Token token={TOKEN}'); // PagerDuty REST keys
 * auth.template('Authorization', 'Api-Token {TOKEN}');   // Dynatrace classic tokens
 */
function template(name: string, value: string): UpstreamAuth {
  const names = [...value.matchAll(/\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]);
  return {
    headers: (creds) => (names.every((n) => creds[n]) ? { [name]: value.replace(/\{([A-Z][A-Z0-9_]*)\}/g, (_m, n: string) => creds[n]!) } : {}),
  };
}

/**
 * A header that carries one credential as it is.
 *
 * @example
 * auth.header('PRIVATE-TOKEN', 'TOKEN'); // GitLab
 */
function header(name: string, credential: string): UpstreamAuth {
  return template(name, `{${credential}}`);
}

/**
 * `Authorization: Bearer <credential>`.
 *
 * @example
 * auth.bearer('TOKEN');
 */
function bearer(credential: string): UpstreamAuth {
  return template('Authorization', `Bearer {${credential}}`);
}

function basicValue(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
}

/**
 * `Authorization: Basic base64(user:secret)` from two credentials; left out unless both are set.
 *
 * @example
 * auth.basic('EMAIL', 'API_TOKEN'); // Atlassian Cloud
 * auth.basic('USERNAME', 'PASSWORD'); // ServiceNow integration user
 */
function basic(userCredential: string, secretCredential: string): UpstreamAuth {
  return {
    headers: (creds): Record<string, string> => {
      const user = creds[userCredential];
      const secret = creds[secretCredential];
      return user && secret ? { Authorization: basicValue(user, secret) } : {};
    },
  };
}

export interface ClientCredentialsOptions {
  /** Name in messages: `PagerDuty`. */
  readonly displayName: string;
  /** The token endpoint: absolute, or a function of the server's base URL. */
  readonly tokenUrl: string | ((context: AuthContext) => string);
  /** Credential suffixes of the client id and secret (default `CLIENT_ID`, `CLIENT_SECRET`). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The `scope` parameter, when the endpoint needs one. */
  readonly scope?: string;
  /** How the client authenticates to the token endpoint: `basic` (RFC 6749 2.3.1, default) or `body` parameters. */
  readonly clientAuth?: 'basic' | 'body';
  /** Seconds before `expires_in` at which a token counts as expired (default 60). */
  readonly expiryMarginSeconds?: number;
  /** The clock, for tests (default `Date.now`). */
  readonly now?: () => number;
}

interface CachedToken {
  readonly value?: string;
  readonly expiresAt: number;
  readonly pending?: Promise<string>;
}

/** Tokens kept per process (one per client and endpoint); the oldest goes first beyond this. */
const MAX_CACHED_TOKENS = 64;

/**
 * OAuth 2.0 client credentials (RFC 6749 4.4): `Authorization: Bearer <access token>`, the token
 * got from `tokenUrl` with the client's id and secret, shared by concurrent calls, cached until
 * `expires_in` minus a margin, and dropped after an upstream 401 (the upstream client then retries
 * once with a new one). A rotated secret is a new cache entry. Nothing is sent without both
 * credentials.
 *
 * @example
 * auth.oauthClientCredentials({
 *   displayName: 'ServiceNow',
 *   tokenUrl: (ctx) => `${new URL(ctx.baseUrl).origin}/oauth_token.do`,
 * });
 */
function oauthClientCredentials(opts: ClientCredentialsOptions): UpstreamAuth {
  const idName = opts.clientId ?? 'CLIENT_ID';
  const secretName = opts.clientSecret ?? 'CLIENT_SECRET';
  const margin = (opts.expiryMarginSeconds ?? 60) * 1000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, CachedToken>();
  const keyOf = (url: string, id: string, secret: string) => `${url}\n${id}\n${createHash('sha256').update(secret).digest('hex')}`;

  async function exchange(url: string, id: string, secret: string, signal?: AbortSignal): Promise<{ token: string; expiresIn: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (opts.scope) form.set('scope', opts.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'application/json', 'user-agent': 'mcp-server-fleet' };
    if ((opts.clientAuth ?? 'basic') === 'basic') {
      headers.authorization = basicValue(encodeURIComponent(id), encodeURIComponent(secret));
    } else {
      form.set('client_id', id);
      form.set('client_secret', secret);
    }
    const where = `${opts.displayName}'s token endpoint (${new URL(url).origin}${new URL(url).pathname})`;
    let res: Response;
    try {
      // Never follow a redirect: the client secret would go to the other host.
      res = await fetch(url, { method: 'POST', headers, body: form.toString(), signal, redirect: 'manual' });
    } catch (err) {
      const name = (err as Error)?.name;
      throw new UpstreamError(name === 'TimeoutError' || name === 'AbortError'
        ? `${where} did not answer the client-credentials exchange in time`
        : `could not reach ${where}: ${(err as { cause?: { code?: string } })?.cause?.code ?? name ?? 'network error'}`);
    }
    const text = (await res.text()).split(secret).join('[REDACTED]');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* keep the text */ }
    const token = (body as { access_token?: unknown } | null)?.access_token;
    if (!res.ok || typeof token !== 'string' || token === '') {
      const detail = res.ok ? 'no access_token in the answer' : errorDetail(body);
      const hint = res.status === 400 || res.status === 401 ? ' (check the client id and secret, and that the client may use the client-credentials grant)' : '';
      throw new UpstreamError(`${where} answered ${res.status} to the client-credentials exchange${detail ? `: ${detail}` : ''}${hint}`);
    }
    const expiresIn = Number((body as { expires_in?: unknown }).expires_in);
    return { token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600 };
  }

  return {
    async headers(creds, context): Promise<Record<string, string>> {
      const id = creds[idName];
      const secret = creds[secretName];
      if (!id || !secret) return {};
      const url = typeof opts.tokenUrl === 'string' ? opts.tokenUrl : opts.tokenUrl(context);
      const key = keyOf(url, id, secret);
      const cached = cache.get(key);
      if (cached?.value && cached.expiresAt > now()) return { Authorization: `Bearer ${cached.value}` };
      if (cached?.pending) return { Authorization: `Bearer ${await cached.pending}` };
      const pending = exchange(url, id, secret, context.signal).then(({ token, expiresIn }) => {
        cache.set(key, { value: token, expiresAt: now() + Math.max(expiresIn * 1000 - margin, expiresIn * 500) });
        return token;
      }, (err: unknown) => {
        cache.delete(key);
        throw err;
      });
      cache.delete(key);
      cache.set(key, { expiresAt: 0, pending });
      while (cache.size > MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value!);
      return { Authorization: `Bearer ${await pending}` };
    },
    onUnauthorized(creds) {
      const id = creds[idName];
      const secret = creds[secretName];
      if (!id || !secret) return false;
      let dropped = false;
      for (const [key, entry] of cache) {
        if (key.endsWith(keyOf('', id, secret)) && entry.value) {
          cache.delete(key);
          dropped = true;
        }
      }
      return dropped;
    },
  };
}

/**
 * The first scheme whose credentials are configured (its headers are not empty): a backend that
 * takes either an OAuth client or a user and password.
 *
 * @example
 * auth.firstOf(auth.oauthClientCredentials({ displayName: 'ServiceNow', tokenUrl }), auth.basic('USERNAME', 'PASSWORD'));
 */
function firstOf(...schemes: UpstreamAuth[]): UpstreamAuth {
  return {
    async headers(creds, context): Promise<Record<string, string>> {
      for (const scheme of schemes) {
        const headers = await scheme.headers(creds, context);
        if (Object.keys(headers).length > 0) return headers;
      }
      return {};
    },
    onUnauthorized: (creds) => schemes.some((s) => s.onUnauthorized?.(creds) === true),
  };
}

export const auth = { none, header, template, bearer, basic, oauthClientCredentials, firstOf };
