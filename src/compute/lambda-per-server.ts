import { Duration, Names } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FleetComputeBinding, FleetServerConfig, FleetServerResources, IFleetCompute } from './compute';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE, gatewayResponseCorsHeaders } from './cors';
import {
  McpFunction,
  ResolvedLambdaOptions,
  resolveLambdaOptions,
  serverEnvironment,
  sharedEnvironment,
} from './lambda-common';
import { LambdaComputeOptions } from './lambda-options';
import type { McpServerFleet } from '../fleet';
import { acknowledgeRule } from '../nag';
import { validateInteger } from '../validation';

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
   * Requires an API key (`x-api-key`) on the MCP methods, so the usage plan's quota and
   * throttling apply per key (add keys with `compute.usagePlan.addApiKey(...)`). Usage plans
   * only meter requests that carry a key.
   *
   * @default false
   */
  readonly apiKeyRequired?: boolean;

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
 * CORS preflight: with allowed origins, API Gateway answers OPTIONS itself (a mock integration,
 * echoing an allowed origin). With none, OPTIONS is proxied to the function, whose
 * runtime answers without `Access-Control-Allow-Origin`, so browsers refuse cross-origin calls
 * while the route still exists. Either way the runtime checks `Origin` against the same list.
 *
 * Each server's endpoint is `https://<api>.execute-api.<region>.amazonaws.com/<environment>/<server>/mcp`
 * (`/<server>` answers too).
 */
export class LambdaPerServerCompute implements IFleetCompute {
  private readonly props: LambdaPerServerProps;
  private _restApi?: apigateway.RestApi;
  private _usagePlan?: apigateway.UsagePlan;
  private _accessLogGroup?: logs.LogGroup;
  private _executionLogGroup?: logs.LogGroup;

  constructor(props: LambdaPerServerProps = {}) {
    this.props = props;
  }

  /**
   * The REST API, once bound to a fleet.
   */
  public get restApi(): apigateway.RestApi | undefined {
    return this._restApi;
  }

  /**
   * The usage plan carrying the monthly quota, once bound to a fleet.
   */
  public get usagePlan(): apigateway.UsagePlan | undefined {
    return this._usagePlan;
  }

  /**
   * The log group of the stage's access logs, once bound to a fleet.
   */
  public get accessLogGroup(): logs.LogGroup | undefined {
    return this._accessLogGroup;
  }

  /**
   * The log group of the stage's execution logs (`API-Gateway-Execution-Logs_<api id>/<stage>`),
   * created with the fleet's retention before API Gateway would create it without one; once bound.
   */
  public get executionLogGroup(): logs.LogGroup | undefined {
    return this._executionLogGroup;
  }

