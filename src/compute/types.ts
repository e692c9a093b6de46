import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { McpServerFleet } from '../fleet';
import type { FunctionAlarmThresholds } from '../observability/alarm-thresholds';

/** A credential of a server, resolved for a compute. */
export interface FleetServerCredentialConfig {
  /**
   * The variable the runtime reads the credential from, e.g. `GITLAB_TOKEN`. A Lambda compute sets
   * `<variableName>_SECRET_ARN` to the secret's ARN (`#<jsonField>` appended when set); a container
   * compute can inject the value itself as `<variableName>` (ECS secrets).
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

/** A server of the fleet, as a compute sees it: plain data, nothing to resolve. */
export interface FleetServerConfig {
  /** The server's name: its path segment, e.g. `gitlab`. */
  readonly name: string;

  /** The backend kind, e.g. `gitlab`; differs from the name when several servers share a kind. */
  readonly kind: string;

  /** The prefix of the server's variables, e.g. `GITLAB` or `GL_INTERNAL`. */
  readonly environmentPrefix: string;

  /** The server's non-secret variables, prefixed (`GITLAB_API_URL`, `GITLAB_ALLOW_WRITES`). */
  readonly environment: { [key: string]: string };

  /** The credentials the server reads at run time. */
  readonly credentials: FleetServerCredentialConfig[];
}

/** What a compute built for one server. */
export interface FleetServerResources {
  /** The server's name. */
  readonly serverName: string;

  /** The URL an MCP client connects to (Streamable HTTP), e.g. `https://<api>/production/gitlab/mcp`. */
  readonly endpointUrl: string;

  /**
   * The Lambda function answering this server's requests (shared by every server in a multi-server topology).
   *
   * @default - not served by a Lambda function
   */
  readonly lambdaFunction?: lambda.IFunction;

  /**
   * The log group the server's runtime writes to.
   *
   * @default - no log group known
   */
  readonly logGroup?: logs.ILogGroup;
}

/** Metrics of the API in front of the fleet, for the dashboard. */
export interface FleetApiMetrics {
  /** Requests answered with a 4XX status. */
  readonly clientErrors: cloudwatch.IMetric;

  /** Requests answered with a 5XX status. */
  readonly serverErrors: cloudwatch.IMetric;

  /** Time from request to response, as the API measures it. */
  readonly latency: cloudwatch.IMetric;

  /**
   * Number of requests.
   *
   * @default - not shown
   */
  readonly requests?: cloudwatch.IMetric;
}

/** What a compute hands back to the fleet. */
export interface FleetComputeBinding {
  /** One entry per server, in the order the servers were given. */
  readonly servers: FleetServerResources[];

  /**
   * The id of the API in front of the servers.
   *
   * @default - no API id output
   */
  readonly apiId?: string;

  /**
   * The base URL of that API (the servers' endpoints sit below it).
   *
   * @default - none
   */
  readonly apiUrl?: string;

  /**
   * Metrics of the API, added to the fleet's dashboard.
   *
   * @default - the dashboard shows function metrics only
   */
  readonly apiMetrics?: FleetApiMetrics;

  /**
   * Thresholds of the alarms on each function.
   *
   * @default - errors > 5, average duration > 25 s, throttles >= 1
   */
  readonly alarmThresholds?: FunctionAlarmThresholds;
}

/**
 * How a fleet's servers run: the pluggable topology.
 *
 * Use the built-in topologies through `FleetCompute` or implement this interface for one of your
 * own. `bind` is called once, from the fleet's constructor, and creates its resources in the
 * fleet's scope; the fleet then adds what every topology shares (tags, alarms, dashboard, outputs).
 */
export interface IFleetCompute {
  /**
   * Builds the resources that serve `servers`.
   *
   * Read `fleet.environment`, `fleet.allowedOrigins` and `fleet.logRetention` for the shared
   * settings, and call `fleet.grantSecretsRead(principal, serverName)` so each principal reads only
   * its servers' secrets.
   *
   * @param fleet the fleet being built; create constructs in its scope
   * @param servers the fleet's servers, validated and resolved
   */
  bind(fleet: McpServerFleet, servers: FleetServerConfig[]): FleetComputeBinding;
}
