/**
 * Inbound authentication: the runtime as an OAuth 2.1 resource server (MCP authorization
 * specification 2025-11-25), or the identity an API Gateway authorizer established.
 *
 * - `oauth`: a bearer JWT, verified here: its signature against the issuer's JWKS (fetched once,
 *   refetched for an unknown `kid`, i.e. after a key rotation), `iss` exactly, `aud` one of
 *   AUTH_AUDIENCE or else this request's resource URI, `exp`/`nbf` with a small clock tolerance,
 *   asymmetric algorithms only (`none` and HS* are refused), then AUTH_REQUIRED_SCOPES. Refusals are
 *   401 with `WWW-Authenticate: Bearer resource_metadata="..."` (RFC 9728) or 403 insufficient_scope.
 * - `gateway`: the front door authenticated the caller (IAM, an API key, a JWT or Cognito
 *   authorizer); the adapter hands its identity over, and a request without one is refused.
 *
 * The token stays here: it never reaches a log line, an error message or the upstream (the
 * upstream client builds its headers from the backend's own credentials only). jose is loaded on
 * the first token, so the other modes never load it (it is a lazy chunk of the bundle).
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import type { AuthConfig } from './config';
import { logger } from './observability';

/** Who a request comes from, once authenticated. */
export interface Caller {
  /** For log lines: `sub:<subject>`, `iam:<arn>`, `api-key:<id>`, `principal:<id>`; never a credential. */
  readonly id?: string;
  /** Granted scopes (oauth mode); the gateway mode checks none. */
  readonly scopes: readonly string[];
}

/** The identity an API Gateway authorizer put in the event (the Lambda adapter reads it). */
export interface GatewayIdentity {
  readonly jwtSubject?: string;
  readonly principalArn?: string;
  readonly apiKeyId?: string;
  /** A Lambda authorizer's principalId. */
  readonly principalId?: string;
}

export type AuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly wwwAuthenticate?: string; readonly message: string };

export interface AuthenticatorOptions {
  /** The least time between two JWKS fetches for an unknown `kid` (default 30 s: a flood of made-up kids cannot hammer the issuer). */
  readonly jwksCooldownMs?: number;
  /** Timeout of a discovery or JWKS fetch (default 5 s). */
  readonly fetchTimeoutMs?: number;
}

/** Seconds of clock skew accepted on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Asymmetric algorithms only: `none` is never verifiable, and an HMAC key would be a shared secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** jose error codes that mean "this token is not acceptable" (401); anything else is the runtime's problem (503). */
const TOKEN_ERRORS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'a claim of the token is not acceptable',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature does not verify',
  ERR_JWKS_NO_MATCHING_KEY: 'the token is signed with a key the issuer does not publish',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'the token does not name its signing key unambiguously',
  ERR_JWS_INVALID: 'the token is not a signed JWT',
  ERR_JWT_INVALID: 'the token is not a valid JWT',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token is signed with an algorithm this server does not accept',
  ERR_JOSE_NOT_SUPPORTED: 'the token is signed with an algorithm this server does not accept',
};

/** A quoted-string of an auth-param (RFC 9110): backslash and quote escaped. */
const quoted = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;

/** A 401 for a token that was sent but refused, saying why (logged at INFO, never the token). */
function invalidToken(description: string, metadataUrl: string): AuthOutcome {
  logger.info('bearer token refused', { reason: description });
  return {
    ok: false,
    status: 401,
    wwwAuthenticate: `Bearer error="invalid_token", error_description=${quoted(description)}, resource_metadata=${quoted(metadataUrl)}`,
    message: `Unauthorized: ${description}`,
  };
}

/** The `Authorization: Bearer <token>` value, or undefined (other schemes are no token). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^\s*bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (an array, or a string, as Entra ID and Okta write it). */
export function tokenScopes(payload: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') claim.split(' ').filter(Boolean).forEach((s) => out.add(s));
    else if (Array.isArray(claim)) claim.filter((s): s is string => typeof s === 'string').forEach((s) => out.add(s));
  }
  return [...out];
}

export function missingScopes(granted: readonly string[], needed: readonly string[]): string[] {
  return needed.filter((s) => !granted.includes(s));
}

/** The gateway identity as a log value, or undefined when the event carries none. */
export function gatewayCallerId(identity: GatewayIdentity | undefined): string | undefined {
  if (!identity) return undefined;
  if (identity.jwtSubject) return `sub:${identity.jwtSubject}`;
  if (identity.principalArn) return `iam:${identity.principalArn}`;
  if (identity.apiKeyId) return `api-key:${identity.apiKeyId}`;
  if (identity.principalId) return `principal:${identity.principalId}`;
  return undefined;
}

/** RFC 8414 (path-inserted) and OpenID Connect (appended and path-inserted) discovery URLs of an issuer. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [...new Set([
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/openid-configuration${path}`,
  ])];
}

/** Verifies bearer tokens for one configuration; one per process (the JWKS cache lives here). */
export class Authenticator {
  private jose?: typeof Jose;
  private keys?: Promise<Jose.JWTVerifyGetKey>;

  constructor(public readonly config: AuthConfig, private readonly opts: AuthenticatorOptions = {}) {}

  /** The scopes a write tool needs beyond the required ones (oauth mode only; empty otherwise). */
  public get writeScopes(): readonly string[] {
    return this.config.mode === 'oauth' ? this.config.writeScopes : [];
  }

