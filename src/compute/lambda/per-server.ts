import { Annotations, CfnResource, Duration, Lazy, NestedStack, Names, Stack, Tags } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaComputeBase } from './base';
import { McpFunction, httpsOnlySecurityGroup } from './mcp-function';
import { LambdaComputeOptions, ResolvedLambdaOptions, resolveLambdaOptions } from './options';
import { FleetAuthConfig, FleetAuthMode } from '../../auth/fleet-auth';
import { METADATA_PATH, acknowledgePublicRoute, mcpMethodReason, usesBearerTokens } from '../../auth/front-door';
import { LAMBDA_DEFAULTS } from '../../defaults';
import { acknowledgeRule } from '../../nag';
import { ApiMonitoring } from '../../observability/api-monitoring';
import { LambdaMonitoring, MonitoredFunction } from '../../observability/lambda-monitoring';
import { IFleetMonitoring } from '../../observability/monitoring';
import { validateInteger, validateRange } from '../../validation';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE, gatewayResponseCorsHeaders } from '../cors';
import type { FleetComputeBinding, FleetServerDescription, FleetServerEndpoint, IFleetContext } from '../types';

/** Settings of the one-function-per-server topology. */
export interface LambdaPerServerProps extends LambdaComputeOptions {
  /**
   * Logs full requests and responses of the REST API stage (`DataTraceEnabled`). Off by default
   * because it writes MCP tool arguments and results, which can hold sensitive data, to CloudWatch.
   *
   * @default false
   */
  readonly dataTraceEnabled?: boolean;

  /**
   * Requests per month the usage plan allows each API key.
   *
   * @default 1000000
   */
  readonly monthlyQuota?: number;

  /**
   * Creates the account-level role API Gateway needs to write execution logs to CloudWatch
   * (`AWS::ApiGateway::Account`). Turn it off when the account already has one (it is a single
   * setting per account and region; the last deployed wins).
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;

  /**
   * A fleet of more servers than this is split: the servers' functions, roles, log groups, routes
   * (API resources, methods, invoke permissions) and alarms go into nested stacks of this many
   * servers each, in the order given, while the REST API, its deployment and stage, the usage plan
   * and what the servers share stay in the fleet's stack. A fleet of at most this many servers has
   * no nested stack.
   *
   * CloudFormation allows 500 resources per stack, and a server takes up to 26 (20, and 6 more for
   * the RFC 9728 metadata routes under bearer tokens): 15 servers are at most 390 resources per
   * nested stack; the largest value accepted, 18, at most 468.
   *
   * Placement is by position: add servers at the end of `servers`, and they join the last nested
   * stack or a new one while the others stay where they are. A server that changes stack (the
   * fleet first crosses this size, or a server before it is removed) is created anew in its new
   * stack, which one CloudFormation update cannot do while the old one still holds its routes and
   * exports: set this below the fleet's size from the first deployment of a fleet that will grow.
   *
   * @default 15
   */
  readonly serversPerStack?: number;
}

/** The default and the largest `serversPerStack` (see its documentation for the arithmetic). */
const DEFAULT_SERVERS_PER_STACK = 15;
const MAX_SERVERS_PER_STACK = 18;

/**
 * API Gateway's default quota of resources per REST API (adjustable): the root, 3 per server, and
 * 2 per server plus 2 shared for the metadata routes under bearer tokens.
 */
const REST_API_RESOURCE_QUOTA = 300;

/**
 * One Lambda function per server behind one regional REST API.
 *
 * Each server gets `/<server>` and `/<server>/mcp` (POST, Lambda proxy, body validated as JSON),
 * `/<server>/health` (GET) and a CORS preflight (OPTIONS) on the MCP resources. The stage is named
 * after the environment, throttled, logged (execution logs at INFO, access logs), with metrics and
 * tracing; a usage plan carries the monthly quota.
 *
 * The fleet's `auth` on the MCP methods: `cognito()` a Cognito user pool authorizer with the
 * required scopes; `oauth()` the runtime's own bearer-token check (no gateway authorizer);
 * `apiKeys()` an API key of the usage plan; `iam()` IAM authorization (grant with
 * `fleet.grantInvoke`). Health, CORS preflights and, with bearer tokens, the RFC 9728 metadata
 * (`/.well-known/oauth-protected-resource/<server>/mcp` under the stage) take no credential.
 *
 * CORS preflight: with allowed origins, API Gateway answers OPTIONS itself (a mock integration,
 * echoing an allowed origin). With none, OPTIONS is proxied to the function, whose
 * runtime answers without `Access-Control-Allow-Origin`, so browsers refuse cross-origin calls
 * while the route still exists. Either way the runtime checks `Origin` against the same list.
 *
 * Each server's endpoint is `https://<api>.execute-api.<region>.amazonaws.com/<environment>/<server>/mcp`
 * (`/<server>` answers too).
 *
 * A fleet of more than `serversPerStack` servers (15 by default) is split over nested stacks of
 * that many servers each, so that every template stays within CloudFormation's limits: the API,
 * its stage and what the servers share stay in the fleet's stack, whose deployment waits for the
 * nested stacks and is redeployed when a method in any of them changes. Each server's outputs then
 * live in its nested stack (the fleet's stack keeps the API id), which keeps the fleet's stack
 * under CloudFormation's 200 outputs.
 */
