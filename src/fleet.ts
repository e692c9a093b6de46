import { Annotations, ArnFormat, CfnOutput, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FleetAuth, FleetAuthConfig, FleetAuthMode } from './auth/fleet-auth';
import { FleetCompute } from './compute/fleet-compute';
import { RuntimeEnvironment, RuntimeEnvironmentOptions, renderRuntimeEnvironment } from './compute/runtime-environment';
import { FleetComputeBinding, FleetServerDescription, FleetServerEndpoint, IFleetCompute, IFleetContext } from './compute/types';
import { ALLOW_WRITES_SUFFIX } from './contract';
import { grantSecretValueRead } from './credential-grants';
import { DEFAULT_LOG_RETENTION } from './defaults';
import { acknowledgeRule } from './nag';
import { FleetDashboard } from './observability/dashboard';
import { IFleetMonitoring } from './observability/monitoring';
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
   * How callers authenticate: `FleetAuth.oauth({ issuer })` or `FleetAuth.cognito()` (bearer
   * tokens, checked by the runtime and by the front door where it can), `FleetAuth.apiKeys()`,
   * `FleetAuth.iam()`, or `FleetAuth.none({ reason })`. Never open by default: without this prop
   * only SigV4-signed requests of principals given `fleet.grantInvoke(...)` get through.
   *
   * @default FleetAuth.iam()
   */
  readonly auth?: FleetAuth;

  /**
   * Where the alarms send their ALARM and OK notifications. A topic of your own must let
   * CloudWatch publish (SNS's default topic policy does; one with only a TLS Deny does not) and,
   * when encrypted, let `cloudwatch.amazonaws.com` use its key.
   *
   * @default - an SNS topic is created, encrypted with a new customer managed KMS key (rotated
   * yearly), refusing publications without TLS, which this account's alarms may publish to
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Creates the alarms of the compute's monitoring segments and points them at the alarm topic
   * (each built-in topology documents its alarms: three per function for the built-in ones,
   * errors Sum > 5 and average duration > 25 s over 3 minutes, throttles >= 1 in a minute).
   *
   * @default true
   */
  readonly enableAlarms?: boolean;

  /**
   * Creates a CloudWatch dashboard of the fleet from the compute's monitoring (when it has widgets).
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
   * The start of the fleet's CloudFormation export names, which other stacks import by
   * (`Fn.importValue('<exportPrefix>-gitlab-api-endpoint')`): `<exportPrefix>-<server>-api-endpoint`,
   * `-<server>-log-group`, and the compute's (`-<server>-function-arn`, `-api-id`...). Export names
   * are unique per account and region: give each fleet its own, e.g. `mcp-production`.
   * Letters, digits, `-` and `:`, at most 128 characters.
   *
   * @default - the fleet's unique id in its app (its stack's name and construct path)
   */
  readonly exportPrefix?: string;

  /**
   * Tags of every resource of the fleet; they extend, and override, the defaults.
   *
   * @default - `Application=mcp-servers` and `Environment=<environment>`
   */
  readonly tags?: { [key: string]: string };
}

/**
 * A fleet of remote MCP servers: the servers, the compute that runs them, and what every
 * topology shares (tags, alarms to one topic, a dashboard, outputs).
 *
 * After construction, `servers` lists each server's endpoint URL and log group, and
 * `endpointFor` and `logGroupFor` look one up by name; what is specific to a topology (a
 * server's function or service, its metrics, the API) is on the compute object.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { FleetCompute, McpServer, McpServerFleet, ServerCredential } from 'mcp-server-fleet';
 *
 * const stack = new Stack(new App(), 'McpServers');
 * const token = ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'mcp/gitlab-token'), 'token');
 * const compute = FleetCompute.lambdaMultiServer();
 * const fleet = new McpServerFleet(stack, 'Fleet', {
 *   environment: 'production',
 *   servers: [
 *     McpServer.gitlab({ token }),
 *     McpServer.gitlab({ name: 'gl-internal', apiUrl: 'https://gitlab.internal.example.com/api/v4', token }),
 *   ],
 *   compute,
 *   allowedOrigins: ['https://app.example.com'],
 * });
 * fleet.endpointFor('gl-internal'); // https://<api>.execute-api.<region>.amazonaws.com/gl-internal/mcp
 * compute.httpApi?.apiId; // the topology's own handles are on the compute
 */
