/**
 * One Lambda function per MCP server behind one REST API (spec A.1-A.5).
 *
 * Before deploying, create the GitLab token secret (a JSON secret with a `token` field):
 *
 *   aws secretsmanager create-secret --name mcp/gitlab-token \
 *     --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}' \
 *     --tags Key=Application,Value=mcp-servers
 *
 * then:
 *
 *   npx cdk deploy --app 'npx ts-node examples/lambda-per-server.ts'
 *
 * Context (all optional, `-c key=value`):
 *   environment            development | staging | production (default production)
 *   gitlabTokenSecretArn   the secret's complete ARN (wins over the name)
 *   gitlabTokenSecretName  the secret's name (default mcp/gitlab-token)
 *   allowedOrigins         comma-separated origins browsers may call from (default none)
 *   cognitoDomainPrefix    a Cognito domain prefix for the sign-in pages (default none: add one later)
 *
 * Callers sign in to the Cognito user pool the fleet creates (no self sign-up: create the users with
 * `aws cognito-idp admin-create-user`); API Gateway's Cognito authorizer checks their access token
 * and its `mcp/read` scope, and the runtime checks it again (`mcp/write` for write tools).
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential } from '../src';

export class LambdaPerServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    // The token: by complete ARN when given, else by name (the runtime reads field `token`).
    const secretArn = context('gitlabTokenSecretArn');
    const token = secretArn
      ? ServerCredential.fromSecretCompleteArn(secretArn, 'token')
      : ServerCredential.fromSecret(
        secretsmanager.Secret.fromSecretNameV2(this, 'GitLabToken', context('gitlabTokenSecretName') ?? 'mcp/gitlab-token'),
        'token',
      );

    this.fleet = new McpServerFleet(this, 'Fleet', {
      environment: context('environment') ?? 'production',
      servers: [
        McpServer.gitlab({ token }),
      ],
      compute: FleetCompute.lambdaPerServer(),
      auth: FleetAuth.cognito({ domainPrefix: context('cognitoDomainPrefix') }),
      allowedOrigins: splitList(context('allowedOrigins')),
    });
  }
}

/** Builds the app without synthesizing it (the tests synthesize it themselves). */
export function buildApp(app: App = new App()): App {
  new LambdaPerServerStack(app, 'McpServersLambdaPerServer', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'Remote MCP servers: one Lambda function per server behind a REST API (mcp-server-fleet)',
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
