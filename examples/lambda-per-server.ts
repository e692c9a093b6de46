/**
 * One Lambda function per MCP server behind one REST API (spec A.1-A.5): the spec's five servers,
 * GitLab, Atlassian (Jira and Confluence), Dynatrace, PagerDuty and ServiceNow, each in its own
 * function with its own role, which may read its own secret and nothing else.
 *
 * Before deploying, create the secrets, one JSON secret per server as the spec (A.4) recommends;
 * Atlassian's and ServiceNow's hold both of their credentials:
 *
 *   aws secretsmanager create-secret --name mcp/gitlab-token \
 *     --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}' --tags Key=Application,Value=mcp-servers
 *   aws secretsmanager create-secret --name mcp/atlassian-credentials \
 *     --secret-string '{"email":"service@example.com","token":"ATATT3xFfGF0..."}' --tags Key=Application,Value=mcp-servers
 *   aws secretsmanager create-secret --name mcp/dynatrace-token \
 *     --secret-string '{"token":"dt0c01.XXXXXXXX.YYYYYYYY"}' --tags Key=Application,Value=mcp-servers
 *   aws secretsmanager create-secret --name mcp/pagerduty-token \
 *     --secret-string '{"token":"u+xxxxxxxxxxxxxxxxxx"}' --tags Key=Application,Value=mcp-servers
 *   aws secretsmanager create-secret --name mcp/servicenow-credentials \
 *     --secret-string '{"username":"mcp_integration","password":"..."}' --tags Key=Application,Value=mcp-servers
 *
 * then, with your sites:
 *
 *   npx cdk deploy --app 'npx ts-node examples/lambda-per-server.ts' \
 *     -c atlassianUrl=https://your-domain.atlassian.net -c dynatraceUrl=https://abc12345.live.dynatrace.com \
 *     -c servicenowInstanceUrl=https://your-instance.service-now.com
 *
 * Context (all optional, `-c key=value`):
 *   environment               development | staging | production (default production)
 *   <secret>SecretArn         a secret's complete ARN (wins over its name), <secret> one of
 *                             gitlabToken, atlassian, dynatraceToken, pagerdutyToken, servicenow
 *   <secret>SecretName        a secret's name (defaults: mcp/gitlab-token, mcp/atlassian-credentials,
 *                             mcp/dynatrace-token, mcp/pagerduty-token, mcp/servicenow-credentials)
 *   atlassianUrl              the Atlassian site (default https://example.atlassian.net)
 *   jiraProjects              comma-separated Jira project keys the server may use (default every project)
 *   confluenceSpaces          comma-separated Confluence space keys it may use (default every space)
 *   dynatraceUrl              the Dynatrace environment (default https://abc12345.live.dynatrace.com)
 *   pagerdutyApiUrl           the PagerDuty REST API (default https://api.pagerduty.com; EU: https://api.eu.pagerduty.com)
 *   servicenowInstanceUrl     the ServiceNow instance (default https://example.service-now.com)
 *   allowedOrigins            comma-separated origins browsers may call from (default none)
 *   cognitoDomainPrefix       a Cognito domain prefix for the sign-in pages (default none: add one later)
 *
 * Every server is read-only (no `allowWrites`). Callers sign in to the Cognito user pool the fleet
 * creates (no self sign-up: create the users with `aws cognito-idp admin-create-user`); API
 * Gateway's Cognito authorizer checks their access token and its `mcp/read` scope, and the runtime
 * checks it again (`mcp/write` for write tools).
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FleetAuth, FleetCompute, McpServerFleet } from '../src';
import { specServers, splitList } from './spec-servers';

export class LambdaPerServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    this.fleet = new McpServerFleet(this, 'Fleet', {
      environment: context('environment') ?? 'production',
      servers: specServers(this),
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

if (require.main === module) {
  buildApp().synth();
}
