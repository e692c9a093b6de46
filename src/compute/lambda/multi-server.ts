import { Duration, Names, Tags } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaComputeBase } from './base';
import { McpFunction, httpsOnlySecurityGroup } from './mcp-function';
import { LambdaComputeOptions, ResolvedLambdaOptions, resolveLambdaOptions } from './options';
import { FleetAuthConfig, FleetAuthMode } from '../../auth/fleet-auth';
import { METADATA_PATH, acknowledgePublicRoute, usesBearerTokens } from '../../auth/front-door';
import { LAMBDA_DEFAULTS } from '../../defaults';
import { ApiMonitoring } from '../../observability/api-monitoring';
import { LambdaMonitoring } from '../../observability/lambda-monitoring';
import { CORS_ALLOW_HEADERS, CORS_MAX_AGE } from '../cors';
import type { FleetComputeBinding, FleetServerDescription, IFleetContext } from '../types';

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
 * The fleet's `auth` on the MCP routes: `oauth()` and `cognito()` a JWT authorizer (issuer, and
 * the audience given, the app clients, or every server's endpoint URL), checked again by the
 * runtime; `iam()` the IAM authorizer (grant with `fleet.grantInvoke`). HTTP APIs take no API
 * keys: `apiKeys()` is refused. Health and, with bearer tokens, the RFC 9728 metadata
 * (`GET /.well-known/oauth-protected-resource` and `.../<server>/mcp`) take no credential.
 *
 * Every server's variables share one function environment, which Lambda limits to 4 KB (measured
 * as compact JSON). A GitLab server with a secret takes about 160-190 bytes (by the length of its
 * name, URL and ARN), so 20 to 24 fit; beyond that the fleet refuses to synthesize, naming itself and the size. Values known only
 * at deployment (the ARN of a secret created in the same app) are counted at their real length.
 * A Dynatrace or PagerDuty server takes about as much as a GitLab one; an Atlassian or ServiceNow
 * server, with two credentials, about 300-350 bytes: the spec's five servers take about 1.3 KB.
 */
export class LambdaMultiServerCompute extends LambdaComputeBase {
  private readonly props: LambdaMultiServerProps;
  private built?: LambdaMultiServerResources;

  constructor(props: LambdaMultiServerProps = {}) {
    super();
    this.props = props;
  }

  /** The HTTP API, once bound to a fleet. */
  public get httpApi(): apigwv2.HttpApi | undefined {
    return this.built?.httpApi;
  }

  /** The `$default` stage, once bound to a fleet. */
  public get stage(): apigwv2.HttpStage | undefined {
    return this.built?.stage;
  }

  /** The log group of the stage's access logs, once bound to a fleet. */
  public get accessLogGroup(): logs.LogGroup | undefined {
    return this.built?.accessLogGroup;
  }

  /**
   * The security groups of the function, once bound to a fleet in a VPC (the `securityGroups`
   * prop, or the one the compute created).
   */
  public get securityGroups(): ec2.ISecurityGroup[] | undefined {
    return this.built?.securityGroups;
  }

  public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    if (this.built) {
      throw new Error('A FleetCompute can serve one fleet only; create one with FleetCompute.lambdaMultiServer() for each fleet');
    }
    if (fleet.auth.mode === FleetAuthMode.API_KEYS) {
      throw new Error(`\`auth\` of fleet ${fleet.scope.node.path} is FleetAuth.apiKeys(), but FleetCompute.lambdaMultiServer() serves `
        + 'through an HTTP API, which cannot require API keys: use FleetCompute.lambdaPerServer() (a REST API with a usage plan), '
        + 'or FleetAuth.oauth(), cognito() or iam()');
    }
    const options = resolveLambdaOptions(this.props, {
      memorySize: LAMBDA_DEFAULTS.multiServerMemoryMb,
      maxTimeoutSeconds: 30,
      behind: 'the HTTP API',
    });
    const built = new LambdaMultiServerResources(fleet.scope, 'LambdaMultiServer', { fleet, servers, options });
    this.built = built;
    const fn = built.mcpFunction;
    this._functionsByServer = new Map(servers.map((s) => [s.name, fn.lambdaFunction]));

    const names = servers.map((s) => s.name);
    return {
      servers: servers.map((server) => ({
        name: server.name,
        endpointUrl: `${built.httpApi.apiEndpoint}/${server.name}/mcp`,
        logGroup: fn.logGroup,
        invokeArns: [`/${server.name}`, `/${server.name}/*`].map((path) => built.httpApi.arnForExecuteApi('POST', path, '$default')),
      })),
      monitoring: [
        new LambdaMonitoring(fleet.scope, {
          functions: [{
            id: 'AllServers',
            label: `MCP servers ${names.join(', ')}`,
            lambdaFunction: fn.lambdaFunction,
            timeout: options.timeout,
          }],
          thresholds: options.alarmThresholds,
        }),
        ApiMonitoring.of(built.httpApi),
      ],
      outputs: [
        { id: 'ApiId', value: built.httpApi.apiId, description: 'API Gateway ID', exportSuffix: 'api-id' },
        // One function serves every server; each server keeps its own output so that what reads
        // `<fleet>-<server>-function-arn` works whichever Lambda topology the fleet uses.
        ...names.map((name) => ({
          id: `${name}-FunctionArn`,
          value: fn.lambdaFunction.functionArn,
          description: `Lambda function ARN of MCP server ${name}`,
          exportSuffix: `${name}-function-arn`,
        })),
      ],
    };
  }
}

