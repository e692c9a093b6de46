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
import type { ServerSpec } from './servers/common';
import { CustomServerOptions, validateCustomServer } from './servers/custom';
import { DynatraceServerOptions, dynatraceSpec } from './servers/dynatrace';
import { GitLabServerOptions, gitlabSpec } from './servers/gitlab';
import { PagerDutyServerOptions, pagerdutySpec } from './servers/pagerduty';
import { ServiceNowServerOptions, servicenowSpec } from './servers/servicenow';
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

  /**
   * An MCP server of your own: a container image (the Fargate topologies run it as its own service
   * behind its own target group) or Lambda code (`lambdaPerServer()` runs it as its own function
   * behind the REST API). The multi-server topologies run the bundled runtime only and refuse it.
   *
   * The fleet routes `/<name>` and `/<name>/*` to it unchanged (the load balancer and API Gateway do
   * not strip the prefix, so it answers MCP at `/<name>/mcp`, and on Fargate its health check at
   * `healthCheckPath`), gives it `SERVER_NAME`, `ENVIRONMENT`, `LOG_LEVEL`, the `AUTH_*` variables
   * and its own variables and credentials, grants its role exactly its secrets, and monitors it.
   * Behind a front door that does not authenticate (`FleetAuth.oauth()` or `none()`), checking the
   * caller is the server's own job (`AUTH_ISSUER`, `AUTH_AUDIENCE` tell it what to accept).
   *
   * @param options the name, the artifact, its variables and credentials
   */
  public static custom(options: CustomServerOptions): McpServer {
    validateServerName(options.name);
    validateCustomServer(options);
    return new McpServer(undefined, options);
  }

  /** The server's name: its path segment and the prefix of its environment variables. */
  public readonly name: string;

  /** The backend kind, e.g. `gitlab` (`custom` for a server of your own). */
  public readonly kind: string;

  private readonly spec?: ServerSpec;
  private readonly customOptions?: CustomServerOptions;

  private constructor(spec: ServerSpec | undefined, custom?: CustomServerOptions) {
    this.spec = spec;
    this.customOptions = custom;
    this.name = spec?.name ?? custom!.name;
    validateServerName(this.name);
    this.kind = spec?.contract.kind ?? 'custom';
  }

  /**
   * Describes the server for a compute; imports secrets named by ARN into `scope`.
   *
   * @internal
   */
  public _bind(scope: Construct): FleetServerDescription {
    if (this.customOptions) return this.bindCustom(scope, this.customOptions);
    const spec = this.spec!;
    const prefix = environmentPrefix(this.name);
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(spec.settings)) {
      if (value !== undefined) variables[`${prefix}_${key}`] = value;
    }
    if (spec.allowWrites) variables[`${prefix}${ALLOW_WRITES_SUFFIX}`] = 'true';
    if (spec.allowTools) variables[`${prefix}${TOOLS_ALLOW_SUFFIX}`] = renderToolList(spec.allowTools);
    if (spec.denyTools && spec.denyTools.length > 0) {
      variables[`${prefix}${TOOLS_DENY_SUFFIX}`] = renderToolList(spec.denyTools);
    }
    const credentials: FleetServerCredential[] = [];
    for (const [key, credential] of Object.entries(spec.credentials)) {
      if (!credential) continue;
      const secret = credential._bind(scope, `${this.name}-${key}-secret`);
      credentials.push({ variableName: `${prefix}_${key}`, secret, jsonField: credential.jsonField });
    }
    return { name: this.name, kind: this.kind, variablePrefix: prefix, variables, credentials };
  }

  private bindCustom(scope: Construct, options: CustomServerOptions): FleetServerDescription {
    const credentials: FleetServerCredential[] = Object.entries(options.credentials ?? {}).map(([name, credential]) => ({
      variableName: name,
      secret: credential._bind(scope, `${this.name}-${name}-secret`),
      jsonField: credential.jsonField,
    }));
    return {
      name: this.name,
      kind: this.kind,
      variablePrefix: environmentPrefix(this.name),
      variables: { ...options.variables },
      credentials,
      custom: {
        artifact: options.artifact,
        containerPort: options.containerPort ?? 8080,
        healthCheckPath: options.healthCheckPath ?? '/health',
      },
    };
  }
}
