import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FleetServerCredential, FleetServerDescription } from './compute/types';
import {
  ALLOW_WRITES_SUFFIX,
  BackendContract,
  GITLAB_BACKEND,
  GITLAB_DEFAULT_API_URL,
  TOOLS_ALLOW_SUFFIX,
  TOOLS_DENY_SUFFIX,
  checkUpstreamUrl,
  environmentPrefix,
  renderToolList,
  toolNames,
} from './contract';
import { ServerCredential } from './credential';
import { validateServerName } from './validation';

/** Options of a GitLab MCP server. */
export interface GitLabServerOptions {
  /**
   * The server's name: its path segment (`/<name>/mcp`) and part of resource names and
   * environment variables (`gl-internal` reads `GL_INTERNAL_API_URL`). Lowercase letters, digits
   * and hyphens, starting with a letter, at most 63 characters, unique in the fleet.
   *
   * @default 'gitlab'
   */
  readonly name?: string;

  /**
   * The GitLab REST API base URL (GitLab.com or a self-managed instance, ending in `/api/v4`).
   *
   * @default 'https://gitlab.com/api/v4'
   */
  readonly apiUrl?: string;

  /**
   * The personal, project or group access token the server calls GitLab with.
   *
   * @default - no token: anonymous calls, which can read public projects only
   */
  readonly token?: ServerCredential;

  /**
   * Registers the tools that change GitLab (create issues, comment on issues and merge requests).
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
interface ServerSpec {
  readonly name: string;
  readonly contract: BackendContract;
  /** Non-secret settings, unprefixed (`API_URL`). */
  readonly settings: Record<string, string>;
  /** Credentials by their unprefixed variable (`TOKEN`). */
  readonly credentials: Record<string, ServerCredential | undefined>;
  readonly allowWrites: boolean;
  readonly allowTools?: string[];
  readonly denyTools?: string[];
}

/**
 * An MCP server of the fleet: which backend it talks to and how.
 *
 * Each factory is named after the backend (lowercase). Only GitLab's
 * runtime exists today; the others follow as their backends are written.
 *
 * @example
 * import { McpServer, ServerCredential } from 'mcp-server-fleet';
 *
 * declare const token: ServerCredential;
 *
 * // GitLab.com, read-only, without the job-log tool
 * const gitlab = McpServer.gitlab({ token, denyTools: ['get_job_log'] });
 * // a self-managed GitLab under its own name (`/gl-internal/mcp`), two tools, one of them a write
 * const internal = McpServer.gitlab({
 *   name: 'gl-internal',
 *   apiUrl: 'https://gitlab.internal.example.com/api/v4',
 *   token,
 *   allowWrites: true,
 *   allowTools: ['get_issue', 'create_issue_note'],
 * });
 */
export class McpServer {
  /** The default GitLab REST API base URL. */
  public static readonly GITLAB_DEFAULT_API_URL = GITLAB_DEFAULT_API_URL;

  /**
   * A GitLab MCP server (issues, merge requests, pipelines, repository files...).
   *
   * @param options where GitLab is and how to authenticate
   */
  public static gitlab(options: GitLabServerOptions = {}): McpServer {
    const contract = GITLAB_BACKEND;
    const apiUrl = options.apiUrl ?? contract.defaultUrl ?? McpServer.GITLAB_DEFAULT_API_URL;
    validateUpstreamUrl('apiUrl', apiUrl, 'token');
    const allowWrites = options.allowWrites ?? false;
    validateToolPolicy(contract, allowWrites, options.allowTools, options.denyTools);
    return new McpServer({
      name: options.name ?? contract.kind,
      contract,
      settings: { [contract.urlEnv]: apiUrl },
      credentials: { [contract.credentials[0].env]: options.token },
      allowWrites,
      allowTools: options.allowTools,
      denyTools: options.denyTools,
    });
  }

  /** The server's name: its path segment and the prefix of its environment variables. */
  public readonly name: string;

  /** The backend kind, e.g. `gitlab`. */
  public readonly kind: string;

  private readonly spec: ServerSpec;

  private constructor(spec: ServerSpec) {
    validateServerName(spec.name);
    this.spec = spec;
    this.name = spec.name;
    this.kind = spec.contract.kind;
  }

  /**
   * Describes the server for a compute; imports secrets named by ARN into `scope`.
   *
   * @internal
   */
  public _bind(scope: Construct): FleetServerDescription {
    const prefix = environmentPrefix(this.name);
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.spec.settings)) {
      variables[`${prefix}_${key}`] = value;
    }
    if (this.spec.allowWrites) variables[`${prefix}${ALLOW_WRITES_SUFFIX}`] = 'true';
    if (this.spec.allowTools) variables[`${prefix}${TOOLS_ALLOW_SUFFIX}`] = renderToolList(this.spec.allowTools);
    if (this.spec.denyTools && this.spec.denyTools.length > 0) {
      variables[`${prefix}${TOOLS_DENY_SUFFIX}`] = renderToolList(this.spec.denyTools);
    }
    const credentials: FleetServerCredential[] = [];
    for (const [key, credential] of Object.entries(this.spec.credentials)) {
      if (!credential) continue;
      const secret = credential._bind(scope, `${this.name}-${key}-secret`);
      credentials.push({ variableName: `${prefix}_${key}`, secret, jsonField: credential.jsonField });
    }
    return { name: this.name, kind: this.kind, variablePrefix: prefix, variables, credentials };
  }
}

/** The contract's URL check (the runtime applies the same one), quoting the value redacted. */
function validateUpstreamUrl(prop: string, value: string, credentialProp: string): void {
  if (Token.isUnresolved(value)) return;
  const problem = checkUpstreamUrl(value);
  if (!problem) return;
  // The runtime refuses these too; a user:password here would also sit in plain text in the template.
  const hint = problem.kind === 'credentials' ? `: give the token as a ServerCredential (\`${credentialProp}\`)` : '';
  throw new Error(`\`${prop}\` ${problem.message}${hint}`);
}

/** `allowTools` xor `denyTools`, each naming tools of the kind, and no write tool offered that writes would hide. */
function validateToolPolicy(contract: BackendContract, allowWrites: boolean, allowTools?: string[], denyTools?: string[]): void {
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
}
