/**
 * One Lambda function hosting several MCP servers behind an HTTP API (spec A.6): GitLab.com and a
 * self-managed GitLab, two servers of one kind under their own names and paths. The self-managed
 * one enables write tools, so callers authenticate with your OpenID Connect / OAuth 2.1
 * authorization server (Entra ID, Okta, Auth0, Keycloak...): the HTTP API's JWT authorizer and the
 * runtime both check the bearer token; write tools also need the `mcp:write` scope.
 *
 * Before deploying, create the two token secrets (JSON secrets with a `token` field):
 *
 *   aws secretsmanager create-secret --name mcp/gitlab-token \
 *     --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}'
 *   aws secretsmanager create-secret --name mcp/gitlab-internal-token \
 *     --secret-string '{"token":"glpat-yyyyyyyyyyyyyyyyyyyy"}'
 *
 * then:
 *
 *   npx cdk deploy --app 'npx ts-node examples/lambda-multi-server.ts' -c internalGitLabUrl=https://gitlab.example.com/api/v4 \
 *     -c oauthIssuer=https://example.okta.com/oauth2/default
 *
 * Context (`-c key=value`):
 *   oauthIssuer             required: the authorization server's issuer URL (the tokens' `iss`)
 *   oauthAudience           comma-separated accepted `aud` values (default: each server's endpoint URL)
 *   environment             development | staging | production (default production)
 *   gitlabTokenSecretName   default mcp/gitlab-token
 *   internalGitLabUrl       the self-managed GitLab's API (default https://gitlab.example.com/api/v4)
 *   internalTokenSecretArn  the complete ARN of the self-managed GitLab's token secret
 *                           (default: the secret named mcp/gitlab-internal-token)
 *   allowedOrigins          comma-separated origins browsers may call from (default none)
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential } from '../src';

export class LambdaMultiServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    const issuer = context('oauthIssuer');
    if (!issuer) {
      throw new Error('Set the authorization server\'s issuer: -c oauthIssuer=https://<your issuer> '
        + '(the gitlab-internal server enables write tools, which need authenticated callers)');
    }

    const gitlabToken = secretsmanager.Secret.fromSecretNameV2(this, 'GitLabToken', context('gitlabTokenSecretName') ?? 'mcp/gitlab-token');
    const internalArn = context('internalTokenSecretArn');
    const internalToken = internalArn
      ? ServerCredential.fromSecretCompleteArn(internalArn, 'token')
      : ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(this, 'InternalToken', 'mcp/gitlab-internal-token'), 'token');

    this.fleet = new McpServerFleet(this, 'Fleet', {
      environment: context('environment') ?? 'production',
      servers: [
        McpServer.gitlab({ token: ServerCredential.fromSecret(gitlabToken, 'token') }),
        McpServer.gitlab({
          name: 'gitlab-internal',
          apiUrl: context('internalGitLabUrl') ?? 'https://gitlab.example.com/api/v4',
          token: internalToken,
          allowWrites: true,
        }),
      ],
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

function splitList(value: string | undefined): string[] | undefined {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

if (require.main === module) {
  buildApp().synth();
}
