import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import type { FleetDomainOptions } from './fleet-domain';
import { FrontDoor, frontDoorOf } from './front-door';
import { createHealthCheck, healthCheckServerOf, refuseDuplicateRecord, validateDomainName } from './health-check';
import type { McpServerFleet } from '../fleet';

/**
 * An alias target given by its attributes: a front door this app cannot see, e.g. the regional
 * custom domain (`FleetDomain` with `createRecord: false`) or the load balancer of a fleet in
 * another region's stack.
 */
export interface FailoverTargetAttributes {
  /** Its DNS name, e.g. `d-abc123def4.execute-api.eu-west-1.amazonaws.com` or the ALB's `dualstack.` name. */
  readonly dnsName: string;

  /** The hosted zone of that DNS name (API Gateway's or Elastic Load Balancing's, per region). */
  readonly hostedZoneId: string;
}

/** Properties of a failover name between two front doors. */
export interface FleetFailoverDomainProps extends FleetDomainOptions {
  /** The fleet clients are sent to while its health check passes. */
  readonly primary: McpServerFleet;

  /**
   * The fleet clients are sent to while the primary fails its health check; in the same region as
   * this construct (a custom domain or a certificate serves one region). Give this or `secondaryTarget`.
   *
   * @default - `secondaryTarget`
   */
  readonly secondary?: McpServerFleet;

  /**
   * The secondary given by its attributes (another region: make its custom domain there with
   * `FleetDomain` and `createRecord: false`, and pass its `aliasTargetDnsName` and
   * `aliasTargetHostedZoneId`). Give this or `secondary`.
   *
   * @default - `secondary`
   */
  readonly secondaryTarget?: FailoverTargetAttributes;
}

/** A target of fixed attributes. */
class AttributesTarget implements route53.IAliasRecordTarget {
  constructor(private readonly attributes: FailoverTargetAttributes) {}

  public bind(): route53.AliasRecordTargetConfig {
    return { dnsName: this.attributes.dnsName, hostedZoneId: this.attributes.hostedZoneId };
  }
}

/**
 * A target whose own health Route 53 follows. Failover alias records must (Route 53 fails over
 * only on what it evaluates): an ALB side then counts as down when no target is healthy, an API
 * Gateway side when API Gateway itself is impaired in its region; the health check covers the rest.
 */
class EvaluatedTarget implements route53.IAliasRecordTarget {
  constructor(private readonly target: route53.IAliasRecordTarget) {}

  public bind(record: route53.IRecordSet, zone?: route53.IHostedZone): route53.AliasRecordTargetConfig {
    return { ...this.target.bind(record, zone), evaluateTargetHealth: true };
  }
}

/**
 * One name, two front doors: Route 53 answers with the primary while its health check passes and
 * with the secondary otherwise (spec C.2's health check for failover). For example a Lambda
 * primary and a Fargate secondary in one stack, or two regions (the secondary by attributes).
 *
 * Each fleet in this construct's region gets the name as `FleetDomain` would put it on (a custom
 * domain name mapped at the root, or the certificate on the load balancer's listener), with one
 * certificate for both; the PRIMARY alias record carries the primary's health check, the SECONDARY
 * one none (Route 53 answers with it whenever the primary is unhealthy). Every server of the
 * primary must also be a server of a secondary fleet, so each endpoint URL is served on both sides.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as acm from 'aws-cdk-lib/aws-certificatemanager';
 * import * as route53 from 'aws-cdk-lib/aws-route53';
 * import { FleetAuth, FleetCompute, FleetDomain, McpServer, McpServerFleet } from 'mcp-server-fleet';
 *
 * declare const servers: McpServer[];
 * declare const certificate: acm.ICertificate; // the ALB's own, e.g. for alb.example.com
 * const auth = FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' });
 * const stack = new Stack(new App(), 'McpServers', { env: { account: '123456789012', region: 'us-east-1' } });
 * const primary = new McpServerFleet(stack, 'Lambda', { environment: 'production', servers, auth, compute: FleetCompute.lambdaMultiServer() });
 * const secondary = new McpServerFleet(stack, 'Fargate', { environment: 'production', servers, auth, compute: FleetCompute.fargateMultiServer({ certificate }) });
 * const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
 * FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: 'mcp.example.com', hostedZone });
 */
export class FleetFailoverDomain extends Construct {
  /** The host name, e.g. `mcp.example.com`. */
  public readonly domainName: string;

  /** The fleet answering while healthy. */
  public readonly primary: McpServerFleet;

  /**
   * The fleet answering while the primary is unhealthy.
   *
   * @default - none: the secondary was given by attributes
   */
  public readonly secondary?: McpServerFleet;

  /** The certificate both front doors present for the name. */
  public readonly certificate: acm.ICertificate;

  /** The PRIMARY failover alias record. */
  public readonly primaryRecord: route53.IRecordSet;

  /** The SECONDARY failover alias record. */
  public readonly secondaryRecord: route53.IRecordSet;

  /** The primary front door's health check, on the PRIMARY record. */
  public readonly healthCheck: route53.IHealthCheck;