export class LambdaPerServerCompute extends LambdaComputeBase {
  private readonly props: LambdaPerServerProps;
  private built?: LambdaPerServerResources;

  constructor(props: LambdaPerServerProps = {}) {
    super();
    this.props = props;
  }

  /**
   * The REST API, once bound to a fleet.
   */
  public get restApi(): apigateway.RestApi | undefined {
    return this.built?.restApi;
  }

  /**
   * The usage plan carrying the monthly quota, once bound to a fleet.
   */
  public get usagePlan(): apigateway.UsagePlan | undefined {
    return this.built?.usagePlan;
  }

  /**
   * The log group of the stage's access logs, once bound to a fleet.
   */
  public get accessLogGroup(): logs.LogGroup | undefined {
    return this.built?.accessLogGroup;
  }

  /**
   * The log group of the stage's execution logs (`API-Gateway-Execution-Logs_<api id>/<stage>`),
   * created with the fleet's retention before API Gateway would create it without one; once bound.
   */
  public get executionLogGroup(): logs.LogGroup | undefined {
    return this.built?.executionLogGroup;
  }

  /**
   * The security groups of the functions, once bound to a fleet in a VPC (the `securityGroups`
   * prop, or the one the compute created).
   */
  public get securityGroups(): ec2.ISecurityGroup[] | undefined {
    return this.built?.securityGroups;
  }

  public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    if (this.built) {
      throw new Error('A FleetCompute can serve one fleet only; create one with FleetCompute.lambdaPerServer() for each fleet');
    }
    const options = resolveLambdaOptions(this.props, {
      memorySize: LAMBDA_DEFAULTS.perServerMemoryMb,
      maxTimeoutSeconds: 29,
      behind: 'the REST API',
    });
    const monthlyQuota = this.props.monthlyQuota ?? LAMBDA_DEFAULTS.monthlyQuota;
    validateInteger('monthlyQuota', monthlyQuota, 1);
    const serversPerStack = this.props.serversPerStack ?? DEFAULT_SERVERS_PER_STACK;
    validateInteger('serversPerStack', serversPerStack, 1);
    validateRange('serversPerStack', serversPerStack, 1, MAX_SERVERS_PER_STACK);

    const built = new LambdaPerServerResources(fleet.scope, 'LambdaPerServer', {
      fleet,
      servers,
      options,
      monthlyQuota,
      serversPerStack,
      props: this.props,
    });
    this.built = built;
    this._functionsByServer = new Map(servers.map((s) => [s.name, built.functions.get(s.name)!.lambdaFunction]));

    const stage = built.restApi.deploymentStage;
    return {
      servers: servers.map((server): FleetServerEndpoint => ({
        name: server.name,
        endpointUrl: built.endpointUrl(fleet, server.name),
        logGroup: built.functions.get(server.name)!.logGroup,
        invokeArns: [`/${server.name}`, `/${server.name}/mcp`].map((path) => built.restApi.arnForExecuteApi('POST', path, stage.stageName)),
      })),
      monitoring: [
        built.monitoring(fleet, options),
        ApiMonitoring.of(stage),
      ],
      outputs: [
        { id: 'ApiId', value: built.restApi.restApiId, description: 'API Gateway ID', exportSuffix: 'api-id' },
        ...servers.map((server) => ({
          id: `${server.name}-FunctionArn`,
          value: built.functions.get(server.name)!.lambdaFunction.functionArn,
          description: `Lambda function ARN of MCP server ${server.name}`,
          exportSuffix: `${server.name}-function-arn`,
        })),
      ],
    };
  }
}

