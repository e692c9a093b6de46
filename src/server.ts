import { Construct } from 'constructs';
import { FleetServerCredential, FleetServerDescription } from './compute/types';
import {
  ALLOW_WRITES_SUFFIX,
  GITLAB_DEFAULT_API_URL,
  PAGERDUTY_DEFAULT_API_URL,
  TOOLS_ALLOW_SUFFIX,
  TOOLS_DENY_SUFFIX,
  environmentPrefix,
  renderToolList,
} from './contract';
import { AtlassianServerOptions, atlassianSpec } from './servers/atlassian';
import { DynatraceServerOptions, dynatraceSpec } from './servers/dynatrace';
import { GitLabServerOptions, gitlabSpec } from './servers/gitlab';
import { PagerDutyServerOptions, pagerdutySpec } from './servers/pagerduty';
import { ServiceNowServerOptions, servicenowSpec } from './servers/servicenow';
import type { ServerSpec } from './servers/common';
import { validateServerName } from './validation';


/**
 * An MCP server of the fleet: which backend it talks to and how.
 *
 * Each factory is named after the backend (lowercase) and validates its props; the server's name
 * defaults to the backend kind. Credentials come from Secrets Manager (`ServerCredential`);
 * write tools are off unless `allowWrites` is set.
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

  /** The default PagerDuty REST API base URL. */
  public static readonly PAGERDUTY_DEFAULT_API_URL = PAGERDUTY_DEFAULT_API_URL;

  /**
   * A GitLab MCP server (projects, issues, merge requests and their discussions, pipelines, jobs,
   * repository files, commits, deployments...).
   *
   * @param options where GitLab is and how to authenticate
   */
  public static gitlab(options: GitLabServerOptions = {}): McpServer {
    return new McpServer(gitlabSpec(options));
  }

  /**
   * An Atlassian MCP server: Jira Cloud (issues, JQL search, comments, transitions) and
   * Confluence Cloud (pages, CQL search) of one site.
   *
   * @param options the site, the account's email and API token, and the projects and spaces it may use
   */
  public static atlassian(options: AtlassianServerOptions): McpServer {
    return new McpServer(atlassianSpec(options));
  }

  /**
   * A PagerDuty MCP server (incidents, their timeline, on-call, services, schedules, change events).
   *
   * @param options the REST API key and the user write tools act as
   */
  public static pagerduty(options: PagerDutyServerOptions): McpServer {
    return new McpServer(pagerdutySpec(options));
  }

  /**
   * A Dynatrace MCP server (problems, entities, metrics, events, logs; DQL on Grail with a platform token).
   *
   * @param options the environment and its token
   */
  public static dynatrace(options: DynatraceServerOptions): McpServer {
    return new McpServer(dynatraceSpec(options));
  }

  /**
   * A ServiceNow MCP server (incidents, changes, problems, CMDB, knowledge, the Table API).
   *
   * @param options the instance and its integration user or OAuth client
   */
  public static servicenow(options: ServiceNowServerOptions): McpServer {
    return new McpServer(servicenowSpec(options));
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
      if (value !== undefined) variables[`${prefix}_${key}`] = value;
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
