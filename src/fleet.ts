import { ArnFormat, CfnOutput, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FleetComputeBinding, FleetServerConfig, FleetServerResources, IFleetCompute } from './compute/compute';
import { FleetCompute } from './compute/fleet-compute';
import { grantSecretValueRead } from './credential-grants';
import {
  FunctionAlarms,
  functionDurationMetric,
  functionErrorsMetric,
  functionThrottlesMetric,
} from './observability/alarms';
import { DashboardFunction, FleetDashboard } from './observability/dashboard';
import { McpServer } from './server';
import { validateEnvironment, validateOrigins } from './validation';

/** Properties of a fleet of MCP servers. */
export interface McpServerFleetProps {
  /**
   * The environment: `development`, `staging` or `production`. It names the REST API stage and is
   * the `Environment` tag and the runtime's `ENVIRONMENT`.
   */
  readonly environment: string;

  /** The servers of the fleet, e.g. `[McpServer.gitlab({ token })]`. Names must be unique. */
  readonly servers: McpServer[];

  /**
   * How the servers run.
   *
   * @default FleetCompute.lambdaPerServer()
   */
  readonly compute?: IFleetCompute;

  /**
   * Where the alarms send their ALARM and OK notifications.
   *
   * @default - an SNS topic is created, encrypted with a new customer managed KMS key (rotated
   * yearly; CloudWatch may use it to publish) and refusing publications without TLS
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Creates three alarms on every function: errors (Sum > 5 over 3 minutes), average duration (> 25 s over 3 minutes), throttles (>= 1 in a minute).
   *
   * @default true
   */
  readonly enableAlarms?: boolean;

  /**
   * Creates a CloudWatch dashboard of the fleet (when its compute has Lambda functions).
   *
   * @default true
   */
  readonly enableDashboard?: boolean;

  /**
   * Origins browsers may call the servers from, e.g. `['https://app.example.com']`, or `['*']`.
   * The runtime enforces the list (a request with any other `Origin` gets 403); API Gateway answers
   * CORS preflights for these origins when the list is not empty.
   *
   * @default - none: only non-browser clients and same-origin calls
   */
  readonly allowedOrigins?: string[];

  /**
   * Retention of the fleet's log groups (functions and API access logs).
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Tags of every resource of the fleet; they extend, and override, the defaults.
   *
   * @default - `Application=mcp-servers` and `Environment=<environment>`
   */
  readonly tags?: { [key: string]: string };
}

/**
 * A fleet of remote MCP servers: the servers, the compute that runs them, and what every
 * topology shares (tags, alarms, a dashboard, outputs).
 *
 * After construction, `servers` lists each server's endpoint URL, function and log group;
 * `endpointFor`, `functionFor`, `logGroupFor` and the `metric*` methods look one up by name.
 */
export class McpServerFleet extends Construct {
  /** The environment: `development`, `staging` or `production`. */
  public readonly environment: string;

  /** Origins allowed cross-origin (empty: none). */
  public readonly allowedOrigins: string[];

  /** Retention of the fleet's log groups. */
  public readonly logRetention: logs.RetentionDays;

  /** What was built for each server, in the order given. */
  public readonly servers: FleetServerResources[];

  /**
   * The id of the API in front of the servers.
   *
   * @default - the compute has no API
   */
  public readonly apiId?: string;

  /**
   * The base URL of the API in front of the servers.
   *
   * @default - the compute has no API
   */
  public readonly apiUrl?: string;

  /**
   * The topic the alarms notify: the `alarmTopic` prop, else the topic the fleet created.
   *
   * @default - the `alarmTopic` prop (undefined when none was given and no alarms were created)
   */
  public readonly alarmTopic?: sns.ITopic;

  /** The alarms of the fleet (three per function). */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * The fleet's dashboard.
   *
   * @default - none when disabled
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly serverConfigs: FleetServerConfig[];

  constructor(scope: Construct, id: string, props: McpServerFleetProps) {
    super(scope, id);
    validateEnvironment(props.environment);
    validateServers(props.servers);
    const origins = props.allowedOrigins ?? [];
    validateOrigins(origins);
    if (origins.includes('*') && origins.length > 1) {
      throw new Error(`\`allowedOrigins\` must be ['*'] alone or a list of origins, got: ${JSON.stringify(origins)}`);
    }

    this.environment = props.environment;
    this.allowedOrigins = [...origins];
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.serverConfigs = props.servers.map((server) => server._render(this));

    const compute = props.compute ?? FleetCompute.lambdaPerServer();
    const binding = compute.bind(this, this.serverConfigs);
    validateBinding(binding, this.serverConfigs);
    this.servers = binding.servers;
    this.apiId = binding.apiId;
    this.apiUrl = binding.apiUrl;

    const tags: Record<string, string> = { Application: 'mcp-servers', Environment: this.environment, ...props.tags };
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);

