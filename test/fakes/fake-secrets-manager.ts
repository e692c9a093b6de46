/**
 * A fake AWS Secrets Manager (JSON 1.1 protocol) on 127.0.0.1 for the AWS SDK's endpoint
 * override (`AWS_ENDPOINT_URL_SECRETS_MANAGER`). It answers GetSecretValue and records calls.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretCall {
  readonly target: string;
  readonly secretId: string;
}

export interface FakeSecretsManager {
  readonly url: string;
  readonly calls: SecretCall[];
  /** Sets (or rotates) a secret's SecretString; returns its ARN. */
  put(name: string, value: string): string;
  arnOf(name: string): string;
  /** From now on, answer every call with this status (Secrets Manager down, throttling...); `undefined` heals it. */
  failWith(status: number | undefined): void;
  /** The environment the AWS SDK needs to talk to this fake. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { value: string; version: number }>();
  const calls: SecretCall[] = [];
  let failure: number | undefined;
  const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const lookup = (id: string) => {
    for (const [name, s] of secrets) if (id === name || id === arnOf(name)) return { name, ...s };
    return undefined;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: { SecretId?: string } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch { /* answered below */ }
      const secretId = body.SecretId ?? '';
      calls.push({ target, secretId });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
        res.end(JSON.stringify(payload));
      };
      if (failure !== undefined) {
        return reply(failure, { __type: failure === 429 ? 'ThrottlingException' : 'InternalServiceError', message: 'Secrets Manager is unavailable (fake)' });
      }
      if (target !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'UnknownOperationException', message: `unsupported: ${target}` });
      }
      const found = lookup(secretId);
      if (!found) {
        return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      }
      return reply(200, {
        ARN: arnOf(found.name),
        Name: found.name,
        SecretString: found.value,
        VersionId: `v${found.version}`,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1700000000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    arnOf,
    put(name, value) {
      const prev = secrets.get(name);
      secrets.set(name, { value, version: (prev?.version ?? 0) + 1 });
      return arnOf(name);
    },
    failWith(status) {
      failure = status;
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
