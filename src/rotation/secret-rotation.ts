import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_NODE_RUNTIME } from '../compute/lambda/options';
import { secretPolicyArn, secretReferenceArn } from '../credential-grants';
import { acknowledgeRule } from '../nag';

/** What the rotation function does to the secret (Secrets Manager's rotation contract), on that secret only. */
export const ROTATION_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/**
 * The folder of the bundled rotation function (`index.js`, handler `index.handler`). This file is
 * two levels below the package root as `src/rotation/` (ts-jest) and as `lib/rotation/` (compiled).
 */
export function rotationAssetPath(): string {
  return path.join(__dirname, '..', '..', 'assets', 'rotation');
}

function requireRotationAsset(): string {
  const dir = rotationAssetPath();
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`The bundled rotation function is missing: ${path.join(dir, 'index.js')} does not exist. `
      + 'In a source checkout run `npx projen bundle` (the installed package ships it).');
  }
  return dir;
}

/**
 * A backend whose tokens the rotation function can rotate through the backend's own API.
 *
 * Backends without such an API (Atlassian API tokens, PagerDuty keys, ServiceNow passwords) are
 * not rotated: track their expiry with `SecretExpiryReminder` instead.
 */
export class RotationKind {
  /**
   * GitLab personal, project and group access tokens, self-rotated with
   * `POST /personal_access_tokens/self/rotate` (the token needs the `api` or `self_rotate` scope;
   * project and group tokens since GitLab 17.9).
   */
  public static readonly GITLAB = new RotationKind('gitlab', 'https://gitlab.com/api/v4');

  /**
   * Dynatrace classic access tokens (`dt0c01.*`): the current token creates a token of the same
   * name and scopes (`POST /api/v2/apiTokens`), and the new one deletes the old after
   * finishSecret, so the old token stays valid until then. The token needs `apiTokens.read` and
   * `apiTokens.write`. `apiUrl` is the environment URL (`https://<id>.live.dynatrace.com`).
   * Platform tokens are managed in Account Management and are not rotated.
   */
  public static readonly DYNATRACE = new RotationKind('dynatrace');

  private constructor(
    /** The name the rotation function knows the backend by (`ROTATION_KIND`). */
    public readonly name: string,
    /** The API URL used when none is given (none: `apiUrl` is required). */
    public readonly defaultApiUrl?: string,
  ) {}
}

export interface ServerSecretRotationProps {
  /** The secret holding the server's token (the one the server's `ServerCredential` names). */
  readonly secret: secretsmanager.ISecret;

  /** The backend that issued the token. */
  readonly kind: RotationKind;

  /**
   * The backend's API URL, e.g. `https://gitlab.example.com/api/v4` for a self-managed GitLab.
   *
   * @default the kind's public API (`https://gitlab.com/api/v4` for GitLab; Dynatrace has none: required)
   */
  readonly apiUrl?: string;

  /**
   * The field of the secret's JSON that holds the token servers use (the credential's `jsonField`).
   * Set `secretIsBareToken` instead for a secret whose whole value is the token.
   *
   * @default 'token'
   */
  readonly jsonField?: string;

  /**
   * The secret's whole value is the token (not JSON). Such a secret cannot hold a standby token,
   * so a rotation revokes the token servers use a few seconds before the new one is current.
   *
   * @default false
   */
  readonly secretIsBareToken?: boolean;

  /**
   * The field of the secret's JSON that holds a second, standby token of the same scopes. When
   * the secret has it, a rotation rotates the standby and swaps the two, so the token servers use
   * stays valid through the rotation (without it, GitLab revokes that token at createSecret).
   *
   * @default 'standbyToken'
   */
  readonly standbyField?: string;

  /**
   * How often the token is rotated (4 hours to 1000 days, as Secrets Manager allows).
   *
   * @default Duration.days(30)
   */
  readonly schedule?: Duration;