export class McpServerFleet extends Construct {
  /** The environment: `development`, `staging` or `production`. */
  public readonly environment: string;

  /** Origins allowed cross-origin (empty: none). */
  public readonly allowedOrigins: string[];

  /** Retention of the fleet's log groups. */
  public readonly logRetention: logs.RetentionDays;

  /** How callers authenticate (the `auth` prop, or `FleetAuth.iam()`). */
  public readonly auth: FleetAuth;

  /** The compute serving the servers (the `compute` prop, or the default one). */
  public readonly compute: IFleetCompute;

  /** Where each server is served, in the order given. */
  public readonly servers: FleetServerEndpoint[];

  /** The compute's monitoring segments, in the order the dashboard shows them. */
  public readonly monitoring: IFleetMonitoring[];

  /**
   * The topic the alarms notify: the `alarmTopic` prop, else the topic the fleet created.
   *
   * @default - the `alarmTopic` prop (undefined when none was given and no alarms were created)
   */
  public readonly alarmTopic?: sns.ITopic;

  /** The alarms of the fleet: every alarm of every monitoring segment. */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * The fleet's dashboard.
   *
   * @default - none when disabled, or when no segment has widgets
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly descriptions: FleetServerDescription[];
  private readonly authConfig: FleetAuthConfig;
  private readonly exportPrefix?: string;

  constructor(scope: Construct, id: string, props: McpServerFleetProps) {
    super(scope, id);
    validateEnvironment(props.environment);
    validateServers(props.servers);
    const origins = props.allowedOrigins ?? [];
    validateOrigins(origins);
    if (origins.includes('*') && origins.length > 1) {
      throw new Error(`\`allowedOrigins\` must be ['*'] alone or a list of origins, got: ${JSON.stringify(origins)}`);
    }

    this.exportPrefix = validateExportPrefix(props.exportPrefix);
    this.environment = props.environment;
    this.allowedOrigins = [...origins];
    this.logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    this.descriptions = props.servers.map((server) => server._bind(this));
    this.auth = props.auth ?? FleetAuth.iam();
    validateWritesNeedAuth(this.auth, this.descriptions);
    this.authConfig = this.auth._bind(this);
    if (this.auth.mode === FleetAuthMode.NONE) this.allowUnauthenticated(this.authConfig.reason!);

    this.compute = props.compute ?? FleetCompute.lambdaPerServer();
    const binding = this.compute.bind(new FleetContext(this, this.authConfig), this.descriptions);
    validateBinding(binding, this.descriptions);
    this.servers = [...binding.servers];
    this.monitoring = [...(binding.monitoring ?? [])];

    const tags: Record<string, string> = { Application: 'mcp-servers', Environment: this.environment, ...props.tags };
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);

    const alarms = (props.enableAlarms ?? true) ? this.monitoring.flatMap((segment) => segment.alarms()) : [];
    this.alarms = alarms;
    // No alarms, no topic: a compute without monitoring gets no topic it would pay for.
    this.alarmTopic = alarms.length > 0 ? props.alarmTopic ?? this.createAlarmTopic() : props.alarmTopic;
    if (alarms.length > 0) {
      const action = new cloudwatchActions.SnsAction(this.alarmTopic!);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    const widgets = (props.enableDashboard ?? true) ? this.monitoring.flatMap((segment) => segment.widgets()) : [];
    if (widgets.length > 0) this.dashboard = new FleetDashboard(this, 'Dashboard', { widgets }).dashboard;

    this.addOutputs(binding);
  }

