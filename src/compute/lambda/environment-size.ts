/**
 * Lambda's 4 KB limit on a function's environment, checked at synthesis with unresolved values
 * counted at their real length.
 */
import { Token, Tokenization } from 'aws-cdk-lib';

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
