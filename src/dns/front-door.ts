/**
 * What a custom domain needs of a fleet's front door, whichever of the three built-in computes
 * made it: how to put the name on it (an API Gateway custom domain, or a certificate on the ALB's
 * listener), the alias target of the record, and where Route 53 health-checks it.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { FargateComputeBase } from '../compute/fargate/base';
import { McpLoadBalancer } from '../compute/fargate/load-balancer';
import { LambdaMultiServerCompute } from '../compute/lambda/multi-server';
import { LambdaPerServerCompute } from '../compute/lambda/per-server';
import type { McpServerFleet } from '../fleet';

/** The kinds of front door the built-in computes make. */
export enum FrontDoorKind {
  REST_API = 'REST API',
  HTTP_API = 'HTTP API',
  LOAD_BALANCER = 'application load balancer',
}

/** The custom name, put on a front door. */
export interface AttachedDomain {
  /** The alias target of the name's A record. */
  readonly target: route53.IAliasRecordTarget;
  /** The certificate the front door presents for the name. */
  readonly certificate: acm.ICertificate;
  /** The API Gateway custom domain name (REST: v1, HTTP: v2), when the front door is an API. */
  readonly restDomain?: apigateway.DomainName;
  readonly httpDomain?: apigwv2.DomainName;
}

/** A fleet's front door, as the DNS constructs see it. */
export interface FrontDoor {
  readonly kind: FrontDoorKind;
  readonly fleet: McpServerFleet;
  /**
   * The host Route 53 health-checks: the API's own `execute-api` host or the ALB's DNS name, never
   * the custom name (which, under failover, resolves to whichever side is answering).
   */
  readonly healthCheckHost: string;
  /** The path on that host the runtime answers 200 on, for the server given. */
  healthCheckPath(serverName: string): string;
  /**
   * The certificate the front door already presents for `domainName` (a Fargate compute given the
   * same `domainName`): nothing to attach then.
   */
  certificateFor(domainName: string): acm.ICertificate | undefined;
  /** The record the compute itself made for `domainName` in `zone` (a Fargate compute given both). */
  ownRecord(domainName: string, zone: route53.IHostedZone): route53.ARecord | undefined;
  /** Puts `domainName` on the front door with `certificate` (created when undefined). */
  attach(scope: Construct, domainName: string, zone: route53.IHostedZone, certificate?: acm.ICertificate): AttachedDomain;
}

/** The front door of a fleet with a built-in compute; refuses any other compute, naming it. */
export function frontDoorOf(fleet: McpServerFleet, prop: string): FrontDoor {
  const compute = fleet.compute;
  if (compute instanceof LambdaPerServerCompute && compute.restApi) return restApiFrontDoor(fleet, compute.restApi);
  if (compute instanceof LambdaMultiServerCompute && compute.httpApi && compute.stage) {
    return httpApiFrontDoor(fleet, compute.httpApi, compute.stage);
  }
  if (compute instanceof FargateComputeBase && compute.loadBalancer && compute.httpsListener) {
    return loadBalancerFrontDoor(fleet, compute.loadBalancer, compute.httpsListener);
  }
  throw new Error(`\`${prop}\`: the compute of fleet ${fleet.node.path} is a ${compute.constructor?.name ?? typeof compute}, `
    + 'whose front door the DNS constructs do not know: they serve FleetCompute.lambdaPerServer() (its REST API), '
    + 'lambdaMultiServer() (its HTTP API), fargatePerServer() and fargateMultiServer() (their load balancer). '
    + 'For a compute of your own, point a Route 53 record at its front door yourself.');
}

/** A certificate for `domainName`, validated by DNS records in `zone`. */
function certificateFor(scope: Construct, domainName: string, zone: route53.IHostedZone, certificate?: acm.ICertificate): acm.ICertificate {
  return certificate ?? new acm.Certificate(scope, 'Certificate', {
    domainName,
    validation: acm.CertificateValidation.fromDns(zone),
  });
}

