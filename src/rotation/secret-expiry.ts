import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

const DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface SecretExpiryReminderProps {
  /** The secret holding the credential that expires. */
  readonly secret: secretsmanager.ISecret;

  /**
   * The day the credential expires, as an ISO date (`YYYY-MM-DD`, UTC), e.g. the expiry an
   * Atlassian API token was created with.
   */
  readonly expiresOn: string;

  /** The topic the reminders are published to (e.g. the fleet's `alarmTopic`). */
  readonly topic: sns.ITopic;

  /**
   * How many days before `expiresOn` each reminder is sent (at 09:00 UTC that day). Reminders
   * whose day has already passed at synthesis are left out (with a warning).
   *
   * @default [30, 7, 1]
   */
  readonly daysBefore?: number[];

  /**
   * What the credential is, for the reminder's text.
   *
   * @default the secret's name
   */
  readonly description?: string;
}

/**
 * Reminders before a credential that cannot be rotated by its backend's API expires (Atlassian
 * API tokens, PagerDuty keys, ServiceNow passwords): one-time EventBridge Scheduler schedules that
 * publish a message to an SNS topic some days before the date, with a role that may publish to
 * that topic only (and use its key, when it is encrypted).
 *
 * When the credential is renewed, put the new value in the secret and change `expiresOn`: the
 * schedules move with it. Servers pick the new value up as after a rotation (re-read after a 401).
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import * as sns from 'aws-cdk-lib/aws-sns';
 * import { SecretExpiryReminder } from 'mcp-server-fleet';
 *
 * declare const stack: Stack;
 * declare const alarmTopic: sns.ITopic;
 *
 * new SecretExpiryReminder(stack, 'AtlassianTokenExpiry', {
 *   secret: secretsmanager.Secret.fromSecretNameV2(stack, 'AtlassianToken', 'mcp/atlassian-token'),
 *   expiresOn: '2027-03-31',
 *   topic: alarmTopic,
 *   description: 'the Atlassian API token of the MCP fleet',
 * });
 */
export class SecretExpiryReminder extends Construct {
  /** The role EventBridge Scheduler publishes with. */
  public readonly role: iam.Role;
  /** The schedules, one per reminder still ahead, by days before expiry (descending). */
  public readonly schedules: scheduler.CfnSchedule[] = [];

  constructor(scope: Construct, id: string, props: SecretExpiryReminderProps) {
    super(scope, id);
    const expiry = parseExpiry(props.expiresOn);
    const daysBefore = [...new Set(props.daysBefore ?? [30, 7, 1])].sort((a, b) => b - a);
    if (daysBefore.length === 0) throw new Error('`daysBefore` must name at least one day, got: []');
    for (const d of daysBefore) {
      if (!Number.isInteger(d) || d < 0 || d > 365) throw new Error(`\`daysBefore\` must be whole numbers of days from 0 to 365, got: ${d}`);
    }
    if (expiry <= Date.now()) {
      throw new Error(`\`expiresOn\` must be a day still ahead (the credential would already have expired), got: ${props.expiresOn}`);
    }

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Publishes the reminders of a credential\'s expiry',
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    if (props.topic.masterKey) {
      // Publishing to an encrypted topic makes and decrypts a data key (named exactly, not `topic.grantPublish()`'s `kms:GenerateDataKey*`).
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.topic.masterKey.keyArn] }));
    }

    const what = props.description ?? `the credential in secret ${props.secret.secretName}`;
    for (const d of daysBefore) {
      const at = expiry - d * DAY + 9 * 3_600_000;
      if (at <= Date.now()) {
        Annotations.of(this).addWarningV2('mcp-server-fleet:expiryReminderPast',
          `The reminder ${d} days before ${props.expiresOn} would be in the past; it is left out`);
        continue;
      }
      const when = new Date(at).toISOString().slice(0, 19);
      const message = d === 0
        ? `${what} expires today (${props.expiresOn}). Renew it and put the new value in the secret, then update expiresOn.`
        : `${what} expires on ${props.expiresOn}, in ${d} day${d === 1 ? '' : 's'}. Renew it and put the new value in the secret, then update expiresOn.`;
      this.schedules.push(new scheduler.CfnSchedule(this, `Reminder${d}`, {
        description: `Reminds ${d} days before a credential expires (${props.expiresOn})`,
        scheduleExpression: `at(${when})`,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: props.topic.topicArn, roleArn: this.role.roleArn, input: message },
      }));
    }
    if (this.schedules.length === 0) {
      throw new Error(`every reminder of \`daysBefore\` (${daysBefore.join(', ')}) is already in the past for \`expiresOn\` ${props.expiresOn}`);
    }
  }
}

function parseExpiry(expiresOn: string): number {
  if (Token.isUnresolved(expiresOn)) throw new Error('`expiresOn` must be a literal date: the reminders are computed from it at synthesis');
  const m = ISO_DATE.exec(expiresOn);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== expiresOn) {
    throw new Error(`\`expiresOn\` must be an ISO date (YYYY-MM-DD), got: ${JSON.stringify(expiresOn)}`);
  }
  return ms;
}
