/**
 * What every server factory shares: the options common to all kinds, the rendered spec a factory
 * returns (`McpServer` renders it into variables), and the checks each factory runs on its props.
 * Each kind's factory lives in its own file beside this one and names its variables from its
 * contract (`src/contract/kinds/<kind>.ts`), never as literals.
 */
import { Token } from 'aws-cdk-lib';
import { BackendContract, checkUpstreamUrl, renderList, toolNames } from '../contract';
import { ServerCredential } from '../credential';

/** Options every MCP server has, whatever its backend. */
export interface McpServerCommonOptions {
  /**
   * The server's name: its path segment (`/<name>/mcp`) and part of resource names and
   * environment variables (`gl-internal` reads `GL_INTERNAL_API_URL`). Lowercase letters, digits
   * and hyphens, starting with a letter, at most 63 characters, unique in the fleet.
   *
   * @default - the backend kind (`gitlab`, `atlassian`, `pagerduty`, `dynatrace`, `servicenow`)
   */
  readonly name?: string;

  /**
   * Registers the tools that change the backend (create, comment, acknowledge...).
   *
   * @default false - read-only tools only
   */
  readonly allowWrites?: boolean;

  /**
   * The only tools the server offers, by name (e.g. `['list_issues', 'get_issue']`); the write
   * switch still applies, so a write tool listed here needs `allowWrites`. Not together with
   * `denyTools`.
   *
   * @default - every tool (every read tool, and the write tools when `allowWrites` is set)
   */
  readonly allowTools?: string[];

  /**
   * Tools the server does not offer, by name (e.g. `['get_job_log']`). Not together with
   * `allowTools`.
   *
   * @default - none
   */
  readonly denyTools?: string[];
}

/** What a server kind needs to render its configuration. */
export interface ServerSpec {
  readonly name: string;
  readonly contract: BackendContract;
  /** Non-secret settings by their unprefixed variable (`API_URL`, `JIRA_PROJECTS`); undefined ones are left out. */
  readonly settings: Record<string, string | undefined>;
  /** Credentials by their unprefixed variable (`TOKEN`). */
  readonly credentials: Record<string, ServerCredential | undefined>;
  readonly allowWrites: boolean;
  readonly allowTools?: string[];
  readonly denyTools?: string[];
}

/**
 * The spec of a server of `contract` from its common options (validated), its URL setting and
 * the rest of its settings and credentials.
 */
export function serverSpec(
  contract: BackendContract,
  options: McpServerCommonOptions,
  settings: Record<string, string | undefined>,
  credentials: Record<string, ServerCredential | undefined>,
): ServerSpec {
  const allowWrites = options.allowWrites ?? false;
  validateToolPolicy(contract, allowWrites, options.allowTools, options.denyTools, settings);
  const known = [contract.urlEnv, ...(contract.settings ?? []).map((s) => s.env)];
  for (const key of Object.keys(settings)) {
    // A factory that renders a variable its contract does not declare would be read by nothing.
    if (!known.includes(key)) throw new Error(`${contract.displayName} has no setting ${key}; its settings: ${known.join(', ')}`);
  }
  for (const key of Object.keys(credentials)) {
    if (!contract.credentials.some((c) => c.env === key)) throw new Error(`${contract.displayName} has no credential ${key}`);
  }
  return {
    name: options.name ?? contract.kind,
    contract,
    settings,
    credentials,
    allowWrites,
    allowTools: options.allowTools,
    denyTools: options.denyTools,
  };
}

/** The contract's URL check (the runtime applies the same one), quoting the value redacted. */
export function validateUpstreamUrl(prop: string, value: string, credentialProp: string): void {
  if (Token.isUnresolved(value)) return;
  const problem = checkUpstreamUrl(value);
  if (!problem) return;
  // The runtime refuses these too; a user:password here would also sit in plain text in the template.
  const hint = problem.kind === 'credentials' ? `: give the credential as a ServerCredential (\`${credentialProp}\`)` : '';
  throw new Error(`\`${prop}\` ${problem.message}${hint}`);
}

/**
 * A list setting (`JIRA_PROJECTS`...): literal, non-empty, no duplicates, each entry matching
 * `pattern` (which `what` describes); rendered comma-separated, or undefined when not given.
 */
export function listSetting(prop: string, values: string[] | undefined, pattern: RegExp, what: string): string | undefined {
  if (values === undefined) return undefined;
  if (values.length === 0) {
    throw new Error(`\`${prop}\` must name at least one entry, got: [] (leave it out for no restriction)`);
  }
  const seen = new Set<string>();
  for (const value of values) {
    if (Token.isUnresolved(value)) throw new Error(`\`${prop}\` entries must be literal strings: the runtime matches them against every request`);
    if (!pattern.test(value)) throw new Error(`\`${prop}\` entries must be ${what}, got: ${JSON.stringify(value)}`);
    if (seen.has(value)) throw new Error(`\`${prop}\` names ${JSON.stringify(value)} twice`);
    seen.add(value);
  }
  return renderList(values);
}

/** `allowTools` xor `denyTools`, each naming tools of the kind, and no tool offered that writes or a closed tool gate would hide. */
function validateToolPolicy(
  contract: BackendContract, allowWrites: boolean, allowTools: string[] | undefined, denyTools: string[] | undefined,
  settings: Readonly<Record<string, string | undefined>>,
): void {
  if (allowTools !== undefined && denyTools !== undefined) {
    throw new Error('`allowTools` and `denyTools` are exclusive (one lists what the server offers, the other what it does not), got both: '
      + `allowTools ${JSON.stringify(allowTools)}, denyTools ${JSON.stringify(denyTools)}`);
  }
  const known = toolNames(contract);
  for (const [prop, list] of [['allowTools', allowTools], ['denyTools', denyTools]] as const) {
    if (list === undefined) continue;
    if (prop === 'allowTools' && list.length === 0) {
      throw new Error('`allowTools` must name at least one tool, got: [] (a server without tools answers nothing; leave it out for every tool)');
    }
    const seen = new Set<string>();
    for (const tool of list) {
      if (Token.isUnresolved(tool)) {
        throw new Error(`\`${prop}\` entries must be literal tool names: the construct checks them against ${contract.displayName}'s tools`);
      }
      if (!known.includes(tool)) {
        throw new Error(`\`${prop}\` names ${JSON.stringify(tool)}, which is not a ${contract.displayName} tool; its tools: ${known.join(', ')}`);
      }
      if (seen.has(tool)) throw new Error(`\`${prop}\` names ${JSON.stringify(tool)} twice`);
      seen.add(tool);
    }
  }
  const hiddenWrites = (allowTools ?? []).filter((tool) => contract.tools.write.includes(tool));
  if (!allowWrites && hiddenWrites.length > 0) {
    throw new Error(`\`allowTools\` names write tool(s) ${hiddenWrites.join(', ')}, which are registered only with \`allowWrites: true\``);
  }
  for (const gate of contract.toolGates ?? []) {
    const gated = (allowTools ?? []).filter((tool) => gate.tools.includes(tool));
    if (gated.length > 0 && settings[gate.setting] !== 'true') {
      throw new Error(`\`allowTools\` names ${gated.join(', ')}, which ${gated.length > 1 ? 'are' : 'is'} offered only with ${gate.option}`);
    }
  }
}
