import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ServerArtifact } from './artifact';
import type { RuntimeEnvironment, RuntimeEnvironmentOptions } from './runtime-environment';
import type { FleetAuthConfig } from '../auth/fleet-auth';
import type { IFleetMonitoring } from '../observability/monitoring';

/** A credential of a server, resolved for a compute. */
export interface FleetServerCredential {
  /**
   * The variable the runtime reads the credential from, e.g. `GITLAB_TOKEN`. In ARN mode a compute
   * sets `<variableName>_SECRET_ARN` to the secret's ARN (`#<jsonField>` appended when set); a
   * container compute can instead have ECS inject the value as `<variableName>` itself.
   */
  readonly variableName: string;

  /** The secret holding the credential. */
  readonly secret: secretsmanager.ISecret;

  /**
   * The field of a JSON secret that holds the credential.
   *
   * @default - the secret is the bare value
   */
  readonly jsonField?: string;
}

/** What a custom server runs and where it listens. */
export interface CustomServerDescription {
  /** What runs: a container image or Lambda code. */
  readonly artifact: ServerArtifact;

  /** The port a container listens on. */
  readonly containerPort: number;

  /** The path the load balancer health-checks. */
  readonly healthCheckPath: string;
}

/** A server of the fleet, as a compute sees it: plain data, nothing to resolve. */
export interface FleetServerDescription {
  /** The server's name: its path segment, e.g. `gitlab`. */
  readonly name: string;

  /** The backend kind, e.g. `gitlab`; differs from the name when several servers share a kind. */
  readonly kind: string;

  /** The prefix of the server's variables, e.g. `GITLAB` or `GL_INTERNAL`. */
  readonly variablePrefix: string;

  /** The server's non-secret variables, prefixed (`GITLAB_API_URL`, `GITLAB_ALLOW_WRITES`, `GITLAB_TOOLS_ALLOW`). */
  readonly variables: { [key: string]: string };

  /** The credentials the server reads at run time. */
  readonly credentials: FleetServerCredential[];

  /**
   * Set for a custom server (`McpServer.custom`): it runs its own artifact, not the bundled runtime.
   * A compute that cannot run it must refuse it, naming the server.
   *
   * @default - a server of the bundled runtime
   */
  readonly custom?: CustomServerDescription;
}

/** Where a compute serves one server. */
export interface FleetServerEndpoint {
  /** The server's name. */
  readonly name: string;

  /** The URL an MCP client connects to (Streamable HTTP), e.g. `https://<api>/production/gitlab/mcp`. */
  readonly endpointUrl: string;

  /**
   * The log group the server's runtime writes to.
   *
   * @default - no log group known
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * The `execute-api` ARNs of the server's MCP routes, which `fleet.grantInvoke(...)` grants
   * `execute-api:Invoke` on (under `FleetAuth.iam()`).
   *
   * @default - none: the front door is not an API Gateway API
   */
  readonly invokeArns?: string[];
}

/** A stack output a compute asks the fleet for; the fleet prefixes its export name. */
export interface FleetOutput {
  /** The output's id, unique in the fleet, e.g. `gitlab-FunctionArn`. */
  readonly id: string;

  /** The value. */
  readonly value: string;

  /** What the value is, e.g. `Lambda function ARN of MCP server gitlab`. */
  readonly description: string;

  /** The end of the export name, after the fleet's unique prefix, e.g. `gitlab-function-arn`. */
  readonly exportSuffix: string;
}

/** What a compute hands back to the fleet. */
export interface FleetComputeBinding {
  /** One entry per server, in the order the servers were given. */
  readonly servers: FleetServerEndpoint[];

  /**
   * What the compute monitors: its alarms (the fleet adds the alarm topic to each) and its
   * dashboard widgets (the fleet's dashboard shows them in this order). Empty for none.
   */
  readonly monitoring: IFleetMonitoring[];

  /**
   * Outputs beyond each server's endpoint and log group (which the fleet adds itself).
   *
   * @default - none
   */
  readonly outputs?: FleetOutput[];
}

/**
 * What a compute may know of the fleet it serves: its shared settings, the scope to build in, and
 * the two things only the fleet can do (grant its servers' secrets, render the runtime's variables).
 */
export interface IFleetContext {
  /** Where the compute creates its constructs (the fleet: its tags apply to them). */
  readonly scope: Construct;

  /** The environment: `development`, `staging` or `production`. */
  readonly environment: string;

  /** Origins allowed cross-origin (empty: none). */
  readonly allowedOrigins: string[];

  /** Retention for every log group the compute creates. */
  readonly logRetention: logs.RetentionDays;

  /**
   * How callers authenticate: each front door binds it (an authorizer, API keys, IAM, or the
   * runtime's own check through the `AUTH_*` variables `renderRuntimeEnvironment` adds). A compute
   * must refuse a mode its front door cannot enforce rather than leave the servers open.
   */
  readonly auth: FleetAuthConfig;

  /**
   * Lets a principal read the secrets of one server, or of every server: only
   * `secretsmanager:GetSecretValue` on exactly those secrets (plus `kms:Decrypt` through Secrets
   * Manager for a customer managed key).
   *
   * @param grantee the principal
   * @param serverName the server whose secrets to grant; all servers when omitted
   */
  grantSecretsRead(grantee: iam.IGrantable, serverName?: string): iam.Grant;

  /**
   * The runtime's variables for a process hosting `servers`: the shared ones (`ENVIRONMENT`,
   * `ALLOWED_ORIGINS`, `LOG_LEVEL`...), `SERVER_NAME`/`SERVER_KIND` or `MCP_SERVERS`, each server's
   * settings and its credentials (as `<VAR>_SECRET_ARN` references, or as ECS secrets to inject).
   *
   * @param servers the servers the process hosts
   * @param options how to render them
   */
  renderRuntimeEnvironment(servers: FleetServerDescription[], options?: RuntimeEnvironmentOptions): RuntimeEnvironment;
}

/**
 * How a fleet's servers run: the pluggable topology.
 *
 * Use the built-in topologies through `FleetCompute` or implement this interface for one of your
 * own. `bind` is called once, from the fleet's constructor; it creates its resources in
 * `fleet.scope` and returns the endpoints, its monitoring segments and its outputs. The fleet then
 * adds what every topology shares (tags, the alarm topic on every alarm, the dashboard, outputs).
 */
export interface IFleetCompute {
  /**
   * Builds the resources that serve `servers`.
   *
   * Call `fleet.grantSecretsRead(principal, serverName)` so each principal reads only its servers'
   * secrets, and `fleet.renderRuntimeEnvironment(servers)` for the runtime's variables.
   *
   * @param fleet the fleet's shared settings and services
   * @param servers the fleet's servers, validated and resolved
   */
  bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding;
}
