import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmNotificationProblems, expectAlarmsCanNotify } from './alarm-notifications';
import { FleetCompute, McpServerFleet } from '../../../src';
import { gitlabFleet, newStack, twoServers } from '../helpers';

const SOURCE_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:123456789012:alarm:*']] };

describe('Alarm notifications: every alarm action reaches a topic CloudWatch may publish to', () => {
  test.each([
    ['lambdaPerServer', () => FleetCompute.lambdaPerServer()],
    ['lambdaMultiServer', () => FleetCompute.lambdaMultiServer()],
  ])('%s: the walk from each alarm to its topic and key finds no problem', (_name, compute) => {
    // GIVEN / WHEN a fleet with the default (encrypted) alarm topic
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute() });
    const template = Template.fromStack(stack);

    // THEN
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    expectAlarmsCanNotify(template);
  });

  test('the topic policy lets CloudWatch publish, for this account\'s alarms only, beside the TLS Deny', () => {
    const { template } = gitlabFleet();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('AlarmTopic') },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': SOURCE_ARN } },
          },
        ]),
      },
    });
  });

  test('the key policy lets CloudWatch use the key, for this account\'s alarms only', () => {
    const { template } = gitlabFleet();
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchAlarmsToPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': SOURCE_ARN } },
        }]),
      },
    });
  });

  test('the walk cannot pass by matching nothing: no alarms is a problem', () => {
    const { template } = gitlabFleet(undefined, { enableAlarms: false });
    expect(alarmNotificationProblems(template)).toEqual(['the template has no AWS::CloudWatch::Alarm']);
  });

  test('the walk finds a topic whose policy holds only the TLS Deny, and a key CloudWatch may not use', () => {
    // GIVEN an alarm to a topic made the way CDK makes it: enforceSSL, a customer managed key, nothing else
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true, masterKey: new kms.Key(stack, 'Key') });
    new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
    }).addAlarmAction(new cloudwatchActions.SnsAction(topic));

    // WHEN
    const problems = alarmNotificationProblems(Template.fromStack(stack));

    // THEN both policies are named
    expect(problems).toEqual([
      expect.stringMatching(/^Alarm\w+\.AlarmActions: the policy of topic Topic\w+ does not allow cloudwatch.amazonaws.com to sns:Publish/),
      expect.stringMatching(/^Alarm\w+\.AlarmActions: the policy of key Key\w+ .* does not let cloudwatch.amazonaws.com kms:Decrypt/),
    ]);
  });
});
