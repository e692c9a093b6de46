import { Duration, Names, Tags } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FleetComputeBinding, FleetServerConfig, FleetServerResources, IFleetCompute } from './compute';
import { CORS_ALLOW_HEADERS, CORS_MAX_AGE } from './cors';
import { McpFunction, resolveLambdaOptions, serverEnvironment, sharedEnvironment } from './lambda-common';
import { LambdaComputeOptions } from './lambda-options';
import { renderServerList } from '../contract';
import type { McpServerFleet } from '../fleet';
import { acknowledgeRule } from '../nag';

/** Access log fields of the HTTP API (its context variables differ from the REST API's). */
const HTTP_API_ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
}));

/** Settings of the multi-server topology. */
export interface LambdaMultiServerProps extends LambdaComputeOptions {}

/**
 * One Lambda function hosting every server behind an HTTP API.
 *
 * Routes: `POST /<server>` and `POST /<server>/{proxy+}` (so `/<server>/mcp` works) for each
 * server, `GET /<server>/health` and `GET /health`; a `$default` stage with auto-deploy,
 * throttling and access logs. CORS preflight is answered by the HTTP API when the fleet allows
 * origins; with none, no CORS configuration is set and browsers refuse cross-origin calls.
 *
 * Every server's variables share one function environment, which Lambda limits to 4 KB (measured
 * as compact JSON). A GitLab server with a secret takes about 160-190 bytes (by the length of its
 * name, URL and ARN), so 20 to 24 fit; beyond that the fleet refuses to synthesize, naming itself and the size. Values known only
 * at deployment (the ARN of a secret created in the same app) are counted at their real length.
 */
export class LambdaMultiServerCompute implements IFleetCompute {
  private readonly props: LambdaMultiServerProps;
  private _httpApi?: apigwv2.HttpApi;
  private _stage?: apigwv2.HttpStage;
  private _accessLogGroup?: logs.LogGroup;

  constructor(props: LambdaMultiServerProps = {}) {
    this.props = props;
  }

  /** The HTTP API, once bound to a fleet. */
  public get httpApi(): apigwv2.HttpApi | undefined {
    return this._httpApi;
  }

  /** The `$default` stage, once bound to a fleet. */
  public get stage(): apigwv2.HttpStage | undefined {
    return this._stage;
  }

  /** The log group of the stage's access logs, once bound to a fleet. */
  public get accessLogGroup(): logs.LogGroup | undefined {
    return this._accessLogGroup;
  }

  public bind(fleet: McpServerFleet, servers: FleetServerConfig[]): FleetComputeBinding {
    if (this._httpApi) {
      throw new Error('A FleetCompute can serve one fleet only; create one with FleetCompute.lambdaMultiServer() for each fleet');
    }
    const options = resolveLambdaOptions(this.props, { memorySize: 1024, maxTimeoutSeconds: 30, behind: 'the HTTP API' });
    const root = new Construct(fleet, 'LambdaMultiServer');
    Tags.of(root).add('Type', 'multi-server'); // spec A.6

    const serverList = renderServerList(servers);
    const environment: Record<string, string> = {
      ...sharedEnvironment(fleet, options),
      POWERTOOLS_SERVICE_NAME: 'mcp-servers',
      MCP_SERVERS: serverList,
    };
    for (const server of servers) Object.assign(environment, serverEnvironment(server));
    const fn = new McpFunction(root, 'Servers', {
      fleet,
      options,
      servers,
      environment,
      description: `MCP servers ${servers.map((s) => s.name).join(', ')} (${fleet.environment})`,
    });

    const api = new apigwv2.HttpApi(root, 'HttpApi', {
      apiName: Names.uniqueResourceName(root, { maxLength: 128, separator: '-' }),
      description: `MCP servers (${fleet.environment})`,
      createDefaultStage: false,
      corsPreflight: fleet.allowedOrigins.length > 0 ? {
        allowOrigins: fleet.allowedOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: Duration.seconds(CORS_MAX_AGE),
      } : undefined,
    });
    this._accessLogGroup = new logs.LogGroup(root, 'AccessLogs', { retention: fleet.logRetention });
    const stage = new apigwv2.HttpStage(root, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: options.throttlingRateLimit, burstLimit: options.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this._accessLogGroup),
        format: HTTP_API_ACCESS_LOG_FORMAT,
      },
    });

    // One invoke permission for the whole API (the spec's `execution_arn/*/*`): one per route would put
    // three statements per server into the function's resource policy, which Lambda caps at 20 KB.
    const integration = new integrations.HttpLambdaIntegration('Servers', fn.lambdaFunction, { scopePermissionToRoute: false });
    for (const server of servers) {
      api.addRoutes({ path: `/${server.name}`, methods: [apigwv2.HttpMethod.POST], integration });
      api.addRoutes({ path: `/${server.name}/{proxy+}`, methods: [apigwv2.HttpMethod.POST], integration });
      api.addRoutes({ path: `/${server.name}/health`, methods: [apigwv2.HttpMethod.GET], integration });
    }
    api.addRoutes({ path: '/health', methods: [apigwv2.HttpMethod.GET], integration });

    acknowledgeRule(api, 'AwsSolutions-APIG4',
      'The fleet has no built-in MCP client authentication yet; the servers act '
      + 'with their own upstream credentials, the stage is throttled, and the runtime checks Origin.');

    this._httpApi = api;
    this._stage = stage;
    const resources: FleetServerResources[] = servers.map((server) => ({
      serverName: server.name,
      endpointUrl: `${api.apiEndpoint}/${server.name}/mcp`,
      lambdaFunction: fn.lambdaFunction,
      logGroup: fn.logGroup,
    }));
    return {
      servers: resources,
      apiId: api.apiId,
      apiUrl: `${api.apiEndpoint}/`,
      apiMetrics: {
        clientErrors: api.metricClientError({ period: Duration.seconds(60), label: '4XX' }),
        serverErrors: api.metricServerError({ period: Duration.seconds(60), label: '5XX' }),
        latency: api.metricLatency({ period: Duration.seconds(60), label: 'Latency (average)' }),
        requests: api.metricCount({ period: Duration.seconds(60), statistic: 'Sum', label: 'Requests' }),
      },
      alarmThresholds: options.alarmThresholds,
    };
  }
}
