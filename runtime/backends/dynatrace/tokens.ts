/**
 * Dynatrace's two token kinds and where each one goes. A platform token (`dt0s16.*`, or an OAuth
 * access token, a JWT) is sent as `Authorization: Bearer` to the platform (apps) URL and reaches
 * Grail (DQL); a classic access token (`dt0c01.*`) is sent as `Authorization: Api-Token` to the
 * environment URL and reaches the Environment API v2. Neither API takes the other's token, so
 * each tool asks `tokenKind(ctx)` which API to call, and a tool that exists on one API only says
 * which token it needs.
 */
import { environmentPrefix } from '../../../src/contract';
import { Refusal, type ToolContext, type UpstreamAuth } from '../../kit';

export type TokenKind = 'platform' | 'classic';

/** What a token's prefix says: the kind it is sent as, and the format recognised (for get_environment_info). */
export function tokenFormat(token: string): { kind: TokenKind; format: string } {
  const t = token.trim();
  if (t.startsWith('dt0c01.')) return { kind: 'classic', format: 'dt0c01 (classic access token)' };
  if (t.startsWith('dt0s16.')) return { kind: 'platform', format: 'dt0s16 (platform token)' };
  // An OAuth access token got for an OAuth client (dt0s02.*) is a JWT: the platform takes it as a Bearer token.
  if (/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(t)) return { kind: 'platform', format: 'JWT (OAuth access token)' };
  // Tokens made before 2021 have no prefix; they are classic access tokens.
  return { kind: 'classic', format: 'unrecognised (sent as a classic access token)' };
}

/** `Api-Token` for a classic token, `Bearer` for a platform one; nothing without a token. */
export const dynatraceAuth: UpstreamAuth = {
  headers: (creds): Record<string, string> => {
    const token = creds.TOKEN?.trim();
    if (!token) return {};
    return { Authorization: `${tokenFormat(token).kind === 'classic' ? 'Api-Token' : 'Bearer'} ${token}` };
  },
};

/** The traits tools read (`ctx.traits()`): the token's kind and format, never the token. */
export function dynatraceTraits(creds: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> {
  const token = creds.TOKEN?.trim();
  if (!token) return {};
  const { kind, format } = tokenFormat(token);
  return { tokenKind: kind, tokenFormat: format };
}

export async function tokenKind(ctx: ToolContext): Promise<TokenKind> {
  return (await ctx.traits()).tokenKind === 'platform' ? 'platform' : 'classic';
}

const HOW: Record<TokenKind, string> = {
  platform: 'a platform token (dt0s16.*, or an OAuth access token) with the storage:*:read scopes, on the platform (apps) URL',
  classic: 'a classic access token (dt0c01.*) on the environment (live) URL',
};

/** What a tool on one API only says it needs, when not the API's usual token and scopes (`HOW`). */
export interface KindNeed {
  /** The token and scopes, e.g. `a platform token ... with the davis-copilot:nl2dql:execute scope`. */
  readonly how: string;
  /** The API that refuses the other kind, e.g. `platform (Davis CoPilot)`. */
  readonly api: string;
}

/**
 * Refuses a tool that exists on one API only when the server's token reaches the other: names the
 * token the tool needs and what this token can do instead.
 */
export async function requireKind(ctx: ToolContext, needed: TokenKind, tool: string, instead: string, need?: KindNeed): Promise<void> {
  const kind = await tokenKind(ctx);
  if (kind === needed) return;
  const api = need?.api ?? (needed === 'platform' ? 'Grail (DQL)' : 'Environment API v2');
  throw new Refusal(`${tool} needs ${need?.how ?? HOW[needed]}: this server's token is a ${kind} token, which the ${api} refuses. ${instead}`);
}

/** `https://abc.live.dynatrace.com` -> `https://abc.apps.dynatrace.com`; an apps URL stays; anything else has no platform URL. */
export function derivePlatformUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname;
  if (/(^|\.)apps\./.test(host)) return `${parsed.origin}`;
  if (!/(^|\.)live\./.test(host)) return undefined;
  // Only the origin: the classic URL of SaaS has no path, and the platform's paths start at /platform.
  return `${parsed.protocol}//${host.replace(/(^|\.)live\./, '$1apps.')}${parsed.port ? `:${parsed.port}` : ''}`;
}

/**
 * The base URL of platform calls: `<PREFIX>_PLATFORM_URL`, or the configured URL with `.live.`
 * replaced by `.apps.`. Derived from settings, never from tool arguments.
 */
export function platformBase(ctx: ToolContext): string {
  const configured = ctx.settings.PLATFORM_URL?.replace(/\/+$/, '');
  const url = configured ?? derivePlatformUrl(ctx.baseUrl);
  if (!url) {
    throw new Refusal(`the platform (apps) URL of this Dynatrace environment is unknown: the server's URL (${ctx.baseUrl ?? 'unset'}) has no ".live." to turn into ".apps."; `
      + `set ${environmentPrefix(ctx.serverName)}_PLATFORM_URL (e.g. https://<environment-id>.apps.dynatrace.com). Dynatrace Managed has no platform: use a classic access token there`);
  }
  return url;
}
