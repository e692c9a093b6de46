/**
 * `ecs:UpdateService` with `forceNewDeployment`: tasks that were given the secret's value as an
 * environment variable at start (ECS-injected secrets) only see a new value in new tasks.
 *
 * One signed JSON call (Signature Version 4, node:crypto) instead of the ECS client: the bundle
 * carries only the Secrets Manager client. Credentials are the function's, from the environment
 * Lambda sets; `AWS_ENDPOINT_URL_ECS` overrides the endpoint as it does for the AWS SDK.
 */
import { createHash, createHmac } from 'node:crypto';
import { RotationError, briefBody, log } from './kit';

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The headers of a SigV4-signed POST (exported for its test). */
export function signedHeaders(opts: {
  readonly url: URL;
  readonly body: string;
  readonly target: string;
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly now?: Date;
}): Record<string, string> {
  const amzDate = (opts.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(opts.body);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'host': opts.url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    'x-amz-target': opts.target,
    ...(opts.sessionToken ? { 'x-amz-security-token': opts.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', opts.url.pathname || '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.secretAccessKey}`, day), opts.region), opts.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

export async function forceNewDeployment(
  target: { readonly cluster: string; readonly service: string }, env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new RotationError('the ECS service cannot be redeployed: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  }
  const url = new URL(env.AWS_ENDPOINT_URL_ECS ?? `https://ecs.${region}.amazonaws.com/`);
  const body = JSON.stringify({ cluster: target.cluster, service: target.service, forceNewDeployment: true });
  const headers = signedHeaders({
    url,
    body,
    target: 'AmazonEC2ContainerServiceV20141113.UpdateService',
    region,
    service: 'ecs',
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
  });
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new RotationError(`ECS UpdateService for ${target.service} could not be sent: ${(err as Error).message}`);
  }
  if (!res.ok) throw new RotationError(`ECS UpdateService (forceNewDeployment) for ${target.service} in ${target.cluster} answered ${res.status}: ${await briefBody(res)}`);
  log('info', 'the ECS service is redeploying with the new secret', { cluster: target.cluster, service: target.service });
}
