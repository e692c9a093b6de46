import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RotationKind, SecretExpiryReminder, ServerSecretRotation, type ServerSecretRotationProps } from '../../../src/rotation';

/** A placeholder for the bundled rotation function when the bundle task has not run (synthesis only stages the folder). */
const ASSET = join(__dirname, '..', '..', '..', 'assets', 'rotation', 'index.js');
if (!existsSync(ASSET)) {
  mkdirSync(dirname(ASSET), { recursive: true });
  try {
    writeFileSync(ASSET, 'exports.handler = async () => { throw new Error("rotation function not bundled"); };\n', { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-AbCdEf';
const ENV = { account: '123456789012', region: 'eu-west-1' };

function stackWith(props: Partial<ServerSecretRotationProps> = {}): { stack: Stack; template: Template; rotation: ServerSecretRotation } {
  const stack = new Stack(new App(), 'Rotation', { env: ENV });
  const secret = props.secret ?? secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', SECRET_ARN);
  const rotation = new ServerSecretRotation(stack, 'GitLabRotation', { kind: RotationKind.GITLAB, ...props, secret });
  return { stack, template: Template.fromStack(stack), rotation };
}

function statementsOf(template: Template): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

describe('ServerSecretRotation', () => {
  test('a rotation function whose role may write its logs and describe, read, write and re-stage exactly this secret', () => {
    // WHEN
    const { template } = stackWith();

    // THEN
    expect(statementsOf(template)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GitLabRotationLogGroup/), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: SECRET_ARN,
      },
    ]);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: {
        Variables: {
          ROTATION_KIND: 'gitlab',
          ROTATION_API_URL: 'https://gitlab.com/api/v4',
          ROTATION_TOKEN_FIELD: 'token',
          ROTATION_STANDBY_FIELD: 'standbyToken',
          ROTATION_TOKEN_LIFETIME_DAYS: '67',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('Secrets Manager may invoke it for this secret only, and the schedule waits for that permission', () => {
    // WHEN
    const { template } = stackWith();

    // THEN
    const permissions = template.findResources('AWS::Lambda::Permission');
    expect(Object.values(permissions).map((p: any) => p.Properties)).toEqual([{
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [expect.stringMatching(/^GitLabRotationFunction/), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
      SourceArn: SECRET_ARN,
    }]);
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    const [schedule] = Object.values(schedules) as any[];
    expect(schedule.Properties).toEqual({
      SecretId: SECRET_ARN,
      RotationLambdaARN: { 'Fn::GetAtt': [expect.stringMatching(/^GitLabRotationFunction/), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([Object.keys(permissions)[0]]));
  });

  test('schedule, lifetime, fields, API URL and immediate rotation are the props', () => {
    // WHEN
    const { template } = stackWith({
      schedule: Duration.hours(12),
      tokenLifetime: Duration.days(5),
      apiUrl: 'https://gitlab.example.com/api/v4',
      jsonField: 'pat',
      standbyField: 'spare',
      rotateImmediately: true,
    });

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(12 hours)' }, RotateImmediatelyOnUpdate: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ROTATION_API_URL: 'https://gitlab.example.com/api/v4', ROTATION_TOKEN_FIELD: 'pat', ROTATION_STANDBY_FIELD: 'spare', ROTATION_TOKEN_LIFETIME_DAYS: '5' } },
    });
    // a 7-day schedule gives tokens of 21 days; a bare-token secret has no field
    stackWith({ schedule: Duration.days(7), secretIsBareToken: true }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ROTATION_TOKEN_LIFETIME_DAYS: '21', ROTATION_TOKEN_FIELD: '' } },
    });
    // a 200-day schedule: the default lifetime stops at 365 days (and is then too short: the error says so)
    expect(() => stackWith({ schedule: Duration.days(200) })).toThrow('`tokenLifetime` must be longer than two rotation periods');
  });

  test('a secret with a customer managed key: decrypt and generate data keys through Secrets Manager only', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Kms', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Token', { secretCompleteArn: SECRET_ARN, encryptionKey: key });

    // WHEN
    new ServerSecretRotation(stack, 'GitLabRotation', { kind: RotationKind.GITLAB, secret });

    // THEN
    expect(statementsOf(Template.fromStack(stack))).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('redeployService: ecs:UpdateService on exactly that service, and the function knows which', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Ecs', { env: ENV });
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'mcp-cluster', vpc: undefined as never, securityGroups: [] });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', {
      cluster, serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/mcp-cluster/gitlab',
    });

    // WHEN
    new ServerSecretRotation(stack, 'GitLabRotation', { kind: RotationKind.GITLAB, secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', SECRET_ARN), redeployService: service });

    // THEN
    const template = Template.fromStack(stack);
    expect(statementsOf(template)).toContainEqual({ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: 'arn:aws:ecs:eu-west-1:123456789012:service/mcp-cluster/gitlab' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { ROTATION_ECS_CLUSTER: 'mcp-cluster', ROTATION_ECS_SERVICE: 'gitlab' } } });
  });

  test('Dynatrace: the environment URL is required and becomes ROTATION_API_URL', () => {
    expect(() => stackWith({ kind: RotationKind.DYNATRACE })).toThrow('`apiUrl` is required for dynatrace: it has no public API URL (Dynatrace: the environment URL, https://<id>.live.dynatrace.com), got: undefined');
    stackWith({ kind: RotationKind.DYNATRACE, apiUrl: 'https://abc12345.live.dynatrace.com' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ROTATION_KIND: 'dynatrace', ROTATION_API_URL: 'https://abc12345.live.dynatrace.com' } },
    });
  });

  test('a secret imported by name is named with the suffix wildcard in the policy and the invoke permission', () => {
    const stack = new Stack(new App(), 'ByName', { env: ENV });
    new ServerSecretRotation(stack, 'R', { kind: RotationKind.GITLAB, secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'mcp/gitlab-token') });
    const template = Template.fromStack(stack);
    const wildcard = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-??????']] };
    expect(statementsOf(template)[1]).toMatchObject({ Resource: wildcard });
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceArn: wildcard });
  });

  test.each<[string, Partial<ServerSecretRotationProps>, string]>([
    ['a schedule under 4 hours', { schedule: Duration.hours(2) }, "`schedule` must be a whole number of hours from 4 hours to 1000 days (Secrets Manager's range), got: 2 hours"],
    ['a schedule in minutes', { schedule: Duration.minutes(270) }, '`schedule` must be a whole number of hours from 4 hours to 1000 days'],
    ['a lifetime over a year', { tokenLifetime: Duration.days(400) }, "`tokenLifetime` must be a whole number of days from 1 to 365 (GitLab's limit), got: 400 days"],
    ['a lifetime of two periods', { schedule: Duration.days(10), tokenLifetime: Duration.days(20) }, '`tokenLifetime` must be longer than two rotation periods (a token is in use for one and the standby for the next): `schedule` is 10 days, got: 20 days'],
    ['an http API URL', { apiUrl: 'http://gitlab.example.com/api/v4' }, '`apiUrl` must be an https:// URL of the backend\'s API (e.g. https://gitlab.example.com/api/v4), got: "http://gitlab.example.com/api/v4"'],
    ['a field with a space', { jsonField: 'my token' }, '`jsonField` must be a JSON field name (letters, digits, \'_\', \'.\', \'-\'), got: "my token"'],
    ['a bare token with a field', { secretIsBareToken: true, jsonField: 'token' }, '`jsonField` and `secretIsBareToken` exclude each other: a bare-token secret has no fields, got jsonField: "token"'],
    ['the standby in the token field', { standbyField: 'token' }, '`standbyField` must differ from the token\'s field "token", got: "token"'],
  ])('refuses %s', (_what, props, message) => {
    expect(() => stackWith(props)).toThrow(message);
  });
});

