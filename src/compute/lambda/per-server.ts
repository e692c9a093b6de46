import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
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
import { LambdaMonitoring } from '../../observability/lambda-monitoring';
import { validateInteger } from '../../validation';
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
}

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

    const built = new LambdaPerServerResources(fleet.scope, 'LambdaPerServer', {
      fleet,
      servers,
      options,
      monthlyQuota,
      props: this.props,
    });
    this.built = built;
    this._functionsByServer = new Map(servers.map((s) => [s.name, built.functions.get(s.name)!.lambdaFunction]));

    const stage = built.restApi.deploymentStage;
    return {
      servers: servers.map((server): FleetServerEndpoint => ({
        name: server.name,
        endpointUrl: stage.urlForPath(`/${server.name}/mcp`),
        logGroup: built.functions.get(server.name)!.logGroup,
        invokeArns: [`/${server.name}`, `/${server.name}/mcp`].map((path) => built.restApi.arnForExecuteApi('POST', path, stage.stageName)),
      })),
      monitoring: [
        new LambdaMonitoring(fleet.scope, {
          functions: servers.map((server) => ({
            id: server.name,
            label: `MCP server ${server.name}`,
            lambdaFunction: built.functions.get(server.name)!.lambdaFunction,
            timeout: options.timeout,
          })),
          thresholds: options.alarmThresholds,
        }),
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
  readonly props: LambdaPerServerProps;
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
  private authorizer?: apigateway.CognitoUserPoolsAuthorizer;

  constructor(scope: Construct, id: string, { fleet, servers, options, monthlyQuota, props }: LambdaPerServerResourcesProps) {
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

    for (const server of servers) {
      const environment = fleet.renderRuntimeEnvironment([server], {
        multiServer: false,
        logLevel: options.logLevel,
        secretCacheTtl: options.secretCacheTtl,
      });
      const fn = new McpFunction(this, server.name, {
        fleet,
        options,
        servers: [server],
        environment: environment.variables,
        description: `MCP server ${server.name} (${server.kind}, ${fleet.environment})`,
        securityGroups: this.securityGroups,
      });
      this.functions.set(server.name, fn);
      this.addRoutes(fleet, server, fn.lambdaFunction, {
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
  private addRoutes(fleet: IFleetContext, server: FleetServerDescription, fn: lambda.IFunction, mcpMethod: apigateway.MethodOptions): void {
    const integration = new apigateway.LambdaIntegration(fn, { allowTestInvoke: false });
    const serverResource = this.restApi.root.addResource(server.name);
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
      const serverMetadata = this.metadataResource().addResource(server.name);
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
