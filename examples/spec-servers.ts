/**
 * What the example apps share: the spec's five servers configured from context, each credential a
 * field of one JSON secret, and the small context readers. Each example imports what it needs.
 */
import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FargateComputeOptions, McpServer, ServerCredential } from '../src';

/**
 * The fields of one JSON secret, as credentials: the secret named by `-c <key>SecretArn=<complete
 * ARN>` when given, else imported once by `-c <key>SecretName=` (default `defaultName`). Two
 * credentials from one secret (Atlassian's email and token) make one IAM grant and one read.
 */
export function jsonSecret(stack: Stack, key: string, defaultName: string): (field: string) => ServerCredential {
  const arn: string | undefined = stack.node.tryGetContext(`${key}SecretArn`);
  if (arn) return (field) => ServerCredential.fromSecretCompleteArn(arn, field);
  const id = `${key.charAt(0).toUpperCase()}${key.slice(1)}Secret`;
  const secret = secretsmanager.Secret.fromSecretNameV2(stack, id, stack.node.tryGetContext(`${key}SecretName`) ?? defaultName);
  return (field) => ServerCredential.fromSecret(secret, field);
}

/**
 * The spec's five servers, read-only, from context: gitlab (`gitlabApiUrl`), atlassian
 * (`atlassianUrl`, `jiraProjects`, `confluenceSpaces`), dynatrace (`dynatraceUrl`), pagerduty
 * (`pagerdutyApiUrl`) and servicenow (`servicenowInstanceUrl`), with their secrets (`jsonSecret`).
 */
export function specServers(stack: Stack): McpServer[] {
  const context = (key: string): string | undefined => stack.node.tryGetContext(key);
  const gitlab = jsonSecret(stack, 'gitlabToken', 'mcp/gitlab-token');
  const atlassian = jsonSecret(stack, 'atlassian', 'mcp/atlassian-credentials');
  const dynatrace = jsonSecret(stack, 'dynatraceToken', 'mcp/dynatrace-token');
  const pagerduty = jsonSecret(stack, 'pagerdutyToken', 'mcp/pagerduty-token');
  const servicenow = jsonSecret(stack, 'servicenow', 'mcp/servicenow-credentials');
  return [
    McpServer.gitlab({ apiUrl: context('gitlabApiUrl'), token: gitlab('token') }),
    McpServer.atlassian({
      url: context('atlassianUrl') ?? 'https://example.atlassian.net',
      email: atlassian('email'),
      token: atlassian('token'),
      jiraProjects: splitList(context('jiraProjects')),
      confluenceSpaces: splitList(context('confluenceSpaces')),
    }),
    McpServer.dynatrace({ url: context('dynatraceUrl') ?? 'https://abc12345.live.dynatrace.com', token: dynatrace('token') }),
    McpServer.pagerduty({ apiUrl: context('pagerdutyApiUrl'), token: pagerduty('token') }),
    McpServer.servicenow({
      instanceUrl: context('servicenowInstanceUrl') ?? 'https://example.service-now.com',
      username: servicenow('username'),
      password: servicenow('password'),
    }),
  ];
}

/** The hosted zone of `-c hostedZoneId=` and `-c zoneName=` (both or neither), or none. */
export function hostedZone(stack: Stack): route53.IHostedZone | undefined {
  const hostedZoneId: string | undefined = stack.node.tryGetContext('hostedZoneId');
  const zoneName: string | undefined = stack.node.tryGetContext('zoneName');
  if (!hostedZoneId && !zoneName) return undefined;
  if (!hostedZoneId || !zoneName) {
    throw new Error(`Give both -c hostedZoneId= and -c zoneName= (the zone's id and its name), or neither; got hostedZoneId=${JSON.stringify(hostedZoneId)}, `
      + `zoneName=${JSON.stringify(zoneName)}`);
  }
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'HostedZone', { hostedZoneId, zoneName });
}

/** A comma-separated context value as a list (undefined when empty). */
export function splitList(value: string | undefined): string[] | undefined {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** The issuer of `-c oauthIssuer=`, required: `why` says what needs it. */
export function oauthIssuer(stack: Stack, why: string): string {
  const issuer: string | undefined = stack.node.tryGetContext('oauthIssuer');
  if (!issuer) throw new Error(`Set the authorization server's issuer: -c oauthIssuer=https://<your issuer> (${why})`);
  return issuer;
}

/**
 * The HTTPS front door of a Fargate example: `-c domainName=` (default mcp.example.com), a
 * certificate of `-c certificateArn=` (else one is created for the name) and the optional zone.
 */
export function fargateFrontDoor(stack: Stack): FargateComputeOptions {
  const certificateArn: string | undefined = stack.node.tryGetContext('certificateArn');
  return {
    domainName: stack.node.tryGetContext('domainName') ?? 'mcp.example.com',
    certificate: certificateArn ? acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn) : undefined,
    hostedZone: hostedZone(stack),
  };
}