describe('SecretExpiryReminder', () => {
  function reminder(props: { expiresOn: string; daysBefore?: number[]; description?: string }) {
    const stack = new Stack(new App(), 'Expiry', { env: ENV });
    const topic = new sns.Topic(stack, 'Alarms');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'mcp/atlassian-token');
    const built = new SecretExpiryReminder(stack, 'AtlassianExpiry', { secret, topic, ...props });
    return { stack, built, template: Template.fromStack(stack) };
  }

  test('one-time schedules at 09:00 UTC 30, 7 and 1 days before, publishing to the topic with a role that may publish there only', () => {
    // WHEN
    const { template } = reminder({ expiresOn: '2099-03-31', description: 'the Atlassian API token' });

    // THEN
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s: any) => s.Properties);
    expect(schedules.map((s) => s.ScheduleExpression)).toEqual(['at(2099-03-01T09:00:00)', 'at(2099-03-24T09:00:00)', 'at(2099-03-30T09:00:00)']);
    for (const s of schedules) {
      expect(s).toMatchObject({ ScheduleExpressionTimezone: 'UTC', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: { Ref: expect.stringMatching(/^Alarms/) }, RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^AtlassianExpiryRole/), 'Arn'] } } });
    }
    expect(schedules[1].Target.Input).toBe('the Atlassian API token expires on 2099-03-31, in 7 days. Renew it and put the new value in the secret, then update expiresOn.');
    expect(schedules[2].Target.Input).toContain('in 1 day.');
    expect(statementsOf(template)).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^Alarms/) } }]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
  });

  test('reminders already past at synthesis are left out, with a warning', () => {
    // GIVEN a credential expiring in 10 days
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);

    // WHEN
    const { stack, built } = reminder({ expiresOn: soon });

    // THEN
    expect(built.schedules).toHaveLength(2);
    Annotations.fromStack(stack).hasWarning('/Expiry/AtlassianExpiry', Match.stringLikeRegexp('The reminder 30 days before .* would be in the past; it is left out'));
  });

  test.each<[string, { expiresOn: string; daysBefore?: number[] }, string]>([
    ['a date that does not exist', { expiresOn: '2099-02-30' }, '`expiresOn` must be an ISO date (YYYY-MM-DD), got: "2099-02-30"'],
    ['a date and time', { expiresOn: '2099-02-01T00:00:00Z' }, '`expiresOn` must be an ISO date (YYYY-MM-DD), got: "2099-02-01T00:00:00Z"'],
    ['a past date', { expiresOn: '2020-01-01' }, '`expiresOn` must be a day still ahead (the credential would already have expired), got: 2020-01-01'],
    ['a reminder a year and more ahead', { expiresOn: '2099-01-01', daysBefore: [400] }, '`daysBefore` must be whole numbers of days from 0 to 365, got: 400'],
    ['no reminder', { expiresOn: '2099-01-01', daysBefore: [] }, '`daysBefore` must name at least one day, got: []'],
  ])('refuses %s', (_what, props, message) => {
    expect(() => reminder(props)).toThrow(message);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('zero findings on a rotated secret, its redeployed service and an expiry reminder', () => {
    // GIVEN a secret of the app, an encrypted topic that enforces TLS
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: ENV });
    const secret = new secretsmanager.Secret(stack, 'GitLabToken');
    const topic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }), enforceSSL: true });
    new ServerSecretRotation(stack, 'GitLabRotation', { kind: RotationKind.GITLAB, secret });
    new SecretExpiryReminder(stack, 'AtlassianExpiry', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Atl', 'mcp/atlassian-token'), topic, expiresOn: '2099-01-01' });

    // WHEN
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);

    // THEN
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`))).toEqual([]);
  });
});