  /**
   * How long each new token lives (the `expires_at` it is made with), at most 365 days (GitLab's
   * limit). It must outlast two rotation periods: with a standby token each token is in use for
   * one period and waits as the standby for the next.
   *
   * @default twice the schedule plus 7 days, at most 365 days
   */
  readonly tokenLifetime?: Duration;

  /**
   * Rotate once as soon as the schedule is deployed (and whenever it changes).
   *
   * @default false - the first rotation is one period after deployment
   */
  readonly rotateImmediately?: boolean;

  /**
   * An ECS service whose tasks were given the secret's value at start (ECS-injected secrets): the
   * rotation function redeploys it (`UpdateService` with `forceNewDeployment`) after finishSecret,
   * so new tasks start with the new value. Servers that read the secret by its ARN (Lambda,
   * ARN-mode Fargate) need none of this: they re-read it after the backend answers 401.
   *
   * @default - no service is redeployed
   */
  readonly redeployService?: ecs.IBaseService;

  /**
   * How long the rotation function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

const FIELD_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Rotates a server's token on a schedule: a rotation function running the bundled rotation
 * handler (`assets/rotation`) with a role that may describe, read, write and re-stage exactly
 * this secret (and use its customer managed key through Secrets Manager, when it has one), a log
 * group with retention, Secrets Manager's permission to invoke it for this secret, and the
 * secret's rotation schedule.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { McpServer, RotationKind, ServerCredential, ServerSecretRotation } from 'mcp-server-fleet';
 *
 * declare const stack: Stack;
 *
 * // {"token": "glpat-...", "standbyToken": "glpat-..."}: two tokens of the same scopes
 * const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'GitLabToken', 'mcp/gitlab-token');
 * new ServerSecretRotation(stack, 'GitLabRotation', { secret, kind: RotationKind.GITLAB });
 * McpServer.gitlab({ token: ServerCredential.fromSecret(secret, 'token') });
 */
export class ServerSecretRotation extends Construct {
  /** The rotation function. */
  public readonly rotationFunction: lambda.Function;
  /** Its role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** The secret's rotation schedule. */
  public readonly rotationSchedule: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: ServerSecretRotationProps) {
    super(scope, id);
    const schedule = props.schedule ?? Duration.days(30);
    const lifetime = props.tokenLifetime ?? Duration.days(Math.min(365, 2 * wholeDays(schedule) + 7));
    validateProps(props, schedule, lifetime);
    const apiUrl = props.apiUrl ?? props.kind.defaultApiUrl;
    if (apiUrl === undefined) {
      throw new Error(`\`apiUrl\` is required for ${props.kind.name}: it has no public API URL (Dynatrace: the environment URL, https://<id>.live.dynatrace.com), got: undefined`);
    }
    const secret = props.secret;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates the ${props.kind.name} token in one secret`,
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ROTATION_SECRET_ACTIONS, resources: [secretPolicyArn(secret)] }));
    if (secret.encryptionKey) {
      // Reading decrypts and PutSecretValue encrypts a new version with the secret's key, both through Secrets Manager.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [secret.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    const environment: Record<string, string> = {
      ROTATION_KIND: props.kind.name,
      ROTATION_API_URL: apiUrl,
      ROTATION_TOKEN_FIELD: props.secretIsBareToken ? '' : props.jsonField ?? 'token',
      ROTATION_STANDBY_FIELD: props.standbyField ?? 'standbyToken',
      ROTATION_TOKEN_LIFETIME_DAYS: String(wholeDays(lifetime)),
    };
    if (props.redeployService) {
      const service = props.redeployService;
      environment.ROTATION_ECS_CLUSTER = service.cluster.clusterName;
      environment.ROTATION_ECS_SERVICE = service.serviceName;
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [service.serviceArn] }));
    }

    this.rotationFunction = new lambda.Function(this, 'Function', {
      description: `Rotates the ${props.kind.name} token in a server's secret (Secrets Manager rotation steps)`,
      code: lambda.Code.fromAsset(requireRotationAsset()),
      handler: 'index.handler',
      runtime: LAMBDA_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Each step is a few calls of a few seconds at most; the backend calls time out after 15 s.
      timeout: Duration.minutes(1),
      environment,
      logGroup: this.logGroup,
      role: this.role,
    });

    // Secrets Manager invokes the function for this secret only (the confused-deputy guard AWS's rotation guide gives).
    const permission = new lambda.CfnPermission(this, 'InvokedBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: secretPolicyArn(secret),
    });
    // Not `secret.addRotationSchedule()`: it also grants `secretsmanager:GetRandomPassword` on `*`
    // (for generated passwords; a token comes from the backend).
    this.rotationSchedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: secretReferenceArn(secret),
      rotationLambdaArn: this.rotationFunction.functionArn,
      rotationRules: { scheduleExpression: `rate(${scheduleRate(schedule)})` },
      rotateImmediatelyOnUpdate: props.rotateImmediately ?? false,
    });
    // The schedule invokes the function when rotateImmediately is on: the permission must exist first.
    this.rotationSchedule.addDependency(permission);
    this.rotationSchedule.node.addDependency(this.role);

    acknowledgeRule(this.rotationFunction, 'AwsSolutions-L1',
      `The bundled rotation function is built and tested for ${LAMBDA_NODE_RUNTIME.name}, the runtime the design fixes; `
      + 'the default moves to a newer Node.js once the runtime is tested on it.');
  }
}

