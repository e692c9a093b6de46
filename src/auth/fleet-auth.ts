import { Duration, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../nag';

/** How a fleet authenticates the callers of its servers. */
export enum FleetAuthMode {
  /** Nobody is authenticated (an explicit choice, with a reason). */
  NONE = 'NONE',
  /** Bearer JWTs of an OpenID Connect / OAuth 2.1 authorization server. */
  OAUTH = 'OAUTH',
  /** Bearer JWTs of an Amazon Cognito user pool (OAuth with Cognito's issuer). */
  COGNITO = 'COGNITO',
  /** API Gateway API keys (`x-api-key`), metered by the usage plan. */
  API_KEYS = 'API_KEYS',
  /** AWS IAM (SigV4-signed requests); grant callers with `fleet.grantInvoke(...)`. */
  IAM = 'IAM',
}

/** Options of `FleetAuth.oauth()`: any OpenID Connect / OAuth 2.1 authorization server. */
export interface OAuthOptions {
  /**
   * The authorization server's issuer URL, exactly as tokens carry it in `iss`, e.g.
   * `https://login.microsoftonline.com/<tenant>/v2.0` or `https://example.okta.com/oauth2/default`.
   */
  readonly issuer: string;

  /**
   * The accepted `aud` values.
   *
   * @default - each server's resource URI (its endpoint URL), as the MCP authorization specification wants
   */
  readonly audience?: string[];

  /**
   * Scopes a token must carry for any MCP request, e.g. `['mcp:read']`.
   *
   * @default - none
   */
  readonly requiredScopes?: string[];

  /**
   * Scopes a token must carry, in addition, to call a write tool, e.g. `['mcp:write']`.
   *
   * @default - none: any authenticated caller may call the write tools of a server that enables them
   */
  readonly writeScopes?: string[];

  /**
   * The issuer's JWKS URL.
   *
   * @default - read from the issuer's discovery document
   */
  readonly jwksUrl?: string;

  /**
   * The authorization servers the protected resource metadata (RFC 9728) names.
   *
   * @default - the issuer
   */
  readonly authorizationServers?: string[];
}

/** Options of `FleetAuth.cognito()`. */
export interface CognitoAuthOptions {
  /**
   * A user pool of your own. Give its app clients (`userPoolClients`) too: Cognito's access tokens
   * carry the client in `client_id`, which is what is checked as the audience.
   *
   * @default - a user pool is created: no self sign-up, sign-in by email, MFA required (TOTP),
   * a strong password policy, a resource server `mcp` with scopes `mcp/read` and `mcp/write`, and a
   * public app client (authorization code with PKCE)
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * The app clients whose tokens are accepted (required with `userPool`).
   *
   * @default - the app client created with the user pool
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];

  /**
   * Scopes a token must carry for any MCP request.
   *
   * @default - `['mcp/read']` for the created pool; none for a pool of your own
   */
  readonly requiredScopes?: string[];

  /**
   * Scopes a token must carry, in addition, to call a write tool.
   *
   * @default - `['mcp/write']` for the created pool; none for a pool of your own
   */
  readonly writeScopes?: string[];

  /**
   * Where the created app client may send users back after sign-in (your MCP client's redirect URIs).
   *
   * @default ['http://localhost:6274/oauth/callback'] - the MCP Inspector's
   */
  readonly callbackUrls?: string[];

  /**
   * A Cognito domain prefix for the created pool's sign-in pages (`https://<prefix>.auth.<region>.amazoncognito.com`),
   * unique in the region.
   *
   * @default - no domain: add one with `auth.userPool.addDomain(...)` before users sign in
   */
  readonly domainPrefix?: string;
}

/** Options of `FleetAuth.none()`. */
export interface NoAuthOptions {
  /**
   * Why the fleet's servers may be called without a credential (e.g. `'reachable only from the VPC
   * through a private API'`). It becomes the acknowledgement of cdk-nag's authorization findings.
   */
  readonly reason: string;
}

/** The fleet's authentication as a compute sees it: plain data. */
export interface FleetAuthConfig {
  /** The mode. */
  readonly mode: FleetAuthMode;

  /**
   * The issuer (`OAUTH`, `COGNITO`).
   *
   * @default - none (other modes)
   */
  readonly issuer?: string;

  /**
   * The accepted audiences (`OAUTH` when given, `COGNITO`: the app client ids).
   *
   * @default - each server's resource URI
   */
  readonly audience?: string[];

  /** Scopes needed for any MCP request (empty: none). */
  readonly requiredScopes: string[];

  /** Scopes needed, in addition, for a write tool (empty: none). */
  readonly writeScopes: string[];

  /**
   * The JWKS URL.
   *
   * @default - from the issuer's discovery document
   */
  readonly jwksUrl?: string;

  /**
   * The authorization servers of the protected resource metadata.
   *
   * @default - the issuer
   */
  readonly authorizationServers?: string[];

  /**
   * The user pool (`COGNITO`).
   *
   * @default - none (other modes)
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * Why the fleet is open (`NONE`).
   *
   * @default - none (other modes)
   */
  readonly reason?: string;
}

interface FleetAuthSpec {
  readonly mode: FleetAuthMode;
  readonly oauth?: OAuthOptions;
  readonly cognito?: CognitoAuthOptions;
  readonly reason?: string;
}

/**
 * How callers authenticate to a fleet's servers. Each front door binds it its own way (a REST
 * API authorizer, an HTTP API JWT or IAM authorizer, the runtime's own token check), and the
 * runtime validates bearer tokens itself in the OAuth modes, whatever the front door.
 *
 * @example
 * import { FleetAuth } from 'mcp-server-fleet';
 *
 * // any OpenID Connect / OAuth 2.1 authorization server (Entra ID, Okta, Auth0, Keycloak...)
 * const oauth = FleetAuth.oauth({ issuer: 'https://example.okta.com/oauth2/default', writeScopes: ['mcp:write'] });
 * // a Cognito user pool created with the fleet (scopes mcp/read and mcp/write)
 * const cognito = FleetAuth.cognito();
 * // SigV4-signed requests: grant callers with fleet.grantInvoke(role)
 * const iam = FleetAuth.iam();
 */
export class FleetAuth {
  /**
   * Bearer JWTs of any OpenID Connect / OAuth 2.1 authorization server, checked by the runtime
   * (signature against the issuer's JWKS, `iss`, `aud`, expiry, scopes) and, on an HTTP API, by a
   * JWT authorizer too.
   *
   * @param options the issuer, audience and scopes
   */
  public static oauth(options: OAuthOptions): FleetAuth {
    validateUrl('issuer', options.issuer);
    if (options.jwksUrl !== undefined) validateUrl('jwksUrl', options.jwksUrl);
    for (const server of options.authorizationServers ?? []) validateUrl('authorizationServers', server);
    validateList('audience', options.audience);
    validateList('requiredScopes', options.requiredScopes);
    validateList('writeScopes', options.writeScopes);
    if (options.audience !== undefined && options.audience.length === 0) {
      throw new Error('`audience` must name at least one accepted `aud`, got: [] (leave it out for each server\'s resource URI)');
    }
    return new FleetAuth({ mode: FleetAuthMode.OAUTH, oauth: options });
  }

  /**
   * Bearer JWTs of an Amazon Cognito user pool: the one given, or one created with the fleet.
   *
   * @param options the user pool and its clients, scopes
   */
  public static cognito(options: CognitoAuthOptions = {}): FleetAuth {
    if (options.userPool && (options.userPoolClients ?? []).length === 0) {
      throw new Error('`userPoolClients` must name the app clients whose tokens are accepted when `userPool` is given, got none '
        + '(Cognito access tokens carry their client in `client_id`, which is checked as the audience)');
    }
    if (!options.userPool && options.userPoolClients) {
      throw new Error('`userPoolClients` needs `userPool` (the created pool has its own app client)');
    }
    validateList('requiredScopes', options.requiredScopes);
    validateList('writeScopes', options.writeScopes);
    for (const url of options.callbackUrls ?? []) validateUrl('callbackUrls', url, true);
    return new FleetAuth({ mode: FleetAuthMode.COGNITO, cognito: options });
  }

  /**
   * API Gateway API keys (`x-api-key`) on the MCP methods, metered per key by the usage plan
   * (add keys with `compute.usagePlan.addApiKey(...)`). REST APIs only (`FleetCompute.lambdaPerServer()`).
   */
  public static apiKeys(): FleetAuth {
    return new FleetAuth({ mode: FleetAuthMode.API_KEYS });
  }

  /**
   * AWS IAM: callers sign their requests (SigV4); grant them with `fleet.grantInvoke(principal)`.
   * The default.
   */
  public static iam(): FleetAuth {
    return new FleetAuth({ mode: FleetAuthMode.IAM });
  }

  /**
   * No authentication: anyone who has the URL calls the tools with the servers' own upstream
   * credentials. Adds a synthesis warning and acknowledges cdk-nag's authorization findings with
   * `reason`; a server with `allowWrites` refuses to synthesize in such a fleet.
   *
   * @param options why the fleet may be open
   */
  public static none(options: NoAuthOptions): FleetAuth {
    const reason = (options?.reason ?? '').trim();
    if (reason.length < 20) {
      throw new Error('`reason` of FleetAuth.none() must say why the servers may be called without a credential '
        + `(at least 20 characters; it becomes the cdk-nag acknowledgement), got: ${JSON.stringify(options?.reason ?? '')}`);
    }
    return new FleetAuth({ mode: FleetAuthMode.NONE, reason });
  }

  /** The mode. */
  public readonly mode: FleetAuthMode;

  private readonly spec: FleetAuthSpec;
  private bound?: FleetAuthConfig;
  private pool?: cognito.IUserPool;
  private client?: cognito.UserPoolClient;

  private constructor(spec: FleetAuthSpec) {
    this.spec = spec;
    this.mode = spec.mode;
  }

  /**
   * The user pool, once bound to a fleet (`COGNITO`: the given or the created one; else undefined).
   */
  public get userPool(): cognito.IUserPool | undefined {
    return this.pool;
  }

  /**
   * The app client created with the user pool, once bound (undefined for a pool of your own and other modes).
   */
  public get userPoolClient(): cognito.UserPoolClient | undefined {
    return this.client;
  }

  /**
   * Resolves the authentication for a fleet, creating the user pool of `cognito()` in `scope`.
   *
   * @internal
   */
  public _bind(scope: Construct): FleetAuthConfig {
    if (this.bound) {
      throw new Error('A FleetAuth can protect one fleet only; create one with FleetAuth.*() for each fleet');
    }
    const { mode, oauth } = this.spec;
    switch (mode) {
      case FleetAuthMode.OAUTH:
        this.bound = {
          mode,
          issuer: oauth!.issuer,
          audience: oauth!.audience ? [...oauth!.audience] : undefined,
          requiredScopes: [...(oauth!.requiredScopes ?? [])],
          writeScopes: [...(oauth!.writeScopes ?? [])],
          jwksUrl: oauth!.jwksUrl,
          authorizationServers: oauth!.authorizationServers ? [...oauth!.authorizationServers] : undefined,
        };
        break;
      case FleetAuthMode.COGNITO:
        this.bound = this.bindCognito(scope);
        break;
      default:
        this.bound = { mode, requiredScopes: [], writeScopes: [], reason: this.spec.reason };
    }
    return this.bound;
  }

  private bindCognito(scope: Construct): FleetAuthConfig {
    const options = this.spec.cognito ?? {};
    if (options.userPool) {
      this.pool = options.userPool;
      return {
        mode: FleetAuthMode.COGNITO,
        issuer: cognitoIssuer(options.userPool),
        audience: options.userPoolClients!.map((c) => c.userPoolClientId),
        requiredScopes: [...(options.requiredScopes ?? [])],
        writeScopes: [...(options.writeScopes ?? [])],
        userPool: options.userPool,
      };
    }
    const pool = new cognito.UserPool(scope, 'UserPool', {
      // Users are created by the administrators: an MCP fleet is not a public sign-up page.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    });
    acknowledgeRule(pool, 'AwsSolutions-COG8',
      'The Plus feature plan (threat protection) is billed per monthly active user; the pool already refuses self sign-up and requires MFA '
      + 'and a strong password. Bring a Plus pool with FleetAuth.cognito({ userPool }).');
    const read = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'Call the read tools of the MCP servers' });
    const write = new cognito.ResourceServerScope({ scopeName: 'write', scopeDescription: 'Call the write tools of the MCP servers' });
    const resourceServer = pool.addResourceServer('ResourceServer', { identifier: 'mcp', scopes: [read, write] });
    const client = pool.addClient('Client', {
      // A public client (an MCP client on a user's machine cannot keep a secret): authorization
      // code with PKCE, as OAuth 2.1 and the MCP authorization specification require.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          cognito.OAuthScope.OPENID,
          cognito.OAuthScope.resourceServer(resourceServer, read),
          cognito.OAuthScope.resourceServer(resourceServer, write),
        ],
        callbackUrls: options.callbackUrls ?? ['http://localhost:6274/oauth/callback'],
      },
      preventUserExistenceErrors: true,
    });
    if (options.domainPrefix !== undefined) pool.addDomain('Domain', { cognitoDomain: { domainPrefix: options.domainPrefix } });
    this.pool = pool;
    this.client = client;
    return {
      mode: FleetAuthMode.COGNITO,
      issuer: cognitoIssuer(pool),
      audience: [client.userPoolClientId],
      requiredScopes: [...(options.requiredScopes ?? ['mcp/read'])],
      writeScopes: [...(options.writeScopes ?? ['mcp/write'])],
      userPool: pool,
    };
  }
}

/** The issuer of a user pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
function cognitoIssuer(pool: cognito.IUserPool): string {
  return `https://${pool.userPoolProviderName}`;
}

function validateUrl(prop: string, value: string, allowLoopbackHttp = false): void {
  if (value === undefined || Token.isUnresolved(value)) {
    if (value === undefined) throw new Error(`\`${prop}\` is required`);
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!url || !(url.protocol === 'https:' || (allowLoopbackHttp && loopback))) {
    throw new Error(`\`${prop}\` must be an https:// URL${allowLoopbackHttp ? ' (or http:// on localhost)' : ''}, got: ${JSON.stringify(value)}`);
  }
}

function validateList(prop: string, values: string[] | undefined): void {
  for (const value of values ?? []) {
    if (Token.isUnresolved(value)) continue;
    if (value.trim() === '' || /[,\s]/.test(value)) {
      throw new Error(`\`${prop}\` entries must be non-empty and hold no comma or space, got: ${JSON.stringify(value)}`);
    }
  }
}
