import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FleetFailoverDomain, FleetFailoverDomainProps } from './failover';
import { frontDoorOf } from './front-door';
import { createHealthCheck, healthCheckServerOf, refuseDuplicateRecord, validateDomainName } from './health-check';
import type { McpServerFleet } from '../fleet';

/** What every custom domain of a fleet takes: the name, its zone, its certificate and the health check. */
export interface FleetDomainOptions {
  /** The host name the servers are reached at, e.g. `mcp.example.com`: `https://<domainName>/<server>/mcp`. */
  readonly domainName: string;

  /** The public hosted zone of `domainName` (its name must be known): the records and the certificate's validation go there. */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The certificate the front door presents for `domainName`, in the front door's region.
   *
   * @default - an ACM certificate for `domainName`, validated by DNS in `hostedZone` (for a Fargate
   * compute already given this `domainName`, the load balancer's own certificate)
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The server whose health the Route 53 health check follows (REST API and Fargate: its
   * `/<server>/health`; the HTTP API's `/health` answers for all).
   *
   * @default - the fleet's first server
   */
  readonly healthCheckServer?: string;

  /**
   * Creates a CloudWatch alarm on the health check's `HealthCheckStatus` (Minimum < 1 over a
   * minute). Route 53 publishes it in us-east-1 only: the stack must be there.
   *
   * @default false
   */
  readonly healthCheckAlarm?: boolean;

  /**
   * Where the health check's alarm notifies (ALARM and OK).
   *
   * @default - the fleet's alarm topic, when it has one
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Properties of a fleet's custom domain. */
export interface FleetDomainProps extends FleetDomainOptions {
  /** The fleet: its compute must be one of the built-in ones (`FleetCompute.*`). */
  readonly fleet: McpServerFleet;

  /**
   * Creates the alias A record of `domainName`. Turn it off when the name's records are made
   * elsewhere, e.g. by a `FleetFailoverDomain` in another region's stack, which then points at
   * `aliasTargetDnsName` and `aliasTargetHostedZoneId`.
   *
   * @default true
   */
  readonly createRecord?: boolean;

  /**
   * Creates the Route 53 health check of the front door.
   *
   * @default true
   */
  readonly healthCheck?: boolean;
}

/**
 * A custom domain for a fleet (spec C.2): `https://<domainName>/<server>/mcp` for every server.
 *
 * By the fleet's compute:
 * - `FleetCompute.lambdaPerServer()`: a REGIONAL API Gateway custom domain name (TLS 1.2) with
 *   the stage mapped at the root (no base path), and an alias A record to it;
 * - `FleetCompute.lambdaMultiServer()`: an HTTP API custom domain name (REGIONAL, TLS 1.2), its
 *   `$default` stage mapped at the root, and an alias A record to it;
 * - `FleetCompute.fargatePerServer()` / `fargateMultiServer()`: the certificate added to the HTTPS
 *   listener (unless the compute was given this `domainName`) and an alias A record to the load
 *   balancer that evaluates the targets' health. A compute given this `domainName` and the same
 *   `hostedZone` made that record already: it is kept, not duplicated.
 *
 * The certificate is created (DNS-validated in the zone) unless given. A Route 53 health check
 * (HTTPS, 443, every 30 s, 3 failures, SNI) requests the front door's own host, not the custom
 * name: the REST API's `/<stage>/<server>/health`, the HTTP API's `/health`, the load balancer's
 * `/<server>/health`.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as route53 from 'aws-cdk-lib/aws-route53';
 * import { FleetDomain, McpServer, McpServerFleet } from 'mcp-server-fleet';
 *
 * declare const servers: McpServer[];
 * const stack = new Stack(new App(), 'McpServers', { env: { account: '123456789012', region: 'us-east-1' } });
 * const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers });
 * const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
 * const domain = new FleetDomain(stack, 'Domain', { fleet, domainName: 'mcp.example.com', hostedZone, healthCheckAlarm: true });
 * domain.endpointFor('gitlab'); // https://mcp.example.com/gitlab/mcp
 */
export class FleetDomain extends Construct {
  /**
   * Failover between two front doors under one name: PRIMARY and SECONDARY alias records, the
   * primary health-checked.
   *
   * @param scope the scope
   * @param id the construct's id
   * @param props the name, the primary fleet and the secondary (a fleet, or an alias target's attributes)
   */
  public static failover(scope: Construct, id: string, props: FleetFailoverDomainProps): FleetFailoverDomain {
    return new FleetFailoverDomain(scope, id, props);
  }

  /** The host name, e.g. `mcp.example.com`. */
  public readonly domainName: string;

  /** The fleet served under the name. */
  public readonly fleet: McpServerFleet;

  /** The certificate the front door presents for the name. */
  public readonly certificate: acm.ICertificate;

  /**
   * The alias A record of the name (the Fargate compute's own, when it made it).
   *
   * @default - none when `createRecord` is false
   */
  public readonly record?: route53.IRecordSet;

  /**
   * The REST API's custom domain name.
   *
   * @default - none: the fleet's front door is not a REST API
   */
  public readonly restApiDomain?: apigateway.IDomainName;

  /**
   * The HTTP API's custom domain name.
   *
   * @default - none: the fleet's front door is not an HTTP API
   */
  public readonly httpApiDomain?: apigwv2.IDomainName;

  /** The DNS name an alias record of the name points at (the custom domain's `d-...` host, or the load balancer's). */
  public readonly aliasTargetDnsName: string;

  /** The hosted zone of `aliasTargetDnsName`, for an alias record made elsewhere. */
  public readonly aliasTargetHostedZoneId: string;

  /**
   * The Route 53 health check of the front door.
   *
   * @default - none when `healthCheck` is false
   */
  public readonly healthCheck?: route53.IHealthCheck;

  /**
   * The alarm on the health check's status.
   *
   * @default - none unless `healthCheckAlarm` is true
   */
  public readonly healthCheckAlarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: FleetDomainProps) {
    super(scope, id);
    validateDomainName('domainName', props.domainName, props.hostedZone);
    const frontDoor = frontDoorOf(props.fleet, 'fleet');
    const serverName = healthCheckServerOf(props.fleet, 'healthCheckServer', props.healthCheckServer);
    if (props.healthCheck === false && props.healthCheckAlarm) {
      throw new Error('`healthCheckAlarm` is true but `healthCheck` is false: the alarm watches the health check');
    }
    this.domainName = props.domainName;
    this.fleet = props.fleet;

    const attached = frontDoor.attach(this, props.domainName, props.hostedZone, props.certificate);
    this.certificate = attached.certificate;
    this.restApiDomain = attached.restDomain;
    this.httpApiDomain = attached.httpDomain;
    const alias = attached.target.bind(undefined as unknown as route53.IRecordSet, props.hostedZone);
    this.aliasTargetDnsName = alias.dnsName;
    this.aliasTargetHostedZoneId = alias.hostedZoneId;

    if (props.createRecord ?? true) {
      // A Fargate compute given this name and zone made the same alias (to the ALB, evaluating
      // target health): keep it rather than fail the deployment on a second one.
      const own = frontDoor.ownRecord(props.domainName, props.hostedZone);
      if (own) {
        this.record = own;
      } else {
        refuseDuplicateRecord(this, 'domainName', props.domainName, props.hostedZone);
        this.record = new route53.ARecord(this, 'AliasRecord', {
          zone: props.hostedZone,
          recordName: props.domainName,
          target: route53.RecordTarget.fromAlias(attached.target),
          comment: `MCP servers of fleet ${props.fleet.node.path} (${frontDoor.kind})`,
        });
      }
    }

    if (props.healthCheck ?? true) {
      const { healthCheck, alarm } = createHealthCheck(this, 'HealthCheck', frontDoor, {
        serverName,
        alarm: props.healthCheckAlarm ?? false,
        alarmTopic: props.alarmTopic ?? props.fleet.alarmTopic,
      });
      this.healthCheck = healthCheck;
      this.healthCheckAlarm = alarm;
    }
  }

  /**
   * The URL an MCP client connects to for a server under the custom name.
   *
   * @param serverName the server's name
   */
  public endpointFor(serverName: string): string {
    this.fleet.endpointFor(serverName); // refuses a server the fleet does not have, naming its servers
    return `https://${this.domainName}/${serverName}/mcp`;
  }
}