  public bind(fleet: McpServerFleet, servers: FleetServerConfig[]): FleetComputeBinding {
    if (this._restApi) {
      throw new Error('A FleetCompute can serve one fleet only; create one with FleetCompute.lambdaPerServer() for each fleet');
    }
    const options = resolveLambdaOptions(this.props, { memorySize: 256, maxTimeoutSeconds: 29, behind: 'the REST API' });
    const monthlyQuota = this.props.monthlyQuota ?? 1_000_000;
    validateInteger('monthlyQuota', monthlyQuota, 1);

    const root = new Construct(fleet, 'LambdaPerServer');
    const api = this.createApi(root, fleet, options);
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

    const resources: FleetServerResources[] = [];
    const shared = sharedEnvironment(fleet, options);
    for (const server of servers) {
      const environment: Record<string, string> = {
        ...shared,
        POWERTOOLS_SERVICE_NAME: `mcp-${server.name}`,
        SERVER_NAME: server.name,
        ...(server.kind !== server.name ? { SERVER_KIND: server.kind } : {}),
        ...serverEnvironment(server),
      };
      const fn = new McpFunction(root, server.name, {
        fleet,
        options,
        servers: [server],
        environment,
        description: `MCP server ${server.name} (${server.kind}, ${fleet.environment})`,
      });
      const integration = new apigateway.LambdaIntegration(fn.lambdaFunction, { allowTestInvoke: false });
      const mcpMethod: apigateway.MethodOptions = {
        requestValidator: validator,
        requestModels: { 'application/json': model },
        apiKeyRequired: this.props.apiKeyRequired ?? false,
      };
      const serverResource = api.root.addResource(server.name);
      const mcpResource = serverResource.addResource('mcp');
      const healthResource = serverResource.addResource('health');
      for (const resource of [serverResource, mcpResource]) {
        resource.addMethod('POST', integration, mcpMethod);
        if (fleet.allowedOrigins.length > 0) {
          resource.addCorsPreflight({
            allowOrigins: fleet.allowedOrigins,
            allowMethods: CORS_ALLOW_METHODS,
            allowHeaders: CORS_ALLOW_HEADERS,
            maxAge: Duration.seconds(CORS_MAX_AGE),
          });
        } else {
          resource.addMethod('OPTIONS', integration);
        }
      }
      healthResource.addMethod('GET', integration);

      resources.push({
        serverName: server.name,
        endpointUrl: api.deploymentStage.urlForPath(`/${server.name}/mcp`),
        lambdaFunction: fn.lambdaFunction,
        logGroup: fn.logGroup,
      });
    }

    this._usagePlan = api.addUsagePlan('UsagePlan', {
      description: `MCP servers (${fleet.environment}): the spec's throttle and monthly quota`,
      throttle: { rateLimit: options.throttlingRateLimit, burstLimit: options.throttlingBurstLimit },
      quota: { limit: monthlyQuota, period: apigateway.Period.MONTH },
      apiStages: [{ api, stage: api.deploymentStage }],
    });

    this.acknowledgeAuthFindings(api);
    this._restApi = api;
    const stage = api.deploymentStage;
    return {
      servers: resources,
      apiId: api.restApiId,
      apiUrl: api.url,
      apiMetrics: {
        clientErrors: stage.metricClientError({ period: Duration.seconds(60), label: '4XX' }),
        serverErrors: stage.metricServerError({ period: Duration.seconds(60), label: '5XX' }),
        latency: stage.metricLatency({ period: Duration.seconds(60), label: 'Latency (average)' }),
        requests: stage.metricCount({ period: Duration.seconds(60), statistic: 'Sum', label: 'Requests' }),
      },
      alarmThresholds: options.alarmThresholds,
    };
  }

  private createApi(root: Construct, fleet: McpServerFleet, options: ResolvedLambdaOptions): apigateway.RestApi {
    this._accessLogGroup = new logs.LogGroup(root, 'AccessLogs', { retention: fleet.logRetention });
    const cloudWatchRole = this.props.cloudWatchRole ?? true;
    const api = new apigateway.RestApi(root, 'Api', {
      restApiName: Names.uniqueResourceName(root, { maxLength: 128, separator: '-' }),
      description: `MCP servers (${fleet.environment})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole,
      deployOptions: {
        stageName: fleet.environment,
        throttlingRateLimit: options.throttlingRateLimit,
        throttlingBurstLimit: options.throttlingBurstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.INFO,
        dataTraceEnabled: this.props.dataTraceEnabled ?? false,
        metricsEnabled: true,
        tracingEnabled: options.tracing,
        accessLogDestination: new apigateway.LogGroupLogDestination(this._accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    // INFO execution logging writes to a log group API Gateway would create itself, with no
    // retention; create it first with the fleet's retention.
    const executionLogs = new logs.LogGroup(root, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${fleet.environment}`,
      retention: fleet.logRetention,
    });
    api.deploymentStage.node.addDependency(executionLogs);
    this._executionLogGroup = executionLogs;
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

  private acknowledgeAuthFindings(api: apigateway.RestApi): void {
    const auth = 'The fleet has no built-in MCP client authentication yet; the servers act '
      + 'with their own upstream credentials, requests are throttled (and metered by the usage plan when apiKeyRequired is set), '
      + 'and the runtime checks Origin.';
    acknowledgeRule(api, 'AwsSolutions-APIG4', auth);
    acknowledgeRule(api, 'AwsSolutions-COG4', auth);
    acknowledgeRule(api, 'AwsSolutions-APIG3',
      'A WAFv2 web ACL is account- and organisation-specific (rules, logging, cost); associate yours with the stage '
      + '(compute.restApi.deploymentStage.stageArn).');
  }
}
