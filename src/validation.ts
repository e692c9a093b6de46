import { Duration, Token, Tokenization } from 'aws-cdk-lib';
import { RESERVED_SERVER_NAMES, SERVER_NAME_PATTERN } from './contract';

/** The environments a fleet can be deployed as. */
export const FLEET_ENVIRONMENTS = ['development', 'staging', 'production'];

/** Log levels the runtime understands. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

/** Lambda's limit on the size of a function's environment variables (measured as compact JSON). */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** What an unresolved token (a secret ARN, a URL from a parameter) is assumed to take. */
export const TOKEN_SIZE_ESTIMATE = 100;

/** Pseudo parameters (the pieces of ARNs built by `formatArn`) at their longest real length. */
const PSEUDO_PARAMETER_SIZES: Record<string, number> = {
  'AWS.Partition': 10,
  'AWS.Region': 14,
  'AWS.AccountId': 12,
  'AWS.URLSuffix': 13,
};

function tokenSizeEstimate(token: string): number {
  const name = /^\$\{Token\[(.+)\.\d+\]\}$/.exec(token)?.[1];
  return (name !== undefined ? PSEUDO_PARAMETER_SIZES[name] : undefined) ?? TOKEN_SIZE_ESTIMATE;
}

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

/**
 * The size Lambda counts for an environment: the variables as compact JSON (`{"KEY":"value",...}`),
 * which is what Lambda measures against its 4 KB limit (its error quotes the "String measured"). Unresolved
 * tokens count as their real value would: pseudo parameters (partition, region, account) at their
 * longest, any other token (a secret's ARN, a URL from a parameter) as {@link TOKEN_SIZE_ESTIMATE}
 * bytes, about the length of a secret ARN.
 */
export function estimateEnvironmentSize(environment: Record<string, string>): number {
  const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');
  const entries = Object.entries(environment);
  let size = 2 + Math.max(0, entries.length - 1); // the braces and the commas
  for (const [key, value] of entries) {
    size += jsonBytes(key) + 1; // "KEY":
    if (!Token.isUnresolved(value)) {
      size += jsonBytes(value);
      continue;
    }
    const estimate = Tokenization.reverseString(value)
      .mapTokens({ mapToken: (token) => 'x'.repeat(tokenSizeEstimate(token.toString())) })
      .join({ join: (left: unknown, right: unknown) => `${left ?? ''}${right ?? ''}` });
    size += jsonBytes(String(estimate ?? ''));
  }
  return size;
}

/** Throws when an environment would not fit Lambda's 4 KB limit. */
export function validateEnvironmentSize(fleetPath: string, functionDescription: string, environment: Record<string, string>): void {
  const size = estimateEnvironmentSize(environment);
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new Error(`McpServerFleet ${fleetPath}: the environment of ${functionDescription} is about ${size} bytes, over Lambda's `
      + `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit (values known only at deployment, such as secret ARNs, estimated at their real length). `
      + 'Host fewer servers per function: split the fleet over several McpServerFleets (in separate stacks), '
      + 'or use FleetCompute.lambdaPerServer(), where each function carries only its own server\'s variables.');
  }
}
