/**
 * A fake AWS Secrets Manager (JSON 1.1 protocol) on 127.0.0.1 for the AWS SDK's endpoint
 * override (`AWS_ENDPOINT_URL_SECRETS_MANAGER`). It records calls and answers:
 *
 * - GetSecretValue by `VersionId` and/or `VersionStage` (default AWSCURRENT);
 * - PutSecretValue with `ClientRequestToken` (the version id) and `VersionStages` (default
 *   AWSCURRENT): the same token with the same value again is accepted (idempotent), with another
 *   value refused `ResourceExistsException`, as Secrets Manager does;
 * - UpdateSecretVersionStage (`MoveToVersionId`, `RemoveFromVersionId`): moving a stage that is
 *   attached to another version requires naming that version in `RemoveFromVersionId`;
 * - DescribeSecret with `RotationEnabled` and `VersionIdsToStages`.
 *
 * Stages behave as in Secrets Manager: a stage is on at most one version, and when AWSCURRENT
 * moves, the version that had it gets AWSPREVIOUS. Versions without a stage are kept (the real
 * service deletes them later; nothing here depends on that).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretCall {
  readonly target: string;
  readonly secretId: string;
}

/** A call with its whole request body (what `calls` leaves out). */
export interface SecretRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

export interface FakeSecretsManager {
  readonly url: string;
  readonly calls: SecretCall[];
  /** Every call with its body, in order. */
  readonly requests: SecretRequest[];
  /** Sets (or rotates) a secret's SecretString as a new AWSCURRENT version; returns its ARN. */
  put(name: string, value: string): string;
  arnOf(name: string): string;
  /** Marks a secret as having rotation turned on (DescribeSecret's `RotationEnabled`). */
  enableRotation(name: string): void;
  /**
   * What RotateSecret does before it invokes the rotation function: a new version without a value,
   * staged AWSPENDING. Answers its id (the steps' `ClientRequestToken`).
   */
  startRotation(name: string): string;
  /** The secret's versions: id -> stages (as DescribeSecret gives them). */
  stagesOf(name: string): Record<string, string[]>;
  /** The value of the version that has `stage` (default AWSCURRENT), or undefined. */
  valueOf(name: string, stage?: string): string | undefined;
  /** From now on, answer every call with this status (Secrets Manager down, throttling...); `undefined` heals it. */
  failWith(status: number | undefined): void;
  /** Answers the next `times` (default 1) calls of `target` (e.g. `secretsmanager.PutSecretValue`) with this status. */
  failNext(target: string, status: number, times?: number): void;
  /** The environment the AWS SDK needs to talk to this fake. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface Version {
  /** Undefined for the version RotateSecret makes before createSecret has stored a value. */
  value: string | undefined;
  readonly stages: Set<string>;
  readonly created: number;
}
interface Secret {
  readonly versions: Map<string, Version>;
  /** How many versions `put` made (their ids are `v1`, `v2`...). */
  putCount: number;
  rotationEnabled: boolean;
}

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** Puts `stage` on `versionId` alone; AWSCURRENT leaves AWSPREVIOUS on the version it came from. */
function attach(secret: Secret, stage: string, versionId: string): void {
  for (const [id, v] of secret.versions) {
    if (id === versionId || !v.stages.has(stage)) continue;
    v.stages.delete(stage);
    if (stage === 'AWSCURRENT') {
      for (const other of secret.versions.values()) other.stages.delete('AWSPREVIOUS');
      v.stages.add('AWSPREVIOUS');
    }
  }
  secret.versions.get(versionId)!.stages.add(stage);
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, Secret>();
  const calls: SecretCall[] = [];
  const requests: SecretRequest[] = [];
  let failure: number | undefined;
  const planned: Array<{ target: string; status: number }> = [];
  let clock = 1700000000;
  const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const lookup = (id: string) => {
    for (const [name, s] of secrets) if (id === name || id === arnOf(name)) return { name, secret: s };
    throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  };
  const versionIdsToStages = (s: Secret) => Object.fromEntries([...s.versions].map(([id, v]) => [id, [...v.stages]]));

  const operations: Record<string, (body: Record<string, any>) => unknown> = {
    GetSecretValue(body) {
      const { name, secret } = lookup(String(body.SecretId ?? ''));
      const stage = body.VersionStage as string | undefined;
      let id: string | undefined;
      if (body.VersionId) {
        id = secret.versions.has(body.VersionId) ? body.VersionId : undefined;
        if (id && stage && !secret.versions.get(id)!.stages.has(stage)) id = undefined;
      } else {
        const wanted = stage ?? 'AWSCURRENT';
        id = [...secret.versions].find(([, v]) => v.stages.has(wanted))?.[0];
      }
      const v = id === undefined ? undefined : secret.versions.get(id)!;
      if (!id || !v || v.value === undefined) throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId or VersionStage");
      return { ARN: arnOf(name), Name: name, SecretString: v.value, VersionId: id, VersionStages: [...v.stages], CreatedDate: v.created };
    },
    PutSecretValue(body) {
      const { name, secret } = lookup(String(body.SecretId ?? ''));
      const id = String(body.ClientRequestToken ?? '');
      const value = body.SecretString;
      if (id.length < 32) throw new ApiError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters');
      if (typeof value !== 'string') throw new ApiError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const stages: string[] = Array.isArray(body.VersionStages) ? body.VersionStages : ['AWSCURRENT'];
      const existing = secret.versions.get(id);
      if (existing && existing.value !== undefined && existing.value !== value) {
        throw new ApiError('ResourceExistsException', `You can't modify an existing version, you can only create a new version. VersionId: ${id}`);
      }
      if (!existing) secret.versions.set(id, { value, stages: new Set(), created: ++clock });
      else existing.value = value;
      for (const stage of stages) attach(secret, stage, id);
      return { ARN: arnOf(name), Name: name, VersionId: id, VersionStages: [...secret.versions.get(id)!.stages] };
    },
    UpdateSecretVersionStage(body) {
      const { name, secret } = lookup(String(body.SecretId ?? ''));
      const stage = String(body.VersionStage ?? '');
      const moveTo = body.MoveToVersionId as string | undefined;
      const removeFrom = body.RemoveFromVersionId as string | undefined;
      for (const id of [moveTo, removeFrom]) {
        if (id !== undefined && !secret.versions.has(id)) throw new ApiError('ResourceNotFoundException', `no version ${id}`);
      }
      const holder = [...secret.versions].find(([, v]) => v.stages.has(stage))?.[0];
      if (removeFrom !== undefined && holder !== removeFrom) {
        throw new ApiError('InvalidParameterException', `The staging label ${stage} is currently not attached to version ${removeFrom}`);
      }
      if (moveTo !== undefined && holder !== undefined && holder !== moveTo && removeFrom !== holder) {
        throw new ApiError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`);
      }
      if (moveTo !== undefined) attach(secret, stage, moveTo);
      else if (removeFrom !== undefined) secret.versions.get(removeFrom)!.stages.delete(stage);
      return { ARN: arnOf(name), Name: name };
    },
    DescribeSecret(body) {
      const { name, secret } = lookup(String(body.SecretId ?? ''));
      return { ARN: arnOf(name), Name: name, RotationEnabled: secret.rotationEnabled, VersionIdsToStages: versionIdsToStages(secret) };
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch { /* answered below */ }
      const secretId = String(body.SecretId ?? '');
      calls.push({ target, secretId });
      requests.push({ target, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
        res.end(JSON.stringify(payload));
      };
      const plannedAt = planned.findIndex((p) => p.target === target);
      const status = failure ?? (plannedAt >= 0 ? planned.splice(plannedAt, 1)[0].status : undefined);
      if (status !== undefined) {
        return reply(status, { __type: status === 429 ? 'ThrottlingException' : 'InternalServiceError', message: 'Secrets Manager is unavailable (fake)' });
      }
      const operation = target.startsWith('secretsmanager.') ? operations[target.slice('secretsmanager.'.length)] : undefined;
      if (!operation) return reply(400, { __type: 'UnknownOperationException', message: `unsupported: ${target}` });
      try {
        return reply(200, operation(body));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return reply(err.status, { __type: err.type, message: err.message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    requests,
    arnOf,
    put(name, value) {
      let secret = secrets.get(name);
      if (!secret) {
        secret = { versions: new Map(), putCount: 0, rotationEnabled: false };
        secrets.set(name, secret);
      }
      const id = `v${++secret.putCount}`;
      secret.versions.set(id, { value, stages: new Set(), created: ++clock });
      attach(secret, 'AWSCURRENT', id);
      return arnOf(name);
    },
    enableRotation(name) {
      lookup(name).secret.rotationEnabled = true;
    },
    startRotation(name) {
      const { secret } = lookup(name);
      const id = randomUUID();
      secret.versions.set(id, { value: undefined, stages: new Set(), created: ++clock });
      attach(secret, 'AWSPENDING', id);
      return id;
    },
    stagesOf(name) {
      return versionIdsToStages(lookup(name).secret);
    },
    valueOf(name, stage = 'AWSCURRENT') {
      return [...lookup(name).secret.versions.values()].find((v) => v.stages.has(stage))?.value;
    },
    failWith(status) {
      failure = status;
    },
    failNext(target, status, times = 1) {
      for (let i = 0; i < times; i++) planned.push({ target, status });
    },
    env() {
      return {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
        AWS_SESSION_TOKEN: 'fake-session-token',
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