function wholeDays(d: Duration): number {
  return Math.ceil(d.toHours({ integral: false }) / 24);
}

/** Secrets Manager's rate: hours below a day, days otherwise. */
function scheduleRate(d: Duration): string {
  const hours = d.toHours();
  if (hours % 24 !== 0) return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const days = hours / 24;
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

function validateProps(props: ServerSecretRotationProps, schedule: Duration, lifetime: Duration): void {
  if (!schedule.isUnresolved()) {
    const hours = schedule.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 4 || hours > 24_000) {
      throw new Error(`\`schedule\` must be a whole number of hours from 4 hours to 1000 days (Secrets Manager's range), got: ${schedule.toHumanString()}`);
    }
  }
  if (!lifetime.isUnresolved()) {
    const days = lifetime.toHours({ integral: false }) / 24;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw new Error(`\`tokenLifetime\` must be a whole number of days from 1 to 365 (GitLab's limit), got: ${lifetime.toHumanString()}`);
    }
    if (!schedule.isUnresolved() && days <= 2 * schedule.toHours({ integral: false }) / 24) {
      throw new Error('`tokenLifetime` must be longer than two rotation periods (a token is in use for one and the standby for the next): '
        + `\`schedule\` is ${schedule.toHumanString()}, got: ${lifetime.toHumanString()}`);
    }
  }
  if (props.apiUrl !== undefined && !Token.isUnresolved(props.apiUrl) && !/^https:\/\/[^/\s]+(\/\S*)?$/.test(props.apiUrl)) {
    throw new Error(`\`apiUrl\` must be an https:// URL of the backend's API (e.g. https://gitlab.example.com/api/v4), got: ${JSON.stringify(props.apiUrl)}`);
  }
  for (const [prop, value] of [['jsonField', props.jsonField], ['standbyField', props.standbyField]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && !FIELD_PATTERN.test(value)) {
      throw new Error(`\`${prop}\` must be a JSON field name (letters, digits, '_', '.', '-'), got: ${JSON.stringify(value)}`);
    }
  }
  if (props.secretIsBareToken && props.jsonField !== undefined) {
    throw new Error(`\`jsonField\` and \`secretIsBareToken\` exclude each other: a bare-token secret has no fields, got jsonField: ${JSON.stringify(props.jsonField)}`);
  }
  const field = props.jsonField ?? 'token';
  if (!props.secretIsBareToken && props.standbyField !== undefined && props.standbyField === field) {
    throw new Error(`\`standbyField\` must differ from the token's field ${JSON.stringify(field)}, got: ${JSON.stringify(props.standbyField)}`);
  }
}