    const functions = this.distinctFunctions();
    this.alarms = [];
    if ((props.enableAlarms ?? true) && functions.length > 0) {
      this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic();
      for (const f of functions) {
        const alarms = new FunctionAlarms(this, `${f.id}Alarms`, {
          lambdaFunction: f.lambdaFunction,
          label: f.label,
          thresholds: binding.alarmThresholds,
          timeout: f.lambdaFunction instanceof lambda.Function ? f.lambdaFunction.timeout : undefined,
          topic: this.alarmTopic,
        });
        this.alarms.push(...alarms.all);
      }
    } else {
      this.alarmTopic = props.alarmTopic;
    }

    if ((props.enableDashboard ?? true) && functions.length > 0) {
      this.dashboard = new FleetDashboard(this, 'Dashboard', {
        functions: functions.map((f): DashboardFunction => ({ lambdaFunction: f.lambdaFunction, label: f.label })),
        apiMetrics: binding.apiMetrics,
      }).dashboard;
    }

    this.addOutputs();
  }

  /**
   * The URL an MCP client connects to for a server (Streamable HTTP, POST).
   *
   * @param serverName the server's name
   */
  public endpointFor(serverName: string): string {
    return this.resourcesFor(serverName).endpointUrl;
  }

  /**
   * The Lambda function serving a server (the shared one in a multi-server topology).
   *
   * @param serverName the server's name
   */
  public functionFor(serverName: string): lambda.IFunction {
    const fn = this.resourcesFor(serverName).lambdaFunction;
    if (!fn) throw new Error(`Server ${JSON.stringify(serverName)} of fleet ${this.node.path} is not served by a Lambda function`);
    return fn;
  }

  /**
   * The log group a server's runtime writes to.
   *
   * @param serverName the server's name
   */
  public logGroupFor(serverName: string): logs.ILogGroup {
    const logGroup = this.resourcesFor(serverName).logGroup;
    if (!logGroup) throw new Error(`Server ${JSON.stringify(serverName)} of fleet ${this.node.path} has no log group`);
    return logGroup;
  }

  /**
   * Errors of the function serving a server: what the errors alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Sum over 1 minute
   */
  public metricErrors(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionErrorsMetric(this.functionFor(serverName), props);
  }

  /**
   * Duration of the function serving a server: what the duration alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Average over 1 minute
   */
  public metricDuration(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionDurationMetric(this.functionFor(serverName), props);
  }

  /**
   * Throttles of the function serving a server: what the throttles alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Sum over 1 minute
   */
  public metricThrottles(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionThrottlesMetric(this.functionFor(serverName), props);
  }

  /**
   * Lets a principal read the secrets of one server, or of every server: only
   * `secretsmanager:GetSecretValue` on exactly those secrets, plus `kms:Decrypt` through Secrets
   * Manager for secrets encrypted with a customer managed key.
   *
   * @param grantee the principal
   * @param serverName the server whose secrets to grant; all servers when omitted
   */
  public grantSecretsRead(grantee: iam.IGrantable, serverName?: string): iam.Grant {
    const configs = serverName === undefined ? this.serverConfigs : [this.configFor(serverName)];
    let grant = iam.Grant.drop(grantee, 'read secrets of servers without credentials');
    for (const config of configs) {
      for (const credential of config.credentials) {
        grant = grant.combine(grantSecretValueRead(this, credential.secret, grantee));
      }
    }
    return grant;
  }

  private configFor(serverName: string): FleetServerConfig {
    const config = this.serverConfigs.find((c) => c.name === serverName);
    if (!config) throw unknownServer(this, serverName, this.serverConfigs.map((c) => c.name));
    return config;
  }

  private resourcesFor(serverName: string): FleetServerResources {
    const resources = this.servers.find((s) => s.serverName === serverName);
    if (!resources) throw unknownServer(this, serverName, this.servers.map((s) => s.serverName));
    return resources;
  }

  /** Each function once, with an id for its alarms and a label for the dashboard. */
  private distinctFunctions(): Array<{ id: string; label: string; lambdaFunction: lambda.IFunction }> {
    const byFunction = new Map<lambda.IFunction, string[]>();
    for (const server of this.servers) {
      if (!server.lambdaFunction) continue;
      const names = byFunction.get(server.lambdaFunction) ?? [];
      names.push(server.serverName);
      byFunction.set(server.lambdaFunction, names);
    }
    const all = this.servers.length;
    return [...byFunction.entries()].map(([fn, names]) => {
      if (names.length === 1) return { id: names[0], label: `MCP server ${names[0]}`, lambdaFunction: fn };
      const id = names.length === all ? 'AllServers' : names.join('-');
      return { id, label: `MCP servers ${names.join(', ')}`, lambdaFunction: fn };
    });
  }

  private createAlarmTopic(): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm topic of MCP server fleet ${this.node.path}`,
      enableKeyRotation: true,
      // The key protects nothing but this topic's notifications: it goes (after KMS's waiting
      // period) when the fleet goes, instead of costing a month's key fee forever.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications to an encrypted topic only if it may use the key
    // (which is why the AWS managed key `alias/aws/sns`, whose policy cannot change, does not work).
    key.addToResourcePolicy(cloudWatchAlarmsStatement(this, ['kms:Decrypt', 'kms:GenerateDataKey*'], ['*']));
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `MCP servers (${this.environment}) alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // `enforceSSL` gives the topic a policy of its own, which replaces SNS's default policy: without
    // this statement it holds only the TLS Deny, and CloudWatch's publications are refused ("no
    // resource-based policy allows the SNS:Publish action").
    topic.addToResourcePolicy(cloudWatchAlarmsStatement(this, ['sns:Publish'], [topic.topicArn]));
    return topic;
  }

  private addOutputs(): void {
    // Export names are account- and region-wide: the stack name and the fleet's unique id keep two
    // fleets (in one stack or in two) apart.
    const prefix = Names.uniqueResourceName(this, { maxLength: 96, separator: '-' });
    const output = (id: string, value: string, description: string, exportSuffix: string) => new CfnOutput(this, id, {
      value,
      description,
      exportName: `${prefix}-${exportSuffix}`,
    });
    if (this.apiId) output('ApiId', this.apiId, 'API Gateway ID', 'api-id');
    for (const server of this.servers) {
      const name = server.serverName;
      if (server.lambdaFunction) {
        output(`${name}-FunctionArn`, server.lambdaFunction.functionArn, `Lambda function ARN of MCP server ${name}`, `${name}-function-arn`);
      }
      output(`${name}-ApiEndpoint`, server.endpointUrl, `MCP endpoint of server ${name}`, `${name}-api-endpoint`);
      if (server.logGroup) {
        output(`${name}-LogGroupName`, server.logGroup.logGroupName, `CloudWatch log group of MCP server ${name}`, `${name}-log-group`);
      }
    }
  }
}