  /**
   * The URL an MCP client connects to for a server (Streamable HTTP, POST).
   *
   * @param serverName the server's name
   */
  public endpointFor(serverName: string): string {
    return this.endpointOf(serverName).endpointUrl;
  }

  /**
   * The log group a server's runtime writes to.
   *
   * @param serverName the server's name
   */
  public logGroupFor(serverName: string): logs.ILogGroup {
    const logGroup = this.endpointOf(serverName).logGroup;
    if (!logGroup) throw new Error(`Server ${JSON.stringify(serverName)} of fleet ${this.node.path} has no log group`);
    return logGroup;
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
    const descriptions = serverName === undefined ? this.descriptions : [this.descriptionOf(serverName)];
    let grant = iam.Grant.drop(grantee, 'read secrets of servers without credentials');
    for (const description of descriptions) {
      for (const credential of description.credentials) {
        grant = grant.combine(grantSecretValueRead(this, credential.secret, grantee));
      }
    }
    return grant;
  }

  /**
   * Lets a principal call the MCP routes of one server, or of every server, under
   * `FleetAuth.iam()`: `execute-api:Invoke` on exactly those routes (not health, not another API).
   *
   * @param grantee the principal
   * @param serverName the server whose routes to grant; all servers when omitted
   */
  public grantInvoke(grantee: iam.IGrantable, serverName?: string): iam.Grant {
    if (this.auth.mode !== FleetAuthMode.IAM) {
      throw new Error(`grantInvoke needs FleetAuth.iam() (fleet ${this.node.path} uses ${this.auth.mode}): `
        + 'other modes authenticate with a token or key, not with IAM');
    }
    const endpoints = serverName === undefined ? this.servers : [this.endpointOf(serverName)];
    const arns = endpoints.flatMap((e) => e.invokeArns ?? []);
    if (arns.length === 0) {
      throw new Error(`The compute of fleet ${this.node.path} gives no execute-api ARNs for ${serverName ?? 'its servers'}: it cannot be granted by IAM`);
    }
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: arns });
  }

  /** `FleetAuth.none()`: a warning at synthesis, and cdk-nag's authorization finding acknowledged with the user's reason. */
  private allowUnauthenticated(reason: string): void {
    Annotations.of(this).addWarningV2('mcp-server-fleet:auth-none',
      `The servers of fleet ${this.node.path} accept calls without a credential (FleetAuth.none()): ${reason}`);
    acknowledgeRule(this, 'AwsSolutions-APIG4', `FleetAuth.none() was chosen for this fleet: ${reason}`);
  }

  private descriptionOf(serverName: string): FleetServerDescription {
    const description = this.descriptions.find((d) => d.name === serverName);
    if (!description) throw unknownServer(this, serverName, this.descriptions.map((d) => d.name));
    return description;
  }

  private endpointOf(serverName: string): FleetServerEndpoint {
    const endpoint = this.servers.find((s) => s.name === serverName);
    if (!endpoint) throw unknownServer(this, serverName, this.servers.map((s) => s.name));
    return endpoint;
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

  private addOutputs(binding: FleetComputeBinding): void {
    // Export names are account- and region-wide: the stack name and the fleet's unique id keep two
    // fleets (in one stack or in two) apart.
    const prefix = this.exportPrefix ?? Names.uniqueResourceName(this, { maxLength: 96, separator: '-' });
    let planned: PlannedOutput[] = [];
    for (const o of binding.outputs ?? []) planned.push({ ...o, scope: this.outputScope(serverOfOutput(o.id, this.servers)) });
    for (const server of this.servers) {
      const name = server.name;
      const scope = this.outputScope(server);
      planned.push({ scope, id: `${name}-ApiEndpoint`, value: server.endpointUrl, description: `MCP endpoint of server ${name}`, exportSuffix: `${name}-api-endpoint` });
      if (server.logGroup) {
        planned.push({
          scope,
          id: `${name}-LogGroupName`,
          value: server.logGroup.logGroupName,
          description: `CloudWatch log group of MCP server ${name}`,
          exportSuffix: `${name}-log-group`,
          logGroup: server.logGroup,
          serverName: name,
        });
      }
    }
    const stack = Stack.of(this);
    const existing = stack.node.findAll().filter((c) => c instanceof CfnOutput && Stack.of(c) === stack).length;
    const inStack = () => existing + planned.filter((o) => Stack.of(o.scope) === stack).length;
    // A fleet whose servers share one log group (the multi-server topologies) repeats it in every
    // server's output: past CloudFormation's limit, each shared log group is given once instead.
    if (inStack() > CFN_OUTPUT_LIMIT) planned = onePerSharedLogGroup(planned, this);
    if (inStack() > CFN_OUTPUT_LIMIT) {
      throw new Error(`Fleet ${this.node.path} would declare ${inStack()} outputs in stack ${stack.stackName}, over CloudFormation's `
        + `${CFN_OUTPUT_LIMIT} outputs per stack (${this.servers.length} servers, an endpoint and a log group each, and the compute's). `
        + 'Split the servers over several fleets (in separate stacks), or use FleetCompute.lambdaPerServer(), which keeps each '
        + 'server\'s outputs in its nested stack past `serversPerStack` servers.');
    }
    for (const o of planned) new CfnOutput(o.scope, o.id, { value: o.value, description: o.description, exportName: `${prefix}-${o.exportSuffix}` });
  }

  /**
   * Where a server's outputs are declared: with the server's log group when a compute put it in a
   * nested stack of the fleet's stack (a fleet split over nested stacks, whose stack alone could not
   * hold CloudFormation's 200 outputs for 100 servers), else in the fleet. Ids and export names are
   * the same either way.
   */
  private outputScope(server: FleetServerEndpoint | undefined): Construct {
    const own = Stack.of(this);
    const stack = server?.logGroup ? Stack.of(server.logGroup) : own;
    if (stack === own || stack.nestedStackParent === undefined) return this;
    const id = `${Names.uniqueId(this)}Outputs`;
    return stack.node.tryFindChild(id) as Construct | undefined ?? new Construct(stack, id);
  }
}

