/**
 * The Secrets Manager rotation function (`assets/rotation/index.js`, `index.handler`): the four
 * steps of Secrets Manager's rotation contract for a server's token, one invocation per step,
 * each safe to run again (Secrets Manager retries a step that failed, with the same token):
 *
 *   createSecret  the backend makes a new token; it is stored as the version `ClientRequestToken`
 *                 with the stage AWSPENDING (nothing happens when that version exists already);
 *   setSecret     the pending version is read back and checked (the backend made the token in
 *                 createSecret: its self-rotation APIs make and return it in one call);
 *   testSecret    the backend is asked about the pending token, with that token;
 *   finishSecret  AWSCURRENT moves to the pending version (the old one gets AWSPREVIOUS) and
 *                 AWSPENDING is taken off it, then,
 *                 when configured, an ECS service is redeployed so tasks that were given the
 *                 secret's value at start read the new one.
 *
 * Which backend (`ROTATION_KIND`), where its API is (`ROTATION_API_URL`) and which fields of the
 * secret's JSON hold the tokens come from the environment the construct sets (see
 * {@link rotationSettings}), not from the secret: a secret's value is data a person may edit, and
 * where a token is sent must not depend on it.
 *
 * Running servers read AWSCURRENT; they pick up the new value when their cache expires or at
 * once after the backend answers 401 (runtime/core/credentials.ts `refresh()`, called once per
 * 401 by runtime/core/upstream.ts).
 */
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { dynatraceRotator } from './dynatrace';
import { forceNewDeployment } from './ecs';
import { gitlabRotator } from './gitlab';
import { RotationError, log, type Rotator, type RotationSettings } from './kit';

export { RotationError } from './kit';

/** What Secrets Manager sends for each step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = (typeof STEPS)[number];

const ROTATORS: Record<string, (settings: RotationSettings) => Rotator> = {
  gitlab: gitlabRotator,
  dynatrace: dynatraceRotator,
};

/** The backends that can rotate their own tokens. */
export const ROTATION_KINDS = Object.keys(ROTATORS);

/** The function's settings from its environment; every problem is named with the variable and its value. */
export function rotationSettings(env: NodeJS.ProcessEnv): RotationSettings {
  const kind = env.ROTATION_KIND ?? '';
  if (!ROTATORS[kind]) throw new RotationError(`ROTATION_KIND must be one of ${ROTATION_KINDS.join(', ')}, got: ${JSON.stringify(kind)}`);
  const apiUrl = env.ROTATION_API_URL ?? '';
  if (!/^https?:\/\/[^/]/.test(apiUrl)) throw new RotationError(`ROTATION_API_URL must be the backend's API URL (http(s)://...), got: ${JSON.stringify(apiUrl)}`);
  const lifetime = Number(env.ROTATION_TOKEN_LIFETIME_DAYS ?? '90');
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 365) {
    throw new RotationError(`ROTATION_TOKEN_LIFETIME_DAYS must be a whole number of days from 1 to 365, got: ${JSON.stringify(env.ROTATION_TOKEN_LIFETIME_DAYS)}`);
  }
  const cluster = env.ROTATION_ECS_CLUSTER || undefined;
  const service = env.ROTATION_ECS_SERVICE || undefined;
  if (Boolean(cluster) !== Boolean(service)) {
    throw new RotationError(`ROTATION_ECS_CLUSTER and ROTATION_ECS_SERVICE go together, got: cluster ${JSON.stringify(cluster)}, service ${JSON.stringify(service)}`);
  }
  return {
    kind,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    tokenField: env.ROTATION_TOKEN_FIELD ?? 'token',
    standbyField: env.ROTATION_STANDBY_FIELD || 'standbyToken',
    lifetimeDays: lifetime,
    ...(cluster && service ? { ecs: { cluster, service } } : {}),
  };
}

let client: SecretsManagerClient | undefined;
/** Secrets Manager, made on first use (the SDK retries throttling and 5xx answers, 5 attempts). */
function secretsManager(): SecretsManagerClient {
  client ??= new SecretsManagerClient({ maxAttempts: 5 });
  return client;
}

