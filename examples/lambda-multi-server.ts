/**
 * One Lambda function hosting several MCP servers behind an HTTP API (spec A.6): the spec's five
 * servers, GitLab.com (`gitlab`), Atlassian, Dynatrace, PagerDuty and ServiceNow, plus a
 * self-managed GitLab (`gitlab-internal`): two servers of one kind under their own names and paths,
 * six servers in one function. The self-managed GitLab enables write tools, so callers
 * authenticate with your OpenID Connect / OAuth 2.1 authorization server (Entra ID, Okta, Auth0,
 * Keycloak...): the HTTP API's JWT authorizer and the runtime both check the bearer token; write
 * tools also need the `mcp:write` scope.
 *
 * Before deploying, create the secrets, one JSON secret per server as the spec (A.4) recommends;
 * Atlassian's and ServiceNow's hold both of their credentials:
 *
 *   aws secretsmanager create-secret --name mcp/gitlab-token --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}'
 *   aws secretsmanager create-secret --name mcp/gitlab-internal-token --secret-string '{"token":"glpat-yyyyyyyyyyyyyyyyyyyy"}'
 *   aws secretsmanager create-secret --name mcp/atlassian-credentials \
 *     --secret-string '{"email":"service@example.com","token":"ATATT3xFfGF0..."}'
 *   aws secretsmanager create-secret --name mcp/dynatrace-token --secret-string '{"token":"dt0c01.XXXXXXXX.YYYYYYYY"}'
 *   aws secretsmanager create-secret --name mcp/pagerduty-token --secret-string '{"token":"u+xxxxxxxxxxxxxxxxxx"}'
 *   aws secretsmanager create-secret --name mcp/servicenow-credentials \
 *     --secret-string '{"username":"mcp_integration","password":"..."}'
 *
 * then:
 *
 *   npx cdk deploy --app 'npx ts-node examples/lambda-multi-server.ts' -c oauthIssuer=https://example.okta.com/oauth2/default \
 *     -c internalGitLabUrl=https://gitlab.example.com/api/v4 -c atlassianUrl=https://your-domain.atlassian.net \
 *     -c dynatraceUrl=https://abc12345.live.dynatrace.com -c servicenowInstanceUrl=https://your-instance.service-now.com
 *
 * Context (`-c key=value`):
 *   oauthIssuer             required: the authorization server's issuer URL (the tokens' `iss`)
 *   oauthAudience           comma-separated accepted `aud` values (default: each server's endpoint URL)
 *   environment             development | staging | production (default production)
 *   <secret>SecretArn       a secret's complete ARN (wins over its name), <secret> one of gitlabToken,
 *                           atlassian, dynatraceToken, pagerdutyToken, servicenow
 *   <secret>SecretName      a secret's name (defaults: mcp/gitlab-token, mcp/atlassian-credentials,
 *                           mcp/dynatrace-token, mcp/pagerduty-token, mcp/servicenow-credentials)
 *   internalGitLabUrl       the self-managed GitLab's API (default https://gitlab.example.com/api/v4)
 *   internalTokenSecretArn  the complete ARN of the self-managed GitLab's token secret
 *                           (default: the secret named mcp/gitlab-internal-token)
 *   atlassianUrl            the Atlassian site (default https://example.atlassian.net)
 *   jiraProjects            comma-separated Jira project keys the server may use (default every project)
 *   confluenceSpaces        comma-separated Confluence space keys it may use (default every space)
 *   dynatraceUrl            the Dynatrace environment (default https://abc12345.live.dynatrace.com)
 *   pagerdutyApiUrl         the PagerDuty REST API (default https://api.pagerduty.com; EU: https://api.eu.pagerduty.com)
 *   servicenowInstanceUrl   the ServiceNow instance (default https://example.service-now.com)
 *   allowedOrigins          comma-separated origins browsers may call from (default none)
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential } from '../src';
import { oauthIssuer, specServers, splitList } from './spec-servers';

export class LambdaMultiServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    const issuer = oauthIssuer(this, 'the gitlab-internal server enables write tools, which need authenticated callers');
    const internalArn = context('internalTokenSecretArn');
    const internalToken = internalArn
      ? ServerCredential.fromSecretCompleteArn(internalArn, 'token')
      : ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(this, 'InternalToken', 'mcp/gitlab-internal-token'), 'token');
    const [gitlab, ...others] = specServers(this);

    this.fleet = new McpServerFleet(this, 'Fleet', {
      environment: context('environment') ?? 'production',
      servers: [
        gitlab,
        McpServer.gitlab({
          name: 'gitlab-internal',
          apiUrl: context('internalGitLabUrl') ?? 'https://gitlab.example.com/api/v4',
          token: internalToken,
          allowWrites: true,
        }),
        ...others,
      ],
      // Six servers' variables share this function's environment (Lambda's 4 KB: about 1.7 KB here).
      compute: FleetCompute.lambdaMultiServer({ memorySize: 1024 }),
      auth: FleetAuth.oauth({
        issuer,
        audience: splitList(context('oauthAudience')),
        requiredScopes: ['mcp:read'],
        writeScopes: ['mcp:write'],
      }),
      allowedOrigins: splitList(context('allowedOrigins')),
    });
  }
}

/** Builds the app without synthesizing it (the tests synthesize it themselves). */
export function buildApp(app: App = new App()): App {
  new LambdaMultiServerStack(app, 'McpServersLambdaMultiServer', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'Remote MCP servers: one Lambda function hosting every server behind an HTTP API (mcp-server-fleet)',
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
