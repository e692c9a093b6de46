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

/**
 * How long a failed read is remembered (ms). While Secrets Manager is down or throttling, each read
 * is the AWS SDK's three attempts with back-off, and every tool call would pay them again: a burst
 * of calls then hammers a service that is already failing and waits on it each time. Five seconds
 * turns a burst into one read, yet a recovered Secrets Manager is used again almost at once.
 */
export const FAILED_READ_MEMORY_MS = 5_000;

export class CredentialStore {
  private readonly inflight = new Map<string, Promise<string | undefined>>();
  /** When each secret was last force-read: a revoked token must not turn every 401 into a GetSecretValue. */
  private readonly lastForced = new Map<string, number>();
  /** The last failed read of each secret and until when it stands in for a new read. */
  private readonly failed = new Map<string, { readonly code: string; readonly until: number }>();

  constructor(
    private readonly cacheSeconds: number,
    private readonly fetcher: SecretFetcher = (id, o) => powertoolsFetcher()(id, o),
    /** At most one forced read per secret within this many ms (a revoked token answers 401 to every call). */
    private readonly minForceIntervalMs = 30_000,
    /** A failed read is answered from memory for this many ms. */
    private readonly failedReadMemoryMs = FAILED_READ_MEMORY_MS,
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
    const failure = this.failed.get(source.secretArn);
    // Keyed by secret (servers may share one), so the message is made again for this server.
    if (failure && Date.now() < failure.until) throw readFailure(server, source, failure.code);
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
      this.failed.set(source.secretArn, { code, until: Date.now() + this.failedReadMemoryMs });
      throw readFailure(server, source, code);
    }
    this.failed.delete(source.secretArn);
    if (raw === undefined) {
      throw new CredentialError(`the secret in ${source.arnVar} has no string value`);
    }
    return source.jsonField ? selectField(raw, source.jsonField, source.arnVar) : raw.trim();
  }
}

function readFailure(server: ServerConfig, source: CredentialSource, code: string): CredentialError {
  return new CredentialError(`could not read the ${server.name} credential from Secrets Manager (${source.arnVar}): ${code}`);
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
