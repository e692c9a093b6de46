/** What the DNS constructs share: the names they take, the health check and its alarm, the duplicate-record guard. */
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FrontDoor, sameZone } from './front-door';
import { McpLoadBalancer } from '../compute/fargate/load-balancer';
import type { McpServerFleet } from '../fleet';

/** Spec C.2's health check: HTTPS on 443 every 30 s, unhealthy after 3 failures, with SNI. */
export const HEALTH_CHECK = {
  port: 443,
  requestIntervalSeconds: 30,
  failureThreshold: 3,
} as const;

/** Route 53 publishes its health checks' metrics in this region only. */
export const HEALTH_CHECK_METRICS_REGION = 'us-east-1';

/** Lower-case labels of letters, digits and inner hyphens, at least two, no trailing dot, at most 253 characters. */
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Without the trailing dot, lower case. */
const normalize = (name: string) => name.replace(/\.$/, '').toLowerCase();

/**
 * Checks `domainName`: a literal host name (it is the certificate's name, the record's and every
 * endpoint URL's), inside `hostedZone`, whose name must be known (the records are named in it).
 */
export function validateDomainName(prop: string, domainName: string, zone: route53.IHostedZone): void {
  if (Token.isUnresolved(domainName)) {
    throw new Error(`\`${prop}\` must be a literal host name, e.g. 'mcp.example.com': it names the certificate, the records and the endpoint URLs`);
  }
  if (!DOMAIN_NAME.test(domainName)) {
    throw new Error(`\`${prop}\` must be a host name of lower-case letters, digits and hyphens in dot-separated labels, `
      + `without a wildcard, scheme, path or trailing dot (e.g. 'mcp.example.com'), got: ${JSON.stringify(domainName)}`);
  }
  let zoneName: string;
  try {
    zoneName = zone.zoneName;
  } catch {
    throw new Error('`hostedZone` must know its name (HostedZone.fromHostedZoneAttributes() or fromLookup(), not fromHostedZoneId()): '
      + `the records and the certificate's validation records of ${JSON.stringify(domainName)} are named in it`);
  }
  if (Token.isUnresolved(zoneName)) return;
  const zoneNormal = normalize(zoneName);
  if (domainName !== zoneNormal && !domainName.endsWith(`.${zoneNormal}`)) {
    throw new Error(`\`${prop}\` must be in \`hostedZone\` (${zoneNormal}): ${JSON.stringify(domainName)} is not ${zoneNormal} or a name under it`);
  }
}

/** The server whose health the front door's check follows: the one given, else the fleet's first. */
export function healthCheckServerOf(fleet: McpServerFleet, prop: string, given?: string): string {
  const names = fleet.servers.map((s) => s.name);
  if (given === undefined) return names[0];
  if (!names.includes(given)) {
    throw new Error(`\`${prop}\` must be a server of fleet ${fleet.node.path} (${names.join(', ')}), got: ${JSON.stringify(given)}`);
  }
  return given;
}

/**
 * Refuses a second A record for `domainName` in `zone`: Route 53 keeps one record set per name and
 * type (a simple one, or a set of failover ones), so the deployment would fail on it, after the
 * certificate and the custom domain had been made. Only this app's stack is searched.
 */
export function refuseDuplicateRecord(scope: Construct, prop: string, domainName: string, zone: route53.IHostedZone): void {
  const existing = Stack.of(scope).node.findAll().find((c): c is route53.CfnRecordSet => c instanceof route53.CfnRecordSet
    && c.type === 'A'
    && typeof c.name === 'string' && !Token.isUnresolved(c.name) && normalize(c.name) === domainName
    && sameZone(c.hostedZoneId, zone.hostedZoneId));
  if (!existing) return;
  const byCompute = existing.node.scopes.some((s) => s instanceof McpLoadBalancer);
  throw new Error(`\`${prop}\` ${JSON.stringify(domainName)} already has an A record in \`hostedZone\` (${existing.node.path}): `
    + 'Route 53 keeps one record set per name and type, and a failover record cannot share its name with a simple one. '
    + (byCompute
      ? 'The Fargate compute made it (it was given `domainName` and `hostedZone`): remove `hostedZone` from the compute\'s props '
        + '(keep `domainName` with a `certificate`, or give `certificate` alone) and let this construct make the records.'
      : 'Use another name, or remove the other record.'));
}

/** Options of the health check and its alarm. */
export interface HealthCheckSettings {
  readonly serverName: string;
  readonly alarm: boolean;
  readonly alarmTopic?: sns.ITopic;
}

/** A health check of the front door and, when asked, the alarm on its status. */
export function createHealthCheck(scope: Construct, id: string, frontDoor: FrontDoor, settings: HealthCheckSettings)
  : { healthCheck: route53.HealthCheck; alarm?: cloudwatch.Alarm } {
  const healthCheck = new route53.HealthCheck(scope, id, {
    type: route53.HealthCheckType.HTTPS,
    // The front door's own host, not the custom name: under failover the custom name resolves to
    // whichever side answers, so a check on it would find the secondary healthy and send clients
    // back to a failed primary. API Gateway answers its own host with its own certificate (a
    // custom name's `d-...` target refuses any other SNI); the ALB answers its DNS name with its
    // default certificate, which Route 53 does not validate.
    fqdn: frontDoor.healthCheckHost,
    port: HEALTH_CHECK.port,
    resourcePath: frontDoor.healthCheckPath(settings.serverName),
    requestInterval: Duration.seconds(HEALTH_CHECK.requestIntervalSeconds),
    failureThreshold: HEALTH_CHECK.failureThreshold,
    enableSNI: true,
  });
  if (!settings.alarm) return { healthCheck };

  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && region !== HEALTH_CHECK_METRICS_REGION) {
    throw new Error(`\`healthCheckAlarm\` needs a stack in ${HEALTH_CHECK_METRICS_REGION}, got a stack in ${region}: Route 53 publishes `
      + `HealthCheckStatus in ${HEALTH_CHECK_METRICS_REGION} only, and an alarm reads metrics of its own region. `
      + `Alarm on \`healthCheck.healthCheckId\` from a stack in ${HEALTH_CHECK_METRICS_REGION}, or leave healthCheckAlarm off.`);
  }
  if (Token.isUnresolved(region)) {
    Annotations.of(scope).addWarningV2('mcp-server-fleet:health-check-alarm-region',
      `The alarm on Route 53 health check ${healthCheck.node.path} only has data in ${HEALTH_CHECK_METRICS_REGION}: `
      + 'deploy this stack there (set its `env`), or the alarm stays in ALARM for want of data');
  }
  const alarm = new cloudwatch.Alarm(scope, `${id}Alarm`, {
    alarmDescription: `The front door (${frontDoor.kind}) of fleet ${frontDoor.fleet.node.path} fails its Route 53 health check `
      + `(${frontDoor.healthCheckPath(settings.serverName)})`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensionsMap: { HealthCheckId: healthCheck.healthCheckId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // Route 53 publishes the status every minute while the check exists: no data means no check.
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  if (settings.alarmTopic) {
    const action = new cloudwatchActions.SnsAction(settings.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return { healthCheck, alarm };
}
