import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import './helpers';
import { buildApp as buildMultiServer } from '../../examples/lambda-multi-server';
import { buildApp as buildPerServer } from '../../examples/lambda-per-server';

/** Every acknowledgement recorded in the tree: rule id -> reason, with the construct path. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}

function findings(app: App, ignoreAcknowledgements = false): string[] {
  const checks = new AwsSolutionsChecks(undefined, { verbose: true });
  // To list what the acknowledgements cover, look once as if nothing were acknowledged.
  if (ignoreAcknowledgements) (checks as any).isAcknowledged = () => false;
  const report = checks.validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

const EXAMPLES: Array<[string, (app: App) => App]> = [
  ['lambda-per-server', buildPerServer],
  ['lambda-multi-server', buildMultiServer],
];

const CONTEXTS: Array<[string, Record<string, string>]> = [
  ['no allowed origins', {}],
  ['allowed origins', { allowedOrigins: 'https://app.example.com' }],
];

describe('cdk-nag AwsSolutions', () => {
  describe.each(EXAMPLES)('%s', (_name, build) => {
    test.each(CONTEXTS)('zero unacknowledged findings (%s)', (_context, context) => {
      // GIVEN the example app
      const app = build(new App({ context }));

      // WHEN AwsSolutions checks it
      const unacknowledged = findings(app);

      // THEN nothing is left
      expect(unacknowledged).toEqual([]);
    });

    test('each acknowledgement states its reason and answers a real finding', () => {
      const app = build(new App());
      const acks = acknowledgements(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);

      // every acknowledged rule is one the checks raise when acknowledgements are ignored
      const raised = new Set(findings(app, true).map((f) => f.split(' at ')[0]));
      for (const ack of acks) expect(raised).toContain(ack.id);
    });
  });

  test('the acknowledged rules are exactly the expected ones', () => {
    const perServer = new Set(acknowledgements(buildPerServer(new App())).map((a) => a.id));
    expect([...perServer].sort()).toEqual([
      'AwsSolutions-APIG3',
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
    const multiServer = new Set(acknowledgements(buildMultiServer(new App())).map((a) => a.id));
    expect([...multiServer].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
  });
});
