/**
 * `defineBackend`: a backend's contract (from `src/contract/backends.ts`), its tools, its
 * authentication and its failure wording, joined into what the runtime hosts. The tools must be
 * exactly the contract's, with the same read/write split, so the constructs can check tool names
 * (`allowTools`/`denyTools`) without importing the runtime.
 */
import type { UpstreamAuth } from './auth';
import type { BackendContract } from '../../src/contract';
import type { BackendDefinition, Credentials, ToolDefinition, UpstreamFailure } from '../core/types';

export interface BackendParts {
  readonly tools: readonly ToolDefinition[];
  readonly auth: UpstreamAuth;
  /** From `describeFailures({...})`. */
  readonly describeFailure: (failure: UpstreamFailure) => string;
  /** Non-secret facts derived from the credentials, which tools read with `ctx.traits()` (e.g. Dynatrace's token kind). */
  readonly traits?: (credentials: Credentials) => Readonly<Record<string, string>>;
}

/** Where the tools and the contract differ (`[]` when they agree). */
export function contractMismatches(contract: BackendContract, tools: readonly ToolDefinition[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.name)) problems.push(`tool ${t.name} is defined twice`);
    seen.add(t.name);
    const listed = t.mutating ? contract.tools.write : contract.tools.read;
    if (!listed.includes(t.name)) problems.push(`${t.mutating ? 'write' : 'read'} tool ${t.name} is not in the contract's ${t.mutating ? 'write' : 'read'} list`);
  }
  for (const name of [...contract.tools.read, ...contract.tools.write]) {
    if (!seen.has(name)) problems.push(`contract tool ${name} has no definition`);
  }
  for (const gate of contract.toolGates ?? []) {
    if (!(contract.settings ?? []).some((x) => x.env === gate.setting)) problems.push(`tool gate ${gate.setting} is not one of the contract's settings`);
    for (const name of gate.tools) {
      if (!contract.tools.write.includes(name)) problems.push(`gated tool ${name} is not in the contract's write list`);
    }
  }
  return problems;
}

/**
 * The runtime's definition of a backend.
 *
 * @example
 * export const pagerduty = defineBackend(PAGERDUTY_BACKEND, {
 *   tools: [...incidentTools, ...oncallTools],
 *   auth: auth.template('Authorization', 'Token token={TOKEN}'),
 *   describeFailure: describeFailures({ displayName: 'PagerDuty', hints: PAGERDUTY_HINTS }),
 * });
 */
export function defineBackend(contract: BackendContract, parts: BackendParts): BackendDefinition {
  const problems = contractMismatches(contract, parts.tools);
  if (problems.length > 0) throw new Error(`backend ${contract.kind} does not match its contract (src/contract/backends.ts): ${problems.join('; ')}`);
  const { auth } = parts;
  return {
    kind: contract.kind,
    displayName: contract.displayName,
    urlEnv: contract.urlEnv,
    defaultUrl: contract.defaultUrl,
    credentials: contract.credentials,
    tools: parts.tools,
    authHeaders: (credentials, context) => auth.headers(credentials, context),
    ...(auth.onUnauthorized ? { onUnauthorized: (credentials) => auth.onUnauthorized!(credentials) } : {}),
    settings: contract.settings ?? [],
    describeFailure: parts.describeFailure,
    ...(parts.traits ? { traits: parts.traits } : {}),
  };
}