/** CloudFormation's limit of outputs per stack. */
const CFN_OUTPUT_LIMIT = 200;

interface PlannedOutput {
  readonly scope: Construct;
  readonly id: string;
  readonly value: string;
  readonly description: string;
  readonly exportSuffix: string;
  /** For a server's log group output: the log group, and the server. */
  readonly logGroup?: logs.ILogGroup;
  readonly serverName?: string;
}

/**
 * The outputs with each log group shared by several servers given once, as `LogGroupName` (export
 * `log-group`), or `LogGroupName2`... when there are several, in the place of the first server's.
 */
function onePerSharedLogGroup(planned: PlannedOutput[], fleet: Construct): PlannedOutput[] {
  const servers = new Map<logs.ILogGroup, string[]>();
  for (const o of planned) if (o.logGroup) servers.set(o.logGroup, [...servers.get(o.logGroup) ?? [], o.serverName!]);
  const shared = [...servers.entries()].filter(([, names]) => names.length > 1);
  const out: PlannedOutput[] = [];
  for (const o of planned) {
    const index = o.logGroup ? shared.findIndex(([group]) => group === o.logGroup) : -1;
    if (index < 0) {
      out.push(o);
      continue;
    }
    const names = shared[index][1];
    if (names[0] !== o.serverName) continue;
    const suffix = index === 0 ? '' : String(index + 1);
    out.push({
      scope: fleet,
      id: `LogGroupName${suffix}`,
      value: o.value,
      description: `CloudWatch log group of MCP servers ${names[0]} to ${names[names.length - 1]} (${names.length} servers)`,
      exportSuffix: `log-group${suffix ? `-${suffix}` : ''}`,
    });
  }
  return out;
}