interface LambdaMultiServerResourcesProps {
  readonly fleet: IFleetContext;
  readonly servers: FleetServerDescription[];
  readonly options: ResolvedLambdaOptions;
}

/** What `LambdaMultiServerCompute` builds for a fleet. */
class LambdaMultiServerResources extends Construct {
  public readonly mcpFunction: McpFunction;
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly securityGroups?: ec2.ISecurityGroup[];

  constructor(scope: Construct, id: string, { fleet, servers, options }: LambdaMultiServerResourcesProps) {
    super(scope, id);
    Tags.of(this).add('Type', 'multi-server'); // spec A.6

    const environment = fleet.renderRuntimeEnvironment(servers, {
      multiServer: true,
      logLevel: options.logLevel,
      secretCacheTtl: options.secretCacheTtl,
    });
    if (options.vpc) {
      this.securityGroups = options.securityGroups
        ?? [httpsOnlySecurityGroup(this, 'SecurityGroup', options.vpc, `MCP servers function of ${fleet.scope.node.path}: HTTPS out only`)];
    }
    const fn = new McpFunction(this, 'Servers', {
      fleet,
      options,
      servers,
      environment: environment.variables,
      description: `MCP servers ${servers.map((s) => s.name).join(', ')} (${fleet.environment})`,
      securityGroups: this.securityGroups,
    });
    this.mcpFunction = fn;

    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: `MCP servers (${fleet.environment})`,
      createDefaultStage: false,
      // The HTTP API adds these headers to its integration's answers only: its own (429 throttled,
      // 404 no route, 413 too large) carry none, and HTTP APIs have no gateway responses to change
      // that. The runtime's answers, which are all MCP clients read, do carry them.
      corsPreflight: fleet.allowedOrigins.length > 0 ? {
        allowOrigins: fleet.allowedOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: Duration.seconds(CORS_MAX_AGE),
      } : undefined,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: fleet.logRetention });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: options.throttlingRateLimit, burstLimit: options.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: HTTP_API_ACCESS_LOG_FORMAT,
      },
    });

    // One invoke permission for the whole API (the spec's `execution_arn/*/*`): one per route would put
    // three statements per server into the function's resource policy, which Lambda caps at 20 KB.
    const integration = new integrations.HttpLambdaIntegration('Servers', fn.lambdaFunction, { scopePermissionToRoute: false });
    const mcpAuth = mcpRouteAuth(this, fleet.auth, api, servers);
    const publicRoute = (path: string, what: 'health' | 'metadata') => {
      for (const route of api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration })) acknowledgePublicRoute(route, what, false);
    };
    for (const server of servers) {
      api.addRoutes({ path: `/${server.name}`, methods: [apigwv2.HttpMethod.POST], integration, ...mcpAuth });
      api.addRoutes({ path: `/${server.name}/{proxy+}`, methods: [apigwv2.HttpMethod.POST], integration, ...mcpAuth });
      publicRoute(`/${server.name}/health`, 'health');
      if (usesBearerTokens(fleet.auth)) {
        // Both endpoints of the server (`/<server>` answers too) have their metadata.
        publicRoute(`${METADATA_PATH}/${server.name}`, 'metadata');
        publicRoute(`${METADATA_PATH}/${server.name}/mcp`, 'metadata');
      }
    }
    publicRoute('/health', 'health');
    if (usesBearerTokens(fleet.auth)) publicRoute(METADATA_PATH, 'metadata');
    this.httpApi = api;
  }
}

/** The authorizer of the MCP routes, by the fleet's `auth` (none() and, refused earlier, apiKeys(): none). */
function mcpRouteAuth(scope: Construct, auth: FleetAuthConfig, api: apigwv2.HttpApi, servers: FleetServerDescription[])
  : Pick<apigwv2.AddRoutesOptions, 'authorizer' | 'authorizationScopes'> {
  if (usesBearerTokens(auth)) {
    // One authorizer for the API (an HTTP API takes ten): without an audience of the user's, every
    // server's resource URI is accepted here, and the runtime then holds each token to its own server's.
    const audience = auth.audience ?? servers.map((s) => `${api.apiEndpoint}/${s.name}/mcp`);
    const authorizer = new authorizers.HttpJwtAuthorizer('Authorizer', auth.issuer!, {
      jwtAudience: audience,
      authorizerName: `${Names.uniqueResourceName(scope, { maxLength: 100, separator: '-' })}-jwt`,
    });
    return { authorizer, authorizationScopes: auth.requiredScopes.length > 0 ? auth.requiredScopes : undefined };
  }
  if (auth.mode === FleetAuthMode.IAM) return { authorizer: new authorizers.HttpIamAuthorizer() };
  return {};
}
