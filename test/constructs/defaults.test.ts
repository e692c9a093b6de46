import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { gitlabFleet } from './helpers';
import { FleetCompute } from '../../src';
import { LAMBDA_ALARM_DEFAULTS, LAMBDA_DEFAULTS } from '../../src/defaults';

/** The `@default` line of a prop's doc comment in a source file. */
function documentedDefault(file: string, prop: string): string {
  const source = readFileSync(join(__dirname, '..', '..', 'src', file), 'utf8');
  const match = new RegExp(`@default ([^\\n]*)\\n\\s*\\*/\\n\\s*readonly ${prop}\\?`).exec(source);
  if (!match) throw new Error(`${file}: no @default for ${prop}`);
  return match[1].trim();
}

describe('src/defaults.ts: what the templates get, and what the docs say', () => {
  test('the Lambda topologies synthesize the defaults', () => {
    const perServer = gitlabFleet(FleetCompute.lambdaPerServer()).template;
    perServer.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: LAMBDA_DEFAULTS.perServerMemoryMb,
      Timeout: LAMBDA_DEFAULTS.timeout.toSeconds(),
      EphemeralStorage: { Size: LAMBDA_DEFAULTS.ephemeralStorage.toMebibytes() },
    });
    perServer.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Quota: { Limit: LAMBDA_DEFAULTS.monthlyQuota, Period: 'MONTH' },
      Throttle: { RateLimit: LAMBDA_DEFAULTS.throttlingRateLimit, BurstLimit: LAMBDA_DEFAULTS.throttlingBurstLimit },
    });
    perServer.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: LAMBDA_ALARM_DEFAULTS.errors });
    perServer.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', Threshold: LAMBDA_ALARM_DEFAULTS.duration.toMilliseconds() });
    perServer.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: LAMBDA_ALARM_DEFAULTS.throttles });
    const multi: Template = gitlabFleet(FleetCompute.lambdaMultiServer()).template;
    multi.hasResourceProperties('AWS::Lambda::Function', { MemorySize: LAMBDA_DEFAULTS.multiServerMemoryMb });
  });

  test.each([
    ['compute/lambda/options.ts', 'memorySize', `${LAMBDA_DEFAULTS.perServerMemoryMb} for one function per server, ${LAMBDA_DEFAULTS.multiServerMemoryMb} for the multi-server function`],
    ['compute/lambda/options.ts', 'timeout', `Duration.seconds(${LAMBDA_DEFAULTS.timeout.toSeconds()})`],
    ['compute/lambda/options.ts', 'ephemeralStorageSize', `Size.mebibytes(${LAMBDA_DEFAULTS.ephemeralStorage.toMebibytes()})`],
    ['compute/lambda/options.ts', 'throttlingRateLimit', `${LAMBDA_DEFAULTS.throttlingRateLimit}`],
    ['compute/lambda/options.ts', 'throttlingBurstLimit', `${LAMBDA_DEFAULTS.throttlingBurstLimit}`],
    ['compute/lambda/options.ts', 'alarmThresholds',
      `- errors > ${LAMBDA_ALARM_DEFAULTS.errors}, average duration > ${LAMBDA_ALARM_DEFAULTS.duration.toSeconds()} s, throttles >= ${LAMBDA_ALARM_DEFAULTS.throttles}`],
    ['compute/lambda/per-server.ts', 'monthlyQuota', `${LAMBDA_DEFAULTS.monthlyQuota}`],
    ['observability/alarm-thresholds.ts', 'errors', `${LAMBDA_ALARM_DEFAULTS.errors}`],
    ['observability/alarm-thresholds.ts', 'duration', `Duration.seconds(${LAMBDA_ALARM_DEFAULTS.duration.toSeconds()})`],
    ['observability/alarm-thresholds.ts', 'throttles', `${LAMBDA_ALARM_DEFAULTS.throttles}`],
  ])('%s documents %s as the default it applies', (file, prop, expected) => {
    expect(documentedDefault(file, prop)).toBe(expected);
  });
});
