import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ComputeKind, DOMAIN, computeOf, fleetIn, zoneIn } from './helpers';
import { FleetDomain } from '../../../src/dns/fleet-domain';

/** The unacknowledged AwsSolutions findings of an app, as `rule at path`. */
function findings(app: App): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

const newApp = () => {
  const app = new App();
  return { app, stack: new Stack(app, 'Dns', { env: { account: '123456789012', region: 'us-east-1' } }) };
};

describe('cdk-nag AwsSolutions on a fleet with its custom domain', () => {
  test.each<ComputeKind>(['lambdaPerServer', 'lambdaMultiServer', 'fargatePerServer', 'fargateMultiServer'])(
    'zero unacknowledged findings: a %s fleet and a FleetDomain with its alarm', (kind) => {
      // GIVEN a fleet with its custom domain, health check and alarm
      const { app, stack } = newApp();
      const fleet = fleetIn(stack, 'Fleet', computeOf(stack, kind));
      new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(stack), healthCheckAlarm: true });

      // WHEN AwsSolutions checks it, THEN nothing is left
      expect(findings(app)).toEqual([]);
    });

  test('zero unacknowledged findings: failover between a Lambda primary and a Fargate secondary', () => {
    const { app, stack } = newApp();
    const primary = fleetIn(stack, 'Lambda', computeOf(stack, 'lambdaMultiServer'));
    const secondary = fleetIn(stack, 'Fargate', computeOf(stack, 'fargateMultiServer'));
    FleetDomain.failover(stack, 'Domain', { primary, secondary, domainName: DOMAIN, hostedZone: zoneIn(stack), healthCheckAlarm: true });

    expect(findings(app)).toEqual([]);
  });

  test('the checks run on this app: ignoring acknowledgements, they raise findings', () => {
    // A sanity check that the checks see the stack: an open security group on the fleet's ALB is
    // acknowledged by the compute, so ignoring acknowledgements must raise findings.
    const { app, stack } = newApp();
    const fleet = fleetIn(stack, 'Fleet', computeOf(stack, 'fargatePerServer'));
    new FleetDomain(stack, 'Domain', { fleet, domainName: DOMAIN, hostedZone: zoneIn(stack) });
    const checks = new AwsSolutionsChecks(undefined, { verbose: true });
    (checks as any).isAcknowledged = () => false;
    expect(checks.validateScope(app).violations.length).toBeGreaterThan(0);
  });
});
