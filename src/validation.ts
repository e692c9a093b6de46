/** Checks of props shared by every construct: each message names the prop and the value it got. */
import { Duration, Token } from 'aws-cdk-lib';
import { RESERVED_SERVER_NAMES, SERVER_NAME_PATTERN } from './contract';

/** The environments a fleet can be deployed as. */
export const FLEET_ENVIRONMENTS = ['development', 'staging', 'production'];

/** Log levels the runtime understands. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export function validateServerName(name: string): void {
  if (Token.isUnresolved(name)) {
    throw new Error('`name` of a server must be a literal string: it becomes a path segment and part of resource names');
  }
  if (!SERVER_NAME_PATTERN.test(name)) {
    throw new Error('`name` of a server must be lowercase letters, digits and hyphens, start with a letter and be at most 63 characters, '
      + `got: ${JSON.stringify(name)}`);
  }
  if (RESERVED_SERVER_NAMES.includes(name)) {
    throw new Error(`\`name\` of a server cannot be ${JSON.stringify(name)}: /${name} is a route of the runtime itself`);
  }
}


export function validateEnvironment(environment: string): void {
  if (Token.isUnresolved(environment)) return;
  if (!FLEET_ENVIRONMENTS.includes(environment)) {
    throw new Error(`\`environment\` must be one of ${FLEET_ENVIRONMENTS.join(', ')}, got: ${JSON.stringify(environment)}`);
  }
}

export function validateRange(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`\`${prop}\` must be between ${min} and ${max}, got: ${value}`);
  }
}

export function validateInteger(prop: string, value: number | undefined, min: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`\`${prop}\` must be an integer of at least ${min}, got: ${value}`);
  }
}

export function validateTimeout(timeout: Duration, maxSeconds: number, behind: string): void {
  if (timeout.isUnresolved()) return;
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) {
    throw new Error(`\`timeout\` must be a whole number of seconds (Lambda counts in seconds), got: ${seconds} seconds`);
  }
  if (seconds < 1 || seconds > maxSeconds) {
    throw new Error(`\`timeout\` must be between 1 and ${maxSeconds} seconds behind ${behind} (its integration timeout), got: ${seconds} seconds`);
  }
}

export function validateLogLevel(level: string): void {
  if (Token.isUnresolved(level)) return;
  if (!LOG_LEVELS.includes(level.toLowerCase())) {
    throw new Error(`\`logLevel\` must be one of ${LOG_LEVELS.join(', ')}, got: ${JSON.stringify(level)}`);
  }
}

export function validateOrigins(origins: string[]): void {
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    if (origin === '*') continue;
    if (!/^https?:\/\/[^/\s,]+$/.test(origin)) {
      throw new Error('`allowedOrigins` entries must be `*` or an origin such as https://app.example.com '
        + `(scheme, host and optional port; no path, no trailing slash), got: ${JSON.stringify(origin)}`);
    }
  }
}
