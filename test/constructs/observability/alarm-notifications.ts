/**
 * Walks every alarm action of a template to the topic it publishes to, and checks that CloudWatch
 * may publish there: the topic's policy (when the topic has one; without one SNS applies its default
 * policy, which lets the owning account's services publish) and, for a topic encrypted with a key
 * of the template, that key's policy. Usable by every topology: it reads only the template.
 */
import type { Template } from 'aws-cdk-lib/assertions';

type Resources = Record<string, { Properties?: Record<string, any> }>;

const CLOUDWATCH = 'cloudwatch.amazonaws.com';

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** True when `statement` allows the CloudWatch service principal every action of `actions`. */
function allowsCloudWatch(statement: Record<string, any>, actions: string[]): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (!asList(statement.Principal?.Service).includes(CLOUDWATCH)) return false;
  const granted = asList<string>(statement.Action).map((a) => a.toLowerCase());
  const covers = (action: string) => granted.some((g) => g === action.toLowerCase()
    || (g.endsWith('*') && action.toLowerCase().startsWith(g.slice(0, -1))));
  return actions.every(covers);
}

/** The conditions that keep the statement to this account's alarms (no confused deputy). */
function scopedToAccountAlarms(statement: Record<string, any>): string | undefined {
  const condition = statement.Condition ?? {};
  if (condition.StringEquals?.['aws:SourceAccount'] === undefined) return 'no aws:SourceAccount condition';
  const sourceArn = JSON.stringify(condition.ArnLike?.['aws:SourceArn'] ?? null);
  if (!/:cloudwatch:/.test(sourceArn) || !/:alarm:\*/.test(sourceArn)) return `aws:SourceArn is not this account's alarms: ${sourceArn}`;
  return undefined;
}

/**
 * Every problem that keeps an alarm from notifying, one line each. Empty means every action of
 * every alarm reaches a topic CloudWatch may publish to; a template without alarms is a problem
 * (the walk must have something to walk).
 */
export function alarmNotificationProblems(template: Template): string[] {
  const alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;
  const topics = template.findResources('AWS::SNS::Topic') as Resources;
  const topicPolicies = template.findResources('AWS::SNS::TopicPolicy') as Resources;
  const keys = template.findResources('AWS::KMS::Key') as Resources;
  const problems: string[] = [];
  if (Object.keys(alarms).length === 0) return ['the template has no AWS::CloudWatch::Alarm'];

  let actions = 0;
  for (const [alarmId, alarm] of Object.entries(alarms)) {
    for (const kind of ['AlarmActions', 'OKActions']) {
      for (const action of asList(alarm.Properties?.[kind])) {
        actions++;
        const where = `${alarmId}.${kind}`;
        const topicId = (action as { Ref?: string })?.Ref;
        const topic = topicId === undefined ? undefined : topics[topicId];
        if (!topic) {
          problems.push(`${where}: ${JSON.stringify(action)} is not a topic of this template, its policies cannot be checked`);
          continue;
        }
        const policies = Object.values(topicPolicies)
          .filter((p) => asList(p.Properties?.Topics).some((t: any) => t?.Ref === topicId));
        if (policies.length > 0) {
          const statements = policies.flatMap((p) => asList(p.Properties?.PolicyDocument?.Statement));
          const allow = statements.find((s) => allowsCloudWatch(s, ['sns:Publish'])
            && asList(s.Resource).some((r: any) => r?.Ref === topicId));
          if (!allow) {
            problems.push(`${where}: the policy of topic ${topicId} does not allow ${CLOUDWATCH} to sns:Publish to it`);
          } else {
            const scope = scopedToAccountAlarms(allow);
            if (scope) problems.push(`${where}: the topic policy statement for ${CLOUDWATCH}: ${scope}`);
          }
        }
        const keyRef = topic.Properties?.KmsMasterKeyId;
        if (keyRef === undefined) continue;
        const keyId = (keyRef as { 'Fn::GetAtt'?: string[]; 'Ref'?: string })['Fn::GetAtt']?.[0] ?? (keyRef as { Ref?: string }).Ref;
        const key = keyId === undefined ? undefined : keys[keyId];
        if (!key) {
          problems.push(`${where}: topic ${topicId} is encrypted with ${JSON.stringify(keyRef)}, not a key of this template `
            + '(the AWS managed key alias/aws/sns cannot let CloudWatch publish)');
          continue;
        }
        const keyAllow = asList(key.Properties?.KeyPolicy?.Statement)
          .find((s) => allowsCloudWatch(s, ['kms:Decrypt', 'kms:GenerateDataKey']));
        if (!keyAllow) {
          problems.push(`${where}: the policy of key ${keyId} (topic ${topicId}) does not let ${CLOUDWATCH} kms:Decrypt and kms:GenerateDataKey*`);
        } else {
          const scope = scopedToAccountAlarms(keyAllow);
          if (scope) problems.push(`${where}: the key policy statement for ${CLOUDWATCH}: ${scope}`);
        }
      }
    }
  }
  if (actions === 0) problems.push('no alarm of the template has an AlarmActions or OKActions entry');
  return problems;
}

/** Fails unless every alarm action of the template can notify (see {@link alarmNotificationProblems}). */
export function expectAlarmsCanNotify(template: Template): void {
  expect(alarmNotificationProblems(template)).toEqual([]);
}
