/**
 * Where a server's credentials come from: a variable given directly (ECS injects secrets this
 * way), or Secrets Manager through Powertools Parameters (cached for SECRET_CACHE_TTL_SECONDS;
 * concurrent cold requests share one GetSecretValue; `refresh()` forces one re-read so a
 * rotated secret is picked up after an upstream 401).
 */
import type { CredentialSource, ServerConfig } from './config';
import type { Credentials } from './types';

export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

type SecretFetcher = (secretId: string, options: { maxAge: number; forceFetch: boolean }) => Promise<string | undefined>;

let defaultFetcher: SecretFetcher | undefined;

/** Powertools `getSecret`, loaded on first use so processes without secrets never load the AWS SDK. */
function powertoolsFetcher(): SecretFetcher {
  if (!defaultFetcher) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { getSecret } = require('@aws-lambda-powertools/parameters/secrets') as typeof import('@aws-lambda-powertools/parameters/secrets');
    defaultFetcher = async (secretId, options) => {
      const value = await getSecret(secretId, options);
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8');
    };
  }
  return defaultFetcher;
}

export class CredentialStore {
  private readonly inflight = new Map<string, Promise<string | undefined>>();
  /** When each secret was last force-read: a revoked token must not turn every 401 into a GetSecretValue. */
  private readonly lastForced = new Map<string, number>();

  constructor(
    private readonly cacheSeconds: number,
    private readonly fetcher: SecretFetcher = (id, o) => powertoolsFetcher()(id, o),
    /** At most one forced read per secret within this many ms (a revoked token answers 401 to every call). */
    private readonly minForceIntervalMs = 30_000,
  ) {}

  /** Whether any credential of the server comes from Secrets Manager (so a refresh can help). */
  public refreshable(server: ServerConfig): boolean {
    return server.credentials.some((c) => !c.direct && c.secretArn);
  }

  public get(server: ServerConfig): Promise<Credentials> {
    return this.resolve(server, false);
  }

  /**
   * Re-reads every Secrets Manager credential of the server, bypassing the cache, unless that secret
   * was force-read within the minimum interval (then the cached value comes back).
   */
  public refresh(server: ServerConfig): Promise<Credentials> {
    return this.resolve(server, true);
  }

  private async resolve(server: ServerConfig, force: boolean): Promise<Credentials> {
    const entries = await Promise.all(server.credentials.map(async (c) => [c.env, await this.one(server, c, force)] as const));
    return Object.fromEntries(entries);
  }

  private async one(server: ServerConfig, source: CredentialSource, force: boolean): Promise<string | undefined> {
    if (source.direct) return source.direct;
    if (!source.secretArn) return undefined;
    if (force) {
      const last = this.lastForced.get(source.secretArn) ?? -Infinity;
      if (Date.now() - last < this.minForceIntervalMs) force = false;
      else this.lastForced.set(source.secretArn, Date.now());
    }
    const key = `${force ? 'force' : 'cached'}:${source.secretArn}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetcher(source.secretArn, { maxAge: this.cacheSeconds, forceFetch: force })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    let raw: string | undefined;
    try {
      raw = await pending;
    } catch (err) {
      // Powertools wraps the AWS SDK error (ResourceNotFoundException, AccessDeniedException...) as `cause`.
      const e = err as { name?: string; cause?: { name?: string } };
      const code = e.cause?.name ?? e.name ?? 'Error';
      throw new CredentialError(`could not read the ${server.name} credential from Secrets Manager (${source.arnVar}): ${code}`);
    }
    if (raw === undefined) {
      throw new CredentialError(`the secret in ${source.arnVar} has no string value`);
    }
    return source.jsonField ? selectField(raw, source.jsonField, source.arnVar) : raw.trim();
  }
}

function selectField(raw: string, field: string, arnVar: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CredentialError(`the secret in ${arnVar} is not JSON, so its field "${field}" cannot be selected`);
  }
  const value = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new CredentialError(`the secret in ${arnVar} has no non-empty string field "${field}"`);
  }
  return value.trim();
}