interface LambdaPerServerResourcesProps {
  readonly fleet: IFleetContext;
  readonly servers: FleetServerDescription[];
  readonly options: ResolvedLambdaOptions;
  readonly monthlyQuota: number;
  readonly serversPerStack: number;
  readonly props: LambdaPerServerProps;
}

/** Where a server's function and routes are built: the fleet's stack, or one of its nested stacks. */
interface ServerPlacement {
  /** The scope of the server's function (and, in a nested stack, of its alarms). */
  readonly scope: Construct;
  /** The API's root resource, as seen from that scope. */
  readonly root: apigateway.IResource;
  /** The nested stack; undefined in the fleet's stack. */
  readonly nestedStack?: NestedStack;
  /** `/.well-known/oauth-protected-resource`, as seen from that scope (bearer tokens only). */
  metadataResource(): apigateway.IResource;
}

/** What `LambdaPerServerCompute` builds for a fleet. */
class LambdaPerServerResources extends Construct {
  public readonly restApi: apigateway.RestApi;
  public readonly usagePlan: apigateway.UsagePlan;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly executionLogGroup: logs.LogGroup;
  /** By server name. */
  public readonly functions = new Map<string, McpFunction>();
  public readonly securityGroups?: ec2.ISecurityGroup[];
  /** The nested stacks holding the servers, in order; empty when the fleet is not split. */
  public readonly nestedStacks: NestedStack[] = [];
  /** By server name: where its function and routes are. */
  private readonly placements = new Map<string, ServerPlacement>();
  private authorizer?: apigateway.CognitoUserPoolsAuthorizer;

