/** What the rotation function's parts share: its settings, the rotator contract, errors and logs. */

export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

export interface RotationSettings {
  /** The backend (`ROTATION_KIND`). */
  readonly kind: string;
  /** The backend's API URL without a trailing slash (`ROTATION_API_URL`), e.g. `https://gitlab.com/api/v4`. */
  readonly apiUrl: string;
  /** The JSON field servers read (`ROTATION_TOKEN_FIELD`, default `token`); `''` for a secret that is the bare token. */
  readonly tokenField: string;
  /** The JSON field of the second, standby token (`ROTATION_STANDBY_FIELD`, default `standbyToken`). */
  readonly standbyField: string;
  /** How long a new token lives (`ROTATION_TOKEN_LIFETIME_DAYS`, default 90). */
  readonly lifetimeDays: number;
  /** The ECS service redeployed after finishSecret (`ROTATION_ECS_CLUSTER`, `ROTATION_ECS_SERVICE`). */
  readonly ecs?: { readonly cluster: string; readonly service: string };
}

/** One backend's part of the rotation; values are the secret's whole SecretString. */
export interface Rotator {
  /** What to do when a token was made but could not be stored (it is lost). */
  readonly lostTokenAdvice: string;
  /** Makes a new token from the current value; answers the pending value. */
  create(current: string): Promise<string>;
  /** Throws when the pending value is not one this rotator wrote (a value without its token field...). */
  check(pending: string): void;
  /** Throws unless the backend accepts the pending value's token. */
  test(pending: string): Promise<void>;
  /** After AWSCURRENT moved (and when finishSecret runs again): retires the previous value's token, if the backend needs that. */
  finish?(previous: string, current: string): Promise<void>;
}

/** One JSON line, the shape Lambda's JSON log format and the runtime's logger use; never a secret value. */
export function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level: level.toUpperCase(), message, service: 'mcp-secret-rotation', timestamp: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** The answer's text cut to a sentence's worth (error bodies are quoted, never a token: none is in them). */
export async function briefBody(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/**
 * The token in a secret's value: the bare value when `field` is undefined, else that field of its
 * JSON (with the JSON, for writing the other fields back). `which` names the version in messages.
 */
export function tokenOfSecret(raw: string, field: string | undefined, which: string): { json?: Record<string, unknown>; token: string } {
  if (!field) return { token: raw.trim() };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new RotationError(`the ${which} value of the secret is not JSON, so its field "${field}" (ROTATION_TOKEN_FIELD) cannot be read`);
  }
  const obj = (json && typeof json === 'object' && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const token = obj[field];
  if (typeof token !== 'string' || token.trim() === '') throw new RotationError(`the ${which} value of the secret has no non-empty string field "${field}" (ROTATION_TOKEN_FIELD)`);
  return { json: obj, token: token.trim() };
}