/** `<api id>.execute-api.<region>.<url suffix>`: the API's own host, which takes no custom certificate. */
function executeApiHost(scope: Construct, apiId: string): string {
  const stack = Stack.of(scope);
  return `${apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
}

function restApiFrontDoor(fleet: McpServerFleet, api: apigateway.RestApi): FrontDoor {
  const stage = api.deploymentStage;
  return {
    kind: FrontDoorKind.REST_API,
    fleet,
    healthCheckHost: executeApiHost(api, api.restApiId),
    // The REST API has no `/health` of its own: each server's function answers `/<server>/health`,
    // under the stage (named after the environment) on the API's own host.
    healthCheckPath: (server) => `/${fleet.environment}/${server}/health`,
    certificateFor: () => undefined,
    ownRecord: () => undefined,
    attach: (scope, domainName, zone, given) => {
      const certificate = certificateFor(scope, domainName, zone, given);
      const domain = new apigateway.DomainName(scope, 'RestApiDomain', {
        domainName,
        certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      });
      // The stage at the root (no base path): `https://<domain>/<server>/mcp` is the stage's
      // `/<server>/mcp`; the runtime routes the event's `path`, which carries a base path when one
      // is mapped (and then matches no route), and RFC 9728's well-known URL, inserted at the
      // host's root, lands on the stage's metadata resources.
      new apigateway.BasePathMapping(scope, 'BasePathMapping', { domainName: domain, restApi: api, stage });
      pointUnauthorizedAtCustomName(api, domainName);
      return { target: new route53targets.ApiGatewayDomain(domain), certificate, restDomain: domain };
    },
  };
}