/**
 * The server a compute's output belongs to: the one whose name, then `-`, starts the output's id
 * (`gl-1-FunctionArn`), the longest such name when one name extends another (`gl` and `gl-1`).
 */
function serverOfOutput(id: string, servers: FleetServerEndpoint[]): FleetServerEndpoint | undefined {
  return servers.filter((s) => id.startsWith(`${s.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
}

/** What a compute sees of the fleet (IFleetContext): settings, the scope, and two services. */
class FleetContext implements IFleetContext {
  public readonly scope: Construct;
  public readonly environment: string;
  public readonly allowedOrigins: string[];
  public readonly logRetention: logs.RetentionDays;
  public readonly auth: FleetAuthConfig;

  constructor(private readonly fleet: McpServerFleet, auth: FleetAuthConfig) {
    this.scope = fleet;
    this.auth = auth;
    this.environment = fleet.environment;
    this.allowedOrigins = [...fleet.allowedOrigins];
    this.logRetention = fleet.logRetention;
  }

  public grantSecretsRead(grantee: iam.IGrantable, serverName?: string): iam.Grant {
    return this.fleet.grantSecretsRead(grantee, serverName);
  }

  public renderRuntimeEnvironment(servers: FleetServerDescription[], options?: RuntimeEnvironmentOptions): RuntimeEnvironment {
    return renderRuntimeEnvironment(this, servers, options);
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

/** A literal `exportPrefix` CloudFormation takes in an export name (a token is taken as it is). */
function validateExportPrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined || Token.isUnresolved(prefix)) return prefix;
  if (!/^[A-Za-z0-9:-]{1,128}$/.test(prefix)) {
    throw new Error(`\`exportPrefix\` must be 1 to 128 letters, digits, \`-\` or \`:\` (it starts CloudFormation export names), got: ${JSON.stringify(prefix)}`);
  }
  return prefix;
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

/** Write tools need a caller the fleet knows: `allowWrites` in a fleet without authentication is refused. */
function validateWritesNeedAuth(auth: FleetAuth, servers: FleetServerDescription[]): void {
  if (auth.mode !== FleetAuthMode.NONE) return;
  const writers = servers.filter((s) => s.variables[`${s.variablePrefix}${ALLOW_WRITES_SUFFIX}`] === 'true').map((s) => s.name);
  if (writers.length > 0) {
    throw new Error(`Server(s) ${writers.map((n) => JSON.stringify(n)).join(', ')} set \`allowWrites: true\`, but the fleet's \`auth\` is `
      + 'FleetAuth.none(): anyone with the URL could change the upstream with the server\'s credentials. '
      + 'Choose an authentication (FleetAuth.oauth(), cognito(), apiKeys(), iam()) or remove allowWrites.');
  }
}

function validateBinding(binding: FleetComputeBinding, servers: FleetServerDescription[]): void {
  const expected = servers.map((s) => s.name).join(',');
  const got = (binding.servers ?? []).map((s) => s.name).join(',');
  if (expected !== got) {
    throw new Error(`A compute must return one FleetServerEndpoint per server, in order: expected ${expected}, got: ${got}`);
  }
  for (const s of binding.servers) {
    if (!Token.isUnresolved(s.endpointUrl) && s.endpointUrl.trim() === '') {
      throw new Error(`A compute returned an empty endpointUrl for server ${s.name}`);
    }
  }
  const ids = new Set(binding.servers.flatMap((s) => [`${s.name}-ApiEndpoint`, `${s.name}-LogGroupName`]));
  for (const output of binding.outputs ?? []) {
    if (ids.has(output.id)) throw new Error(`A compute returned output ${JSON.stringify(output.id)} twice, or one the fleet adds itself`);
    ids.add(output.id);
  }
}

function unknownServer(fleet: Construct, name: string, known: string[]): Error {
  return new Error(`Fleet ${fleet.node.path} has no server named ${JSON.stringify(name)}; its servers: ${known.join(', ')}`);
}
