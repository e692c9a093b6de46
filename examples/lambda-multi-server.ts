/**
 * One Lambda function hosting several MCP servers behind an HTTP API (spec A.6): GitLab.com and a
 * self-managed GitLab, two servers of one kind under their own names and paths.
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
 *   npx cdk deploy --app 'npx ts-node examples/lambda-multi-server.ts' -c internalGitLabUrl=https://gitlab.example.com/api/v4
 *
 * Context (all optional, `-c key=value`):
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
import { FleetCompute, McpServer, McpServerFleet, ServerCredential } from '../src';

export class LambdaMultiServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

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