export async function handler(event: RotationEvent): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event ?? ({} as RotationEvent);
  if (typeof secretId !== 'string' || !secretId || typeof token !== 'string' || !token) {
    throw new RotationError(`a rotation event has a SecretId and a ClientRequestToken, got: ${JSON.stringify({ SecretId: secretId, ClientRequestToken: token })}`);
  }
  if (!STEPS.includes(step as Step)) throw new RotationError(`Step must be one of ${STEPS.join(', ')}, got: ${JSON.stringify(step)}`);
  const settings = rotationSettings(process.env);
  const rotator = ROTATORS[settings.kind](settings);
  const sm = secretsManager();

  // Secrets Manager's contract: rotation is on, the token is a version of this secret, and it is
  // AWSPENDING; a version already AWSCURRENT means an earlier run of this rotation finished.
  const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!described.RotationEnabled) throw new RotationError(`secret ${secretId} does not have rotation enabled`);
  const versions = described.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new RotationError(`ClientRequestToken ${token} is not a version of secret ${secretId}`);
  const current = Object.entries(versions).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
  const context = { secretId, token, step };
  const read = async (stage: string, versionId?: string): Promise<string | undefined> => {
    try {
      const version = versionId ? { VersionId: versionId } : {};
      const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, ...version }));
      if (out.SecretString === undefined) throw new RotationError(`secret ${secretId} (${stage}) has no string value: only SecretString secrets are rotated`);
      return out.SecretString;
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  };

  if (stages.includes('AWSCURRENT')) {
    log('info', 'the version is already AWSCURRENT: this rotation has finished', context);
    // A finishSecret that moved the stage but failed afterwards is run again: what follows the move runs again.
    if (step === 'finishSecret') await afterFinish();
    return;
  }
  if (!stages.includes('AWSPENDING')) throw new RotationError(`version ${token} of secret ${secretId} is not AWSPENDING (its stages: ${stages.join(', ') || 'none'})`);

  /** Retires the previous token (where the backend needs that), then redeploys the ECS service. */
  async function afterFinish(): Promise<void> {
    if (rotator.finish) {
      const [previous, now] = await Promise.all([read('AWSPREVIOUS'), read('AWSCURRENT')]);
      if (previous !== undefined && now !== undefined) await rotator.finish(previous, now);
    }
    if (settings.ecs) await forceNewDeployment(settings.ecs);
  }

  switch (step as Step) {
    case 'createSecret': {
      if (await read('AWSPENDING', token) !== undefined) {
        log('info', 'the pending version exists already', context);
        return;
      }
      const currentValue = await read('AWSCURRENT');
      if (currentValue === undefined) throw new RotationError(`secret ${secretId} has no AWSCURRENT value to rotate`);
      const value = await rotator.create(currentValue);
      // The backend has made (and, for a self-rotation, already revoked the rotated) token: the new
      // value must be stored. The client retries 5 times; past that the error names what to do.
      try {
        await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }));
      } catch (err) {
        log('error', 'the backend made a new token but it could not be stored', { ...context, error: (err as Error).name });
        throw new RotationError(`${settings.kind} made a new token but PutSecretValue on ${secretId} failed (${(err as Error).name}): `
          + `${rotator.lostTokenAdvice}`);
      }
      log('info', 'the new token is stored as AWSPENDING', context);
      return;
    }
    case 'setSecret': {
      const pending = await read('AWSPENDING', token);
      if (pending === undefined) throw new RotationError(`version ${token} of secret ${secretId} has no value: createSecret has not run`);
      rotator.check(pending);
      return;
    }
    case 'testSecret': {
      const pending = await read('AWSPENDING', token);
      if (pending === undefined) throw new RotationError(`version ${token} of secret ${secretId} has no value: createSecret has not run`);
      await rotator.test(pending);
      log('info', 'the backend accepts the pending token', context);
      return;
    }
    case 'finishSecret': {
      await sm.send(new UpdateSecretVersionStageCommand({
        SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, ...(current ? { RemoveFromVersionId: current } : {}),
      }));
      // The version is current now: it is not pending any more (a later rotation's checks rely on it).
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
      log('info', 'AWSCURRENT moved to the new version', { ...context, previous: current });
      await afterFinish();
      return;
    }
  }
}