function httpApiFrontDoor(fleet: McpServerFleet, api: apigwv2.HttpApi, stage: apigwv2.HttpStage): FrontDoor {
  return {
    kind: FrontDoorKind.HTTP_API,
    fleet,
    healthCheckHost: executeApiHost(api, api.apiId),
    // `GET /health` is a route of the HTTP API: the one function answers for every server.
    healthCheckPath: () => '/health',
    certificateFor: () => undefined,
    ownRecord: () => undefined,
    attach: (scope, domainName, zone, given) => {
      const certificate = certificateFor(scope, domainName, zone, given);
      const domain = new apigwv2.DomainName(scope, 'HttpApiDomain', {
        domainName,
        certificate,
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      // No mapping key: the `$default` stage at the root, as on the API's own host.
      new apigwv2.ApiMapping(scope, 'ApiMapping', { api, domainName: domain, stage });
      acceptCustomNameAudience(fleet, api, domainName);
      return {
        target: new route53targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
        certificate,
        httpDomain: domain,
      };
    },
  };
}

function loadBalancerFrontDoor(fleet: McpServerFleet, loadBalancer: elbv2.ApplicationLoadBalancer, listener: elbv2.ApplicationListener): FrontDoor {
  const frontDoor = loadBalancer.node.scope instanceof McpLoadBalancer ? loadBalancer.node.scope : undefined;
  const servesName = (domainName: string) => frontDoor?.baseUrl === `https://${domainName}`;
  return {
    kind: FrontDoorKind.LOAD_BALANCER,
    fleet,
    healthCheckHost: loadBalancer.loadBalancerDnsName,
    // The listener forwards `/<server>` and below only (anything else gets its JSON 404): the
    // runtime answers `/<server>/health` behind it.
    healthCheckPath: (server) => `/${server}/health`,
    certificateFor: (domainName) => (servesName(domainName) ? frontDoor!.certificate : undefined),
    ownRecord: (domainName, zone) => {
      const record = frontDoor?.node.tryFindChild('AliasRecord');
      if (!(record instanceof route53.ARecord) || !servesName(domainName)) return undefined;
      const cfn = record.node.defaultChild as route53.CfnRecordSet;
      return sameZone(cfn.hostedZoneId, zone.hostedZoneId) ? record : undefined;
    },
    attach: (scope, domainName, zone, given) => {
      // The compute was given this name: its listener presents the certificate for it already.
      if (servesName(domainName) && !given) return { target: albTarget(loadBalancer), certificate: frontDoor!.certificate };
      const certificate = certificateFor(scope, domainName, zone, given);
      // A second certificate on the HTTPS listener: the ALB picks it by SNI for this name.
      new elbv2.ApplicationListenerCertificate(scope, 'ListenerCertificate', {
        listener,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
      });
      return { target: albTarget(loadBalancer), certificate };
    },
  };
}

/**
 * With Cognito and one server, the REST API's authorizer answers a missing token itself, naming
 * the server's RFC 9728 metadata on the API's own host. A client of the custom name would read
 * there a `resource` that is not the URL it connected to, and stop: name the metadata on the
 * custom name instead (the stage is at its root), as the runtime does for the requests it answers.
 */
function pointUnauthorizedAtCustomName(api: apigateway.RestApi, domainName: string): void {
  const header = 'gatewayresponse.header.WWW-Authenticate';
  for (const construct of api.node.findAll()) {
    if (!(construct instanceof apigateway.CfnGatewayResponse) || construct.responseType !== 'UNAUTHORIZED') continue;
    const parameters = construct.responseParameters as Record<string, string> | undefined;
    const value = parameters?.[header];
    // `'Bearer resource_metadata="https://<api host>/<stage>/.well-known/oauth-protected-resource/<server>/mcp"'`
    const match = typeof value === 'string' ? /resource_metadata="[^"]*?(\/\.well-known\/[^"]+)"/.exec(value) : null;
    if (!match) continue;
    const pointed = `'Bearer resource_metadata="https://${domainName}${match[1]}"'`;
    construct.responseParameters = { ...parameters, [header]: pointed };
    // A gateway response reaches the stage with a new deployment only: the changed header makes one.
    api.latestDeployment?.addToLogicalId({ unauthorizedResponse: pointed });
  }
}

/**
 * Without an `audience` of the user's, the HTTP API's JWT authorizer accepts each server's resource
 * URI on the API's own host only: a client of the custom name asks for (RFC 8707) and gets tokens
 * for `https://<domainName>/<server>/mcp`, which the authorizer would refuse before the runtime
 * (which accepts the URI the request came to) saw them. Those URIs join the accepted audience.
 * An audience the user gave is left alone: the runtime holds every token to it as well.
 */
function acceptCustomNameAudience(fleet: McpServerFleet, api: apigwv2.HttpApi, domainName: string): void {
  const names = fleet.servers.map((s) => s.name);
  const defaults = new Set(names.map((name) => `${api.apiEndpoint}/${name}/mcp`));
  for (const construct of fleet.node.findAll()) {
    if (!(construct instanceof apigwv2.CfnAuthorizer) || construct.authorizerType !== 'JWT' || construct.apiId !== api.apiId) continue;
    const jwt = construct.jwtConfiguration as apigwv2.CfnAuthorizer.JWTConfigurationProperty | undefined;
    const audience = jwt?.audience;
    if (!Array.isArray(audience) || audience.length === 0 || !audience.every((a) => defaults.has(a))) continue;
    const added = names.map((name) => `https://${domainName}/${name}/mcp`).filter((a) => !audience.includes(a));
    construct.jwtConfiguration = { ...jwt, audience: [...audience, ...added] };
  }
}

/** The spec's ALB alias: the record follows the targets' health. */
function albTarget(loadBalancer: elbv2.ILoadBalancerV2): route53.IAliasRecordTarget {
  return new route53targets.LoadBalancerTarget(loadBalancer, { evaluateTargetHealth: true });
}

/** Two hosted zone ids are the same zone: equal strings (literals, or the same token). */
export function sameZone(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (a === b) return true;
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a.replace(/^\/hostedzone\//, '') === b.replace(/^\/hostedzone\//, '');
}