/**
 * Lets CloudWatch act for this account's alarms only: the source account and the source ARN
 * conditions keep another account's alarms (the confused deputy) from using the topic or its key.
 */
function cloudWatchAlarmsStatement(scope: Construct, actions: string[], resources: string[]): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions,
    resources,
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  });
}

function validateServers(servers: McpServer[]): void {
  if (!servers || servers.length === 0) {
    throw new Error('`servers` must list at least one server, got: []');
  }
  const seen = new Set<string>();
  for (const server of servers) {
    if (seen.has(server.name)) {
      throw new Error(`\`servers\` must have unique names, got ${JSON.stringify(server.name)} twice (set \`name\` to run two servers of a kind)`);
    }
    seen.add(server.name);
  }
}

function validateBinding(binding: FleetComputeBinding, configs: FleetServerConfig[]): void {
  const expected = configs.map((c) => c.name).join(',');
  const got = binding.servers.map((s) => s.serverName).join(',');
  if (expected !== got) {
    throw new Error(`A compute must return one FleetServerResources per server, in order: expected ${expected}, got: ${got}`);
  }
  for (const s of binding.servers) {
    if (!Token.isUnresolved(s.endpointUrl) && s.endpointUrl.trim() === '') {
      throw new Error(`A compute returned an empty endpointUrl for server ${s.serverName}`);
    }
  }
}

function unknownServer(fleet: Construct, name: string, known: string[]): Error {
  return new Error(`Fleet ${fleet.node.path} has no server named ${JSON.stringify(name)}; its servers: ${known.join(', ')}`);
}