  /**
   * Authenticates one MCP request. `resource` is the request's resource URI (the default audience);
   * `metadataUrl` goes into the 401's WWW-Authenticate.
   */
  public async authenticate(
    authorization: string | undefined, gateway: GatewayIdentity | undefined, resources: readonly string[], metadataUrl: string,
  ): Promise<AuthOutcome> {
    const { mode } = this.config;
    if (mode === 'none') return { ok: true, caller: { scopes: [] } };
    if (mode === 'gateway') {
      const id = gatewayCallerId(gateway);
      if (id) return { ok: true, caller: { id, scopes: [] } };
      // The front door should have refused this request: a route without its authorizer, or a direct call.
      logger.warn('AUTH_MODE=gateway but the request carries no identity from the API Gateway authorizer; refused');
      return { ok: false, status: 401, message: 'Unauthorized: the request carries no identity from the API gateway' };
    }
    const challenge = `Bearer resource_metadata=${quoted(metadataUrl)}`;
    const token = bearerToken(authorization);
    if (!token) {
      return { ok: false, status: 401, wwwAuthenticate: challenge, message: 'Unauthorized: send Authorization: Bearer <access token>' };
    }
    let payload: Jose.JWTPayload;
    try {
      const jose = this.load();
      const keys = await this.jwks();
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: this.config.issuer!,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const code = (err as { code?: string })?.code ?? '';
      const reason = TOKEN_ERRORS[code];
      if (reason) {
        const claim = (err as { claim?: string }).claim;
        const description = code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim ? `the token's ${claim} claim is not acceptable` : reason;
        return invalidToken(description, metadataUrl);
      }
      // Discovery or JWKS unreachable: not the caller's fault, and the next request tries again.
      this.keys = undefined;
      logger.error('cannot verify bearer tokens: the issuer\'s keys are unavailable', { issuer: this.config.issuer, error: (err as Error)?.name, errorMessage: (err as Error)?.message });
      return { ok: false, status: 503, message: 'Service Unavailable: the authorization server\'s signing keys cannot be fetched' };
    }
    const audienceProblem = this.audienceProblem(payload, resources);
    if (audienceProblem) {
      return invalidToken(audienceProblem, metadataUrl);
    }
    const scopes = tokenScopes(payload);
    const caller: Caller = { id: typeof payload.sub === 'string' ? `sub:${payload.sub}` : undefined, scopes };
    const missing = missingScopes(scopes, this.config.requiredScopes);
    if (missing.length > 0) return insufficientScope(this.config.requiredScopes, metadataUrl, `the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`);
    return { ok: true, caller };
  }

  /**
   * Why the token is not for this resource, or undefined: an `aud` among AUTH_AUDIENCE (else this
   * request's resource URIs). A token without `aud` passes on its `client_id` when AUTH_AUDIENCE
   * lists it: Amazon Cognito's access tokens name their app client there and carry no `aud`. An
   * OpenID ID token (`token_use: id`, Cognito) is never an access token.
   */
  private audienceProblem(payload: Jose.JWTPayload, resources: readonly string[]): string | undefined {
    if (payload.token_use === 'id') return 'the token is an ID token, not an access token';
    const configured = this.config.audiences;
    const accepted = configured.length > 0 ? configured : resources;
    const aud = payload.aud === undefined ? [] : [payload.aud].flat();
    if (aud.some((a) => accepted.includes(a))) return undefined;
    if (aud.length === 0 && typeof payload.client_id === 'string' && configured.includes(payload.client_id)) return undefined;
    return 'the token\'s aud claim is not acceptable (it is not for this resource)';
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  private load(): typeof Jose { return (this.jose ??= require('jose') as typeof Jose); }

  /** The remote key set: AUTH_JWKS_URL, else the `jwks_uri` of the issuer's discovery document. */
  private jwks(): Promise<Jose.JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const jose = this.load();
      const url = this.config.jwksUrl ?? await this.discoverJwksUrl();
      return jose.createRemoteJWKSet(new URL(url), {
        timeoutDuration: this.opts.fetchTimeoutMs ?? 5000,
        cooldownDuration: this.opts.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
      });
    })();
    return this.keys;
  }

  private async discoverJwksUrl(): Promise<string> {
    const issuer = this.config.issuer!;
    const tried: string[] = [];
    for (const url of discoveryUrls(issuer)) {
      let res: Response;
      try {
        res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 5000), redirect: 'error' });
      } catch (err) {
        tried.push(`${url}: ${(err as Error)?.name}`);
        continue;
      }
      if (!res.ok) {
        tried.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const doc = await res.json().catch(() => undefined) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
      // RFC 8414 section 3.3: the document must name the issuer it was fetched for.
      if (doc?.issuer !== issuer || typeof doc.jwks_uri !== 'string') {
        tried.push(`${url}: no jwks_uri for issuer ${issuer}`);
        continue;
      }
      return doc.jwks_uri;
    }
    throw new Error(`no discovery document for ${issuer} (${tried.join('; ')}); set AUTH_JWKS_URL`);
  }
}

/** 403 insufficient_scope, naming every scope the request needs (RFC 6750 section 3.1). */
export function insufficientScope(needed: readonly string[], metadataUrl: string, reason: string): AuthOutcome {
  return {
    ok: false,
    status: 403,
    wwwAuthenticate: `Bearer error="insufficient_scope", scope=${quoted(needed.join(' '))}, resource_metadata=${quoted(metadataUrl)}, error_description=${quoted(reason)}`,
    message: `Forbidden: ${reason}`,
  };
}
