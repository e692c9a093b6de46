import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FleetServerConfig, FleetServerCredentialConfig } from './compute/compute';
import { ALLOW_WRITES_SUFFIX, GITLAB_BACKEND, GITLAB_DEFAULT_API_URL, checkUpstreamUrl, environmentPrefix } from './contract';
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
}

/** What a server kind needs to render its configuration. */
interface ServerSpec {
  readonly name: string;
  readonly kind: string;
  /** Non-secret settings, unprefixed (`API_URL`). */
  readonly settings: Record<string, string>;
  /** Credentials by their unprefixed variable (`TOKEN`). */
  readonly credentials: Record<string, ServerCredential | undefined>;
  readonly allowWrites: boolean;
}

/**
 * An MCP server of the fleet: which backend it talks to and how.
 *
 * Each factory is named after the backend (lowercase). Only GitLab's
 * runtime exists today; the others follow as their backends are written.
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
    const apiUrl = options.apiUrl ?? McpServer.GITLAB_DEFAULT_API_URL;
    validateHttpUrl('apiUrl', apiUrl);
    // Variable names from the contract, which the runtime's GitLab definition reads too.
    const [token] = GITLAB_BACKEND.credentials;
    return new McpServer({
      name: options.name ?? GITLAB_BACKEND.kind,
      kind: GITLAB_BACKEND.kind,
      settings: { [GITLAB_BACKEND.urlEnv]: apiUrl },
      credentials: { [token.env]: options.token },
      allowWrites: options.allowWrites ?? false,
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
    this.kind = spec.kind;
  }

  /**
   * Renders the plain description a compute builds from; imports secrets named by ARN into `scope`.
   *
   * @internal
   */
  public _render(scope: Construct): FleetServerConfig {
    const prefix = environmentPrefix(this.name);
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.spec.settings)) {
      environment[`${prefix}_${key}`] = value;
    }
    if (this.spec.allowWrites) environment[`${prefix}${ALLOW_WRITES_SUFFIX}`] = 'true';
    const credentials: FleetServerCredentialConfig[] = [];
    for (const [key, credential] of Object.entries(this.spec.credentials)) {
      if (!credential) continue;
      const secret = credential._bind(scope, `${this.name}-${key}-secret`);
      credentials.push({ variableName: `${prefix}_${key}`, secret, jsonField: credential.jsonField });
    }
    return { name: this.name, kind: this.kind, environmentPrefix: prefix, environment, credentials };
  }
}

function validateHttpUrl(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  // The runtime refuses the same URLs (one check, in the contract); the message quotes the value
  // without userinfo, query or fragment, and a user:password would also sit in plain text in the template.
  const problem = checkUpstreamUrl(value);
  if (problem?.kind === 'credentials') {
    throw new Error(`\`${prop}\` ${problem.message}: give the token as a ServerCredential (\`token\`)`);
  }
  if (problem) throw new Error(`\`${prop}\` ${problem.message}`);
}