  constructor(scope: Construct, id: string, { fleet, servers, options, monthlyQuota, serversPerStack, props }: LambdaPerServerResourcesProps) {
    super(scope, id);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: fleet.logRetention });
    const api = this.createApi(fleet, options, props);
    this.restApi = api;
    this.executionLogGroup = this.createExecutionLogGroup(fleet, api);

    const validator = api.addRequestValidator('BodyValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = api.addModel('JsonRpcMessage', {
      contentType: 'application/json',
      modelName: 'JsonRpcMessage',
      description: 'A JSON-RPC 2.0 message (object) or batch (array); the runtime checks the rest.',
      schema: {
        schema: apigateway.JsonSchemaVersion.DRAFT4,
        title: 'JsonRpcMessage',
        type: [apigateway.JsonSchemaType.OBJECT, apigateway.JsonSchemaType.ARRAY],
      },
    });
    // A body that is not JSON gets a JSON-RPC parse error, as the runtime would answer.
    const corsHeaders = gatewayResponseCorsHeaders(fleet.allowedOrigins);
    api.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: {
        'application/json': '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the body must be a JSON-RPC message (a JSON object or array)"}}',
      },
    });
    if (corsHeaders) {
      // Every other 4XX and 5XX API Gateway answers itself (a missing key's 403, throttling's and
      // the quota's 429, an integration failure's 502/504) inherits these two.
      api.addGatewayResponse('Default4XX', { type: apigateway.ResponseType.DEFAULT_4XX, responseHeaders: corsHeaders });
      api.addGatewayResponse('Default5XX', { type: apigateway.ResponseType.DEFAULT_5XX, responseHeaders: corsHeaders });
    }
    if (fleet.auth.mode === FleetAuthMode.COGNITO && servers.length === 1) {
      // The authorizer answers a missing or bad token itself; MCP clients find the authorization
      // server through this header (RFC 9728's well-known fallback lies outside the stage).
      // A gateway response is per API, so it can name one server's metadata only.
      // Built from the API id rather than the stage: the deployment depends on every gateway
      // response, and the stage on the deployment.
      const stack = Stack.of(this);
      const metadataUrl = `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${fleet.environment}`
        + `${METADATA_PATH}/${servers[0].name}/mcp`;
      api.addGatewayResponse('Unauthorized', {
        type: apigateway.ResponseType.UNAUTHORIZED,
        statusCode: '401',
        responseHeaders: { ...corsHeaders, 'WWW-Authenticate': `'Bearer resource_metadata="${metadataUrl}"'` },
      });
    }

    if (options.vpc) {
      this.securityGroups = options.securityGroups
        ?? [httpsOnlySecurityGroup(this, 'SecurityGroup', options.vpc, `MCP server functions of ${fleet.scope.node.path}: HTTPS out only`)];
    }

    const placements = this.placeServers(fleet, servers, serversPerStack);
    for (const server of servers) {
      const placement = placements.get(server.name)!;
      const environment = fleet.renderRuntimeEnvironment([server], {
        multiServer: false,
        logLevel: options.logLevel,
        secretCacheTtl: options.secretCacheTtl,
      });
      const fn = new McpFunction(placement.scope, server.name, {
        fleet,
        options,
        servers: [server],
        environment: environment.variables,
        description: `MCP server ${server.name} (${server.kind}, ${fleet.environment})`,
        securityGroups: this.securityGroups,
      });
      // As the Fargate tasks (spec B.2): a function, its role and log group name their server.
      Tags.of(fn).add('Server', server.name);
      this.functions.set(server.name, fn);
      this.addRoutes(fleet, server, fn.lambdaFunction, placement, {
        requestValidator: validator,
        requestModels: { 'application/json': model },
        ...this.mcpMethodAuth(fleet.auth),
      });
    }

    this.usagePlan = api.addUsagePlan('UsagePlan', {
      description: `MCP servers (${fleet.environment}): throttle and monthly quota per API key`,
      throttle: { rateLimit: options.throttlingRateLimit, burstLimit: options.throttlingBurstLimit },
      quota: { limit: monthlyQuota, period: apigateway.Period.MONTH },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    this.redeployOnNestedMethods();
    this.warnAboutResourceQuota(fleet, servers.length);
    acknowledgeRule(api, 'AwsSolutions-APIG3',
      'A WAFv2 web ACL is account- and organisation-specific (rules, logging, cost); associate yours with the stage '
      + '(compute.restApi.deploymentStage.stageArn).');
  }

  /** How the MCP methods authenticate, by the fleet's `auth`. */
  private mcpMethodAuth(auth: FleetAuthConfig): apigateway.MethodOptions {
    switch (auth.mode) {
      case FleetAuthMode.COGNITO: {
        this.authorizer ??= new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
          cognitoUserPools: [auth.userPool!],
          resultsCacheTtl: Duration.minutes(5),
        });
        // With no scope, API Gateway's Cognito authorizer expects an ID token; MCP clients send
        // access tokens, which it accepts only when the method names scopes. `openid` is in every
        // access token of the authorization code flow.
        const scopes = auth.requiredScopes.length > 0 ? auth.requiredScopes : ['openid'];
        return { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.COGNITO, authorizationScopes: scopes };
      }
      case FleetAuthMode.IAM:
        return { authorizationType: apigateway.AuthorizationType.IAM };
      case FleetAuthMode.API_KEYS:
        return { apiKeyRequired: true };
      default:
        // oauth(): the runtime checks the bearer token (AUTH_MODE=oauth); none(): nothing does.
        return {};
    }
  }

  /** `/<server>` and `/<server>/mcp` (POST, preflight), `/<server>/health` (GET), and the server's RFC 9728 metadata. */
  private addRoutes(fleet: IFleetContext, server: FleetServerDescription, fn: lambda.IFunction, placement: ServerPlacement,
    mcpMethod: apigateway.MethodOptions): void {
    const integration = new apigateway.LambdaIntegration(fn, { allowTestInvoke: false });
    const serverResource = placement.root.addResource(server.name);
    const mcpResource = serverResource.addResource('mcp');
    const healthResource = serverResource.addResource('health');
    const auth = fleet.auth;
    for (const resource of [serverResource, mcpResource]) {
      const post = resource.addMethod('POST', integration, mcpMethod);
      if (auth.mode !== FleetAuthMode.COGNITO) {
        acknowledgeRule(post, 'AwsSolutions-COG4', mcpMethodReason(auth));
        // API keys are not an authorizer, and oauth() is checked by the runtime: APIG4 names both.
        // (none() is acknowledged by the fleet, with the user's reason.)
        if (auth.mode === FleetAuthMode.API_KEYS || auth.mode === FleetAuthMode.OAUTH) {
          acknowledgeRule(post, 'AwsSolutions-APIG4', mcpMethodReason(auth));
        }
      }
      if (fleet.allowedOrigins.length > 0) {
        resource.addCorsPreflight({
          allowOrigins: fleet.allowedOrigins,
          allowMethods: CORS_ALLOW_METHODS,
          allowHeaders: CORS_ALLOW_HEADERS,
          maxAge: Duration.seconds(CORS_MAX_AGE),
        });
      } else {
        acknowledgePublicRoute(resource.addMethod('OPTIONS', integration), 'preflight', true);
      }
    }
    acknowledgePublicRoute(healthResource.addMethod('GET', integration), 'health', true);
    if (usesBearerTokens(auth)) {
      // The runtime names `<stage URL>/.well-known/oauth-protected-resource/<server>/mcp` in its
      // WWW-Authenticate header (RFC 9728's form under the stage, which is the API's first segment).
      // Both endpoints of the server (`/<server>` answers too) have their metadata.
      const serverMetadata = placement.metadataResource().addResource(server.name);
      for (const resource of [serverMetadata, serverMetadata.addResource('mcp')]) {
        acknowledgePublicRoute(resource.addMethod('GET', integration), 'metadata', true);
      }
    }
  }

  private metadataResource(): apigateway.Resource {
    const [wellKnown, name] = METADATA_PATH.split('/').filter(Boolean);
    const parent = this.restApi.root.getResource(wellKnown) ?? this.restApi.root.addResource(wellKnown);
    return (parent.getResource(name) as apigateway.Resource | undefined) ?? parent.addResource(name);
  }

  /**
   * Where each server goes: all in this stack up to `serversPerStack` servers (the template is the
   * same as before splitting existed), else nested stacks `Servers1`, `Servers2`... of
   * `serversPerStack` servers each, in order.
   */
  private placeServers(fleet: IFleetContext, servers: FleetServerDescription[], serversPerStack: number): Map<string, ServerPlacement> {
    if (servers.length <= serversPerStack) {
      const here: ServerPlacement = { scope: this, root: this.restApi.root, metadataResource: () => this.metadataResource() };
      for (const server of servers) this.placements.set(server.name, here);
      return this.placements;
    }
    for (let start = 0; start < servers.length; start += serversPerStack) {
      const group = servers.slice(start, start + serversPerStack);
      const nestedStack = new NestedStack(this, `Servers${this.nestedStacks.length + 1}`, {
        description: `MCP servers ${group[0].name} to ${group[group.length - 1].name} of ${fleet.scope.node.path} (${fleet.environment})`,
      });
      this.nestedStacks.push(nestedStack);
      const api = apigateway.RestApi.fromRestApiAttributes(nestedStack, 'Api', {
        restApiId: this.restApi.restApiId,
        rootResourceId: this.restApi.restApiRootResourceId,
      });
      // The invoke permissions name the stage in their source ARN (`<api>/<stage>/POST/<server>/mcp`).
      // An imported API has no stage, which would make that `*` (any stage); and a reference to the
      // stage itself would be a cycle (the stage's deployment waits for this nested stack). The
      // stage's name is the environment, known now: a stage of that name is all the ARN needs.
      api.deploymentStage = apigateway.Stage.fromStageAttributes(nestedStack, 'Stage', {
        restApi: api,
        stageName: fleet.environment,
      }) as apigateway.Stage;
      let metadata: apigateway.IResource | undefined;
      const placement: ServerPlacement = {
        scope: nestedStack,
        root: api.root,
        nestedStack,
        // Shared by every server: created once, in this stack, and seen from the nested one.
        metadataResource: () => {
          const parent = this.metadataResource();
          metadata ??= apigateway.Resource.fromResourceAttributes(nestedStack, 'MetadataResource', {
            restApi: api,
            resourceId: parent.resourceId,
            path: parent.path,
          });
          return metadata;
        },
      };
      for (const server of group) this.placements.set(server.name, placement);
    }
    return this.placements;
  }

  /**
   * The REST API's deployment snapshots the methods: it must come after those of the nested stacks
   * and be replaced when one of them changes. A method on the API itself does both for itself;
   * one on the API imported into a nested stack does neither, and the API, knowing no method,
   * would not synthesize. So each nested method is attached to the API (the API's own bookkeeping:
   * its deployment then depends on the method, that is on the method's nested stack), and its
   * CloudFormation properties, resolved in its own stack when the template is written, join the
   * deployment's logical id as a method of the API's own stack does.
   */
  private redeployOnNestedMethods(): void {
    const deployment = this.restApi.latestDeployment!;
    for (const nestedStack of this.nestedStacks) {
      const methods = nestedStack.node.findAll().filter((c): c is apigateway.Method => c instanceof apigateway.Method);
      for (const method of methods) {
        this.restApi._attachMethod(method);
        const resource = method.node.defaultChild as CfnResource;
        deployment.addToLogicalId({ nestedMethod: Lazy.any({ produce: () => nestedStack.resolve(resource._toCloudFormation()) }) });
      }
    }
  }

  /**
   * Past API Gateway's default quota of resources per REST API the deployment fails until the
   * quota is raised: said at synthesis, not refused (the quota is adjustable).
   */
  private warnAboutResourceQuota(fleet: IFleetContext, serverCount: number): void {
    const resources = this.node.findAll().filter((c) => c instanceof apigateway.CfnResource).length + 1; // + the root
    if (resources <= REST_API_RESOURCE_QUOTA) return;
    Annotations.of(this).addWarningV2('mcp-server-fleet:restApiResourceQuota',
      `The REST API of fleet ${fleet.scope.node.path} has ${resources} resources for ${serverCount} servers, over API Gateway's `
      + `default quota of ${REST_API_RESOURCE_QUOTA} resources per REST API ("Resources per API", adjustable): ask for an increase `
      + 'in Service Quotas before deploying, or split the servers over several fleets.');
  }

  /**
   * A server's endpoint URL. In a nested stack's outputs it cannot name the stage by reference (the
   * stage waits for the nested stacks): the stage's name, the environment, is written instead; the
   * URL is the same.
   */
  public endpointUrl(fleet: IFleetContext, serverName: string): string {
    const path = `/${serverName}/mcp`;
    if (!this.placements.get(serverName)?.nestedStack) return this.restApi.deploymentStage.urlForPath(path);
    const stack = Stack.of(this);
    return `https://${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${fleet.environment}${path}`;
  }

  /**
   * The Lambda segment of the fleet's monitoring. Split, each nested stack holds its servers'
   * alarms (300 alarms for 100 servers would not fit the fleet's stack), while the dashboard keeps
   * one line per function on the same four widgets (CloudWatch allows 500 metrics per graph).
   */
  public monitoring(fleet: IFleetContext, options: ResolvedLambdaOptions): IFleetMonitoring {
    const watched = (names: string[]): MonitoredFunction[] => names.map((name) => ({
      id: name,
      label: `MCP server ${name}`,
      lambdaFunction: this.functions.get(name)!.lambdaFunction,
      timeout: options.timeout,
    }));
    const all = new LambdaMonitoring(fleet.scope, { functions: watched([...this.functions.keys()]), thresholds: options.alarmThresholds });
    if (this.nestedStacks.length === 0) return all;
    const perStack = this.nestedStacks.map((nestedStack) => new LambdaMonitoring(nestedStack, {
      functions: watched([...this.functions.keys()].filter((name) => this.placements.get(name)!.nestedStack === nestedStack)),
      thresholds: options.alarmThresholds,
    }));
    return new SplitLambdaMonitoring(all, perStack);
  }

  private createApi(fleet: IFleetContext, options: ResolvedLambdaOptions, props: LambdaPerServerProps): apigateway.RestApi {
    const cloudWatchRole = props.cloudWatchRole ?? true;
    const api = new apigateway.RestApi(this, 'Api', {
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: `MCP servers (${fleet.environment})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole,
      deployOptions: {
        stageName: fleet.environment,
        throttlingRateLimit: options.throttlingRateLimit,
        throttlingBurstLimit: options.throttlingBurstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.INFO,
        dataTraceEnabled: props.dataTraceEnabled ?? false,
        metricsEnabled: true,
        tracingEnabled: options.tracing,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    if (cloudWatchRole) {
      const role = api.node.tryFindChild('CloudWatchRole');
      if (role) {
        acknowledgeRule(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
          'The account-level role API Gateway writes execution and access logs with; AWS maintains this policy for exactly '
          + 'that purpose (set cloudWatchRole: false when the account already has the role).');
      }
    }
    return api;
  }

  /**
   * INFO execution logging writes to a log group API Gateway would create itself, with no
   * retention; create it first with the fleet's retention.
   */
  private createExecutionLogGroup(fleet: IFleetContext, api: apigateway.RestApi): logs.LogGroup {
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${fleet.environment}`,
      retention: fleet.logRetention,
    });
    api.deploymentStage.node.addDependency(executionLogs);
    return executionLogs;
  }
}

/** The alarms of each nested stack's segment, and the widgets of one segment over every function. */
class SplitLambdaMonitoring implements IFleetMonitoring {
  constructor(private readonly widgetSegment: LambdaMonitoring, private readonly alarmSegments: LambdaMonitoring[]) {}

  public alarms(): cloudwatch.AlarmBase[] {
    return this.alarmSegments.flatMap((segment) => segment.alarms());
  }

  public widgets(): cloudwatch.IWidget[] {
    return this.widgetSegment.widgets();
  }
}
