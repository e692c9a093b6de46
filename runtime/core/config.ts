/**
 * The configuration contract: everything the runtime knows comes from environment variables.
 *
 * Single-server mode (one Lambda per server): `SERVER_NAME=gitlab` (+ `SERVER_KIND` when the
 * name is not the kind). Multi-server mode: `MCP_SERVERS=gitlab,gl-internal:gitlab` (a list of
 * `name` or `name:kind`). Each server reads its own variables under a prefix made from its name
 * (`gitlab` -> `GITLAB_`, `gl-internal` -> `GL_INTERNAL_`):
 *
 *   <PREFIX>_API_URL                 upstream base URL (backend specific suffix, e.g. GITLAB_API_URL)
 *   <PREFIX>_TOKEN                   credential given directly (ECS secrets, local use)
 *   <PREFIX>_TOKEN_SECRET_ARN        credential in Secrets Manager; `arn...#field` selects a JSON field
 *   <PREFIX>_ALLOW_WRITES            `true` registers the mutating tools
 *   <PREFIX>_TOOLS_ALLOW             only these tools (comma-separated); the write switch still applies
 *   <PREFIX>_TOOLS_DENY              every tool but these (not together with _TOOLS_ALLOW)
 *
 * Process-wide, inbound authentication (src/contract/auth.ts): AUTH_MODE (none | oauth | gateway),
 * AUTH_ISSUER, AUTH_JWKS_URL, AUTH_AUDIENCE, AUTH_REQUIRED_SCOPES, AUTH_WRITE_SCOPES,
 * AUTH_AUTHORIZATION_SERVERS.
 */
import type { BackendDefinition, BackendSource, LazyBackend } from './types';
import {
  type BackendContract,
  AUTH_AUDIENCE, AUTH_AUTHORIZATION_SERVERS, AUTH_ISSUER, AUTH_JWKS_URL, AUTH_MODE, AUTH_MODES, AUTH_REQUIRED_SCOPES, AUTH_WRITE_SCOPES,
  type AuthMode, parseAuthList,
  ALLOW_WRITES_SUFFIX, RESERVED_SERVER_NAMES, SECRET_ARN_SUFFIX, SERVER_NAME_PATTERN,
  TOOLS_ALLOW_SUFFIX, TOOLS_DENY_SUFFIX, checkUpstreamUrl, environmentPrefix, parseSecretRef, parseServerList, parseToolList, redactUrl,
} from '../../src/contract';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CredentialSource {
  /** Suffix, e.g. `TOKEN`. */
  readonly env: string;
  /** The variable names, for messages (never their values). */
  readonly directVar: string;
  readonly arnVar: string;
  readonly direct?: string;
  readonly secretArn?: string;
  readonly jsonField?: string;
  readonly optional: boolean;
}

const isLazy = (b: BackendSource): b is LazyBackend => typeof (b as LazyBackend).load === 'function';

/** The contract of a definition (its tools split by whether they write). */
function contractOf(b: BackendSource): BackendContract {
  if (isLazy(b)) return b.contract;
  const names = (write: boolean) => b.tools.filter((t) => t.mutating === write).map((t) => t.name);
  return { ...b, tools: { read: names(false), write: names(true) } };
}

export interface ServerConfig {
  readonly name: string;
  readonly kind: string;
  /** The backend's variables and tool names (no tool definitions: cheap at start). */
  readonly contract: BackendContract;
  /** The backend's definition; loaded on first read when the source was a `LazyBackend`. */
  readonly backend: BackendDefinition;
  readonly prefix: string;
  readonly baseUrl?: string;
  readonly allowWrites: boolean;
  /** From `<PREFIX>_TOOLS_ALLOW` or `<PREFIX>_TOOLS_DENY`; absent: every tool (writes per `allowWrites`). */
  readonly toolPolicy?: ToolPolicy;
  readonly credentials: readonly CredentialSource[];
  /** `<PREFIX>_<env>` of each of the backend's settings, keyed by `env` (blank: undefined). */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Variables that must be set before the server can answer tool calls. */
  readonly missing: readonly string[];
}

