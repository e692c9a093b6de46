/**
 * Deploying a fleet from GitHub Actions without access keys: a stack of its own with the deploy
 * role (`GitHubDeployRole`) that the workflow blueprint beside this file (deploy-mcp-fleet.yml)
 * assumes through GitHub's OpenID Connect token, next to the fleet's stack.
 *
 * The role must exist before the workflow can use it: deploy `McpDeployAccess` once yourself,
 *
 *   npx cdk deploy --app 'npx ts-node examples/github/deploy-access.ts' McpDeployAccess \
 *     -c githubRepository=my-org/mcp-servers
 *
 * then set the repository variable AWS_DEPLOY_ROLE_ARN to its `DeployRoleArn` output (and
 * AWS_REGION), create the `production` environment in the repository's settings with its
 * reviewers, and copy deploy-mcp-fleet.yml to .github/workflows/. From then on every push to main
 * deploys `--all` (this stack included) once the environment's rules pass.
 *
 * Context (all optional, `-c key=value`):
 *   githubRepository       owner/name of the repository (default my-org/mcp-servers)
 *   githubEnvironment      the GitHub environment of the deploy job (default production)
 *   githubOidcProviderArn  the account's provider for token.actions.githubusercontent.com, when one
 *                          exists already (an account has one per issuer; default: create it)
 *   gitlabTokenSecretName  the GitLab token's secret (default mcp/gitlab-token)
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FleetAuth, FleetCompute, GitHubDeployRole, McpServer, McpServerFleet, ServerCredential } from '../../src';

export function buildApp(app: App = new App()): App {
  const context = (key: string): string | undefined => app.node.tryGetContext(key);

  const servers = new Stack(app, 'McpServers');
  const secret = secretsmanager.Secret.fromSecretNameV2(servers, 'GitLabToken', context('gitlabTokenSecretName') ?? 'mcp/gitlab-token');
  const fleet = new McpServerFleet(servers, 'Fleet', {
    environment: 'production',
    servers: [McpServer.gitlab({ token: ServerCredential.fromSecret(secret, 'token') })],
    compute: FleetCompute.lambdaPerServer(),
    auth: FleetAuth.cognito(),
  });

  const access = new Stack(app, 'McpDeployAccess');
  const providerArn = context('githubOidcProviderArn');
  new GitHubDeployRole(access, 'GitHubDeploy', {
    repository: context('githubRepository') ?? 'my-org/mcp-servers',
    // The deploy job names this environment; its protection rules are the gate (no branch is
    // trusted as well, or any job on the branch could deploy without them).
    environments: [context('githubEnvironment') ?? 'production'],
    openIdConnectProvider: providerArn ? iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(access, 'GitHubProvider', providerArn) : undefined,
    fleets: [fleet],
  });
  return app;
}

if (require.main === module) buildApp().synth();