  /**
   * The alarm on the health check's status.
   *
   * @default - none unless `healthCheckAlarm` is true
   */
  public readonly healthCheckAlarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: FleetFailoverDomainProps) {
    super(scope, id);
    validateDomainName('domainName', props.domainName, props.hostedZone);
    if ((props.secondary === undefined) === (props.secondaryTarget === undefined)) {
      throw new Error('Give exactly one of `secondary` (a fleet in this region) and `secondaryTarget` (an alias target\'s attributes), '
        + `got ${props.secondary === undefined ? 'neither' : 'both'}`);
    }
    if (props.secondary === props.primary) {
      throw new Error(`\`secondary\` is the \`primary\` fleet (${props.primary.node.path}): failover needs two front doors`);
    }
    const primaryDoor = frontDoorOf(props.primary, 'primary');
    const secondaryDoor = props.secondary ? frontDoorOf(props.secondary, 'secondary') : undefined;
    for (const [prop, fleet] of [['primary', props.primary], ['secondary', props.secondary]] as const) {
      if (fleet) this.validateRegion(prop, fleet);
    }
    if (props.secondary) validateSameServers(props.primary, props.secondary);
    const serverName = healthCheckServerOf(props.primary, 'healthCheckServer', props.healthCheckServer);
    refuseDuplicateRecord(this, 'domainName', props.domainName, props.hostedZone);
    this.domainName = props.domainName;
    this.primary = props.primary;
    this.secondary = props.secondary;

    // One certificate for both sides (a load balancer already presenting one for the name keeps its own).
    const doors = [primaryDoor, secondaryDoor].filter((d): d is FrontDoor => d !== undefined);
    const allServeName = doors.every((d) => d.certificateFor(props.domainName) !== undefined);
    const given = props.certificate ?? (allServeName ? undefined : new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    }));
    const primaryAttached = primaryDoor.attach(new Construct(this, 'Primary'), props.domainName, props.hostedZone, given);
    this.certificate = primaryAttached.certificate;
    const secondaryTarget = secondaryDoor
      ? secondaryDoor.attach(new Construct(this, 'Secondary'), props.domainName, props.hostedZone, given).target
      : new AttributesTarget(props.secondaryTarget!);

    const { healthCheck, alarm } = createHealthCheck(this, 'PrimaryHealthCheck', primaryDoor, {
      serverName,
      alarm: props.healthCheckAlarm ?? false,
      alarmTopic: props.alarmTopic ?? props.primary.alarmTopic,
    });
    this.healthCheck = healthCheck;
    this.healthCheckAlarm = alarm;

    this.primaryRecord = new route53.ARecord(this, 'PrimaryRecord', {
      zone: props.hostedZone,
      recordName: props.domainName,
      target: route53.RecordTarget.fromAlias(new EvaluatedTarget(primaryAttached.target)),
      failover: route53.Failover.PRIMARY,
      healthCheck,
      comment: `MCP servers: fleet ${props.primary.node.path} (${primaryDoor.kind}) while healthy`,
    });
    this.secondaryRecord = new route53.ARecord(this, 'SecondaryRecord', {
      zone: props.hostedZone,
      recordName: props.domainName,
      target: route53.RecordTarget.fromAlias(new EvaluatedTarget(secondaryTarget)),
      failover: route53.Failover.SECONDARY,
      comment: props.secondary
        ? `MCP servers: fleet ${props.secondary.node.path} (${secondaryDoor!.kind}) while the primary is unhealthy`
        : 'MCP servers: the secondary front door while the primary is unhealthy',
    });
  }

  /**
   * The URL an MCP client connects to for a server under the failover name.
   *
   * @param serverName the server's name
   */
  public endpointFor(serverName: string): string {
    this.primary.endpointFor(serverName); // refuses a server the primary does not have, naming its servers
    return `https://${this.domainName}/${serverName}/mcp`;
  }

  /** A fleet's front door gets the name (a custom domain, a listener certificate) here: it must be in this region. */
  private validateRegion(prop: string, fleet: McpServerFleet): void {
    const here = Stack.of(this).region;
    const there = Stack.of(fleet).region;
    if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
      throw new Error(`\`${prop}\` fleet ${fleet.node.path} is in ${there}, this construct in ${here}: a custom domain and its certificate `
        + 'serve one region. Put the name on it in its own stack (FleetDomain with createRecord: false) and pass that as `secondaryTarget`');
    }
  }
}

/** Every server of the primary is on the secondary: each endpoint URL must work on both sides. */
function validateSameServers(primary: McpServerFleet, secondary: McpServerFleet): void {
  const names = new Set(secondary.servers.map((s) => s.name));
  const missing = primary.servers.map((s) => s.name).filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new Error(`\`secondary\` fleet ${secondary.node.path} lacks server(s) ${missing.map((n) => JSON.stringify(n)).join(', ')} of the `
      + `\`primary\` fleet ${primary.node.path}: after a failover their endpoint URLs would answer 404`);
  }
}