export interface RuntimeConfig {
  readonly mode: 'single' | 'multi';
  readonly servers: readonly ServerConfig[];
  /** Origins allowed cross-origin; an empty list allows none (same-origin and non-browser clients only). */
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly secretCacheSeconds: number;
  /** At most one forced re-read of a secret (after an upstream 401) per this many seconds. */
  readonly secretRefreshMinSeconds: number;
  /** Per-attempt upstream timeout outside Lambda (inside Lambda the remaining time caps it). */
  readonly upstreamTimeoutMs: number;
  /** The total time budget of one request when no Lambda deadline is known. */
  readonly requestBudgetMs: number;
  readonly environment?: string;
  /** `LOG_LEVEL` as given (the logger keeps its level when absent). */
  readonly logLevel?: string;
  /** Inbound authentication; absent: `none`. */
  readonly auth?: AuthConfig;
}

/** How callers are authenticated (the AUTH_* variables). */
export interface AuthConfig {
  readonly mode: AuthMode;
  /** The exact `iss` (oauth mode: required). */
  readonly issuer?: string;
  /** Where the signing keys are; absent: the issuer's discovery document says. */
  readonly jwksUrl?: string;
  /** Accepted `aud` values; empty: the request's resource URI. */
  readonly audiences: readonly string[];
  readonly requiredScopes: readonly string[];
  readonly writeScopes: readonly string[];
  /** Named in the protected resource metadata; empty when there is no issuer either. */
  readonly authorizationServers: readonly string[];
}

/** An absolute https URL (http only for loopback, for local testing), else a ConfigError naming the variable. */
function authUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute https URL, got: ${JSON.stringify(redactUrl(value))}`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${name} must be an https URL (http only for 127.0.0.1 or localhost), got: ${JSON.stringify(redactUrl(value))}`);
  }
  if (url.username || url.password) throw new ConfigError(`${name} must not contain credentials (user:password@)`);
  return value;
}

/** The AUTH_* variables; oauth mode needs AUTH_ISSUER. */
export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const raw = (env[AUTH_MODE] ?? '').trim().toLowerCase() || 'none';
  if (!(AUTH_MODES as readonly string[]).includes(raw)) {
    throw new ConfigError(`${AUTH_MODE} must be one of ${AUTH_MODES.join(', ')}, got: ${JSON.stringify(env[AUTH_MODE])}`);
  }
  const mode = raw as AuthMode;
  const issuerRaw = (env[AUTH_ISSUER] ?? '').trim();
  const issuer = issuerRaw ? authUrl(AUTH_ISSUER, issuerRaw) : undefined;
  if (mode === 'oauth' && !issuer) {
    throw new ConfigError(`${AUTH_MODE}=oauth needs ${AUTH_ISSUER} (the authorization server's issuer URL, the exact iss of its tokens)`);
  }
  const jwksRaw = (env[AUTH_JWKS_URL] ?? '').trim();
  const servers = parseAuthList(env[AUTH_AUTHORIZATION_SERVERS]).map((s) => authUrl(AUTH_AUTHORIZATION_SERVERS, s));
  return {
    mode,
    issuer,
    jwksUrl: jwksRaw ? authUrl(AUTH_JWKS_URL, jwksRaw) : undefined,
    audiences: parseAuthList(env[AUTH_AUDIENCE]),
    requiredScopes: parseAuthList(env[AUTH_REQUIRED_SCOPES]),
    writeScopes: parseAuthList(env[AUTH_WRITE_SCOPES]),
    authorizationServers: servers.length > 0 ? servers : issuer ? [issuer] : [],
  };
}

/** Only `true` turns a switch on: the write gate must not open on a typo. */
function bool(value: string | undefined): boolean {
  return (value ?? '').trim().toLowerCase() === 'true';
}


