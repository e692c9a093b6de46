/**
 * A fake OAuth 2.1 / OpenID authorization server on 127.0.0.1, on the generic fake: RFC 8414 and
 * OpenID discovery documents, a JWKS, key rotation (a new `kid` published, optionally the old one
 * withdrawn), and tokens signed with jose (RS256 or ES256), forged ones too (`alg: none`, HS256,
 * signed with a key it never published).
 *
 *   const as = await startFakeAuthorizationServer();
 *   const token = await as.token({ aud: 'http://127.0.0.1:8080/gitlab/mcp', scope: 'mcp:read' });
 *   await as.rotate();                   // a new current key; the old one stays published
 *   await as.rotate({ dropOld: true });  // ...or is withdrawn
 *   as.api.requests                      // what was fetched (discovery, JWKS)
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { startFakeHttpApi, type FakeHttpApi } from './fake-http-api';

export type SigningAlg = 'RS256' | 'ES256';

interface Key {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: Jose.CryptoKey;
  readonly publicJwk: Jose.JWK;
}

export interface TokenOptions {
  readonly sub?: string;
  /** Default: the issuer. */
  readonly iss?: string;
  readonly aud?: string | string[];
  /** Space-separated, as `scope`. */
  readonly scope?: string;
  /** As `scp` (an array), the Entra ID / Okta form. */
  readonly scp?: string[];
  /** Seconds from now (negative: already expired). Default 300. */
  readonly expiresIn?: number;
  /** Seconds from now for `nbf`. */
  readonly notBefore?: number;
  /** Sign with a key that is not (yet) in the JWKS. */
  readonly unpublishedKey?: boolean;
  readonly alg?: SigningAlg;
  /** Omit `exp`. */
  readonly noExp?: boolean;
  /** More claims (`client_id`, `token_use`...); they win over the defaults. */
  readonly claims?: Record<string, unknown>;
}

export interface FakeAuthorizationServer {
  readonly api: FakeHttpApi;
  /** The issuer URL (`iss`), the server's origin. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The `kid` tokens are signed with now. */
  readonly currentKid: string;
  /** A signed access token. */
  token(opts?: TokenOptions): Promise<string>;
  /** An unsecured JWT (`alg: none`) with the same claims. */
  unsignedToken(opts?: TokenOptions): string;
  /** An HS256 token whose secret is `secret` (what a confused verifier might accept with a public key). */
  hmacToken(secret: string, opts?: TokenOptions): Promise<string>;
  /** Publishes a new current key (`kid`), keeping the old one unless `dropOld`; the key `unpublishedKey` signed with becomes the published one. */
  rotate(opts?: { dropOld?: boolean }): Promise<void>;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

// jose is ESM only; jest loads it through test/helpers/esm-to-cjs.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SignJWT, exportJWK, generateKeyPair } = require('jose') as typeof Jose;

let counter = 0;
async function newKey(alg: SigningAlg): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${++counter}-${alg.toLowerCase()}`;
  return { kid, alg, privateKey, publicJwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' } };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startFakeAuthorizationServer(opts: { alg?: SigningAlg } = {}): Promise<FakeAuthorizationServer> {
  const alg = opts.alg ?? 'RS256';
  let published: Key[] = [await newKey(alg)];
  let pending = await newKey(alg);
  let issuer = '';
  const discovery = () => ({
    issuer,
    jwks_uri: `${issuer}/jwks.json`,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
  });
  const api = await startFakeHttpApi({
    routes: [
      { method: 'GET', path: '/.well-known/oauth-authorization-server', handle: () => ({ body: discovery() }) },
      { method: 'GET', path: '/.well-known/openid-configuration', handle: () => ({ body: discovery() }) },
      { method: 'GET', path: '/jwks.json', handle: () => ({ body: { keys: published.map((k) => k.publicJwk) } }) },
    ],
  });
  issuer = api.origin;

  const claims = (o: TokenOptions) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: o.iss ?? issuer,
      sub: o.sub ?? 'user-1234',
      ...(o.aud !== undefined ? { aud: o.aud } : {}),
      ...(o.scope !== undefined ? { scope: o.scope } : {}),
      ...(o.scp !== undefined ? { scp: o.scp } : {}),
      iat: now,
      ...(o.noExp ? {} : { exp: now + (o.expiresIn ?? 300) }),
      ...(o.notBefore !== undefined ? { nbf: now + o.notBefore } : {}),
      client_id: 'fleet-test-client',
      ...o.claims,
    };
  };

  return {
    api,
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    get currentKid() { return published[published.length - 1].kid; },
    async token(o = {}) {
      const key = o.unpublishedKey ? pending : o.alg && o.alg !== alg ? await newKey(o.alg) : published[published.length - 1];
      return new SignJWT(claims(o)).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
    },
    unsignedToken(o = {}) {
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(o))}.`;
    },
    async hmacToken(secret, o = {}) {
      return new SignJWT(claims(o)).setProtectedHeader({ alg: 'HS256', kid: published[0].kid }).sign(new TextEncoder().encode(secret));
    },
    async rotate(r = {}) {
      published = r.dropOld ? [pending] : [...published, pending];
      pending = await newKey(alg);
    },
    jwksFetches: () => api.requests.filter((q) => q.path === '/jwks.json').length,
    close: () => api.close(),
  };
}