function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a number of at least 0, got: ${raw}`);
  return Math.floor(n);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got: ${raw}`);
  return Math.floor(n);
}

/** `redactUrl` applied to every `scheme://...` in a text (a message about to be logged). */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url));
}

export function loadConfig(env: NodeJS.ProcessEnv, backends: ReadonlyMap<string, BackendSource>): RuntimeConfig {
  let entries: Array<{ name: string; kind: string }>;
  let mode: 'single' | 'multi';
  const hasList = env.MCP_SERVERS !== undefined && env.MCP_SERVERS.trim() !== '';
  const hasName = env.SERVER_NAME !== undefined && env.SERVER_NAME.trim() !== '';
  if (hasList && hasName) {
    throw new ConfigError('Set either SERVER_NAME (one server) or MCP_SERVERS (several), not both');
  }
  if (hasList) {
    mode = 'multi';
    entries = parseServerList(env.MCP_SERVERS!);
  } else if (hasName) {
    mode = 'single';
    const name = env.SERVER_NAME!.trim();
    entries = [{ name, kind: (env.SERVER_KIND ?? '').trim() || name }];
  } else {
    throw new ConfigError('Set SERVER_NAME (one server) or MCP_SERVERS (a comma-separated list of name or name:kind) to say which MCP servers this process hosts');
  }

  const seen = new Set<string>();
  const servers = entries.map(({ name, kind }) => {
    if (!SERVER_NAME_PATTERN.test(name)) {
      throw new ConfigError(`server name must be lowercase letters, digits and hyphens, starting with a letter, got: ${JSON.stringify(name)}`);
    }
    if (RESERVED_SERVER_NAMES.includes(name)) throw new ConfigError(`server name cannot be ${JSON.stringify(name)}: /${name} is a route of the runtime itself`);
    if (seen.has(name)) throw new ConfigError(`server name ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    const backend = backends.get(kind);
    if (!backend) {
      throw new ConfigError(`server ${JSON.stringify(name)} has unknown kind ${JSON.stringify(kind)}; known kinds: ${[...backends.keys()].join(', ')}`);
    }
    return loadServer(env, name, backend);
  });

  const origins = (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    mode,
    servers,
    allowedOrigins: origins,
    maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES', 1024 * 1024),
    secretCacheSeconds: positiveInt(env, 'SECRET_CACHE_TTL_SECONDS', 300),
    secretRefreshMinSeconds: nonNegativeInt(env, 'SECRET_REFRESH_MIN_SECONDS', 30),
    upstreamTimeoutMs: positiveInt(env, 'UPSTREAM_TIMEOUT_MS', 10_000),
    requestBudgetMs: positiveInt(env, 'REQUEST_BUDGET_MS', 29_000),
    environment: env.ENVIRONMENT,
    logLevel: env.LOG_LEVEL,
    auth: loadAuthConfig(env),
  };
}

/** Which tools a server offers, on top of the write switch. */
export interface ToolPolicy {
  readonly mode: 'allow' | 'deny';
  /** The variable it comes from, for messages. */
  readonly variable: string;
  readonly names: readonly string[];
}

/** Whether a server's tool policy lets `tool` be offered (the write switch is checked apart). */
export function policyAllows(server: Pick<ServerConfig, 'toolPolicy'>, tool: string): boolean {
  const policy = server.toolPolicy;
  if (!policy) return true;
  return policy.mode === 'allow' ? policy.names.includes(tool) : !policy.names.includes(tool);
}

/** Why a tool the policy leaves out cannot be called. */
export function policyRefusal(server: Pick<ServerConfig, 'toolPolicy' | 'name'>, tool: string): string {
  const policy = server.toolPolicy!;
  return `Tool ${tool} disabled: ${policy.variable} ${policy.mode === 'allow' ? 'does not list it' : 'lists it'} for server ${server.name}`;
}

/** `<PREFIX>_TOOLS_ALLOW` / `_TOOLS_DENY`: one of them, naming only tools the backend has. */
function loadToolPolicy(env: NodeJS.ProcessEnv, prefix: string, name: string, backend: BackendContract): ToolPolicy | undefined {
  const allowVar = `${prefix}${TOOLS_ALLOW_SUFFIX}`;
  const denyVar = `${prefix}${TOOLS_DENY_SUFFIX}`;
  const allow = parseToolList(env[allowVar] ?? '');
  const deny = parseToolList(env[denyVar] ?? '');
  if (allow.length > 0 && deny.length > 0) throw new ConfigError(`Set ${allowVar} (only these tools) or ${denyVar} (all but these), not both`);
  if (allow.length === 0 && deny.length === 0) return undefined;
  const [mode, variable, names] = allow.length > 0 ? ['allow' as const, allowVar, allow] : ['deny' as const, denyVar, deny];
  const known = [...backend.tools.read, ...backend.tools.write];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(`${variable} names ${unknown.length === 1 ? 'a tool' : 'tools'} server ${JSON.stringify(name)} (${backend.displayName}) does not have: `
      + `${unknown.map((n) => JSON.stringify(n)).join(', ')}; its tools: ${known.join(', ')}`);
  }
  return { mode, variable, names };
}

function loadServer(env: NodeJS.ProcessEnv, name: string, source: BackendSource): ServerConfig {
  const backend = contractOf(source);
  const prefix = environmentPrefix(name);
  const urlVar = `${prefix}_${backend.urlEnv}`;
  const baseUrl = (env[urlVar] ?? '').trim() || backend.defaultUrl;
  const missing: string[] = [];
  if (!baseUrl) {missing.push(urlVar);} else {
    // Quoted without userinfo, query or fragment (checkUpstreamUrl): a token can sit in any of them, and the message is logged.
    const problem = checkUpstreamUrl(baseUrl);
    if (problem?.kind === 'credentials') {
      const credential = backend.credentials[0]?.env ?? 'TOKEN';
      throw new ConfigError(`${urlVar} ${problem.message}; set ${prefix}_${credential} or ${prefix}_${credential}${SECRET_ARN_SUFFIX} instead`);
    }
    if (problem) throw new ConfigError(`${urlVar} ${problem.message}`);
  }
  const credentials = backend.credentials.map((spec): CredentialSource => {
    const directVar = `${prefix}_${spec.env}`;
    const arnVar = `${prefix}_${spec.env}${SECRET_ARN_SUFFIX}`;
    const direct = env[directVar] || undefined;
    const ref = (env[arnVar] ?? '').trim();
    const { secretId, jsonField } = ref ? parseSecretRef(ref) : { secretId: undefined, jsonField: undefined };
    if (!direct && !secretId && !spec.optional) missing.push(`${arnVar} or ${directVar}`);
    return { env: spec.env, directVar, arnVar, direct, secretArn: secretId, jsonField, optional: spec.optional };
  });
  const settings: Record<string, string | undefined> = {};
  for (const spec of backend.settings ?? []) settings[spec.env] = (env[`${prefix}_${spec.env}`] ?? '').trim() || undefined;
  const server = {
    name,
    kind: backend.kind,
    contract: backend,
    prefix,
    settings,
    baseUrl: baseUrl ? baseUrl.replace(/\/+$/, '') : undefined,
    allowWrites: bool(env[`${prefix}${ALLOW_WRITES_SUFFIX}`]),
    toolPolicy: loadToolPolicy(env, prefix, name, backend),
    credentials,
    missing,
  };
  if (!isLazy(source)) return { ...server, backend: source };
  let loaded: BackendDefinition | undefined;
  return Object.defineProperty(server, 'backend', { enumerable: true, get: () => (loaded ??= source.load()) }) as unknown as ServerConfig;
}
