/**
 * One ECS Fargate service per MCP server behind one application load balancer (spec B.1–B.8): the
 * spec's five servers, GitLab, Atlassian (Jira and Confluence), Dynatrace, PagerDuty and
 * ServiceNow, each in its own tasks (256 CPU / 512 MiB, ARM64, 2 to 10) with its own task role,
 * which may read its own secret and nothing else, its own target group and its own listener rule
 * (`/<server>` and `/<server>/*`, priorities 10, 20, ... 50).
 *
 * Callers bring a bearer token of your OpenID Connect / OAuth 2.1 authorization server (Entra ID,
 * Okta, Auth0, Keycloak...), `-c oauthIssuer=...`, required. Why OAuth rather than Cognito here:
 * an ALB forwards requests without checking a token, so each task checks it itself, against the
 * issuer's keys; that is the same check whatever the issuer, and the one your agents' identity
 * provider already issues tokens for. (`FleetAuth.cognito()` works behind the ALB too; IAM and API
 * keys do not, an ALB can enforce neither.)
 *
 * The image is the package's own Dockerfile around the bundled runtime, built by `cdk deploy`
 * (a Docker engine where you deploy; none is needed to synthesize).
 *
 * Before deploying, create the secrets, one JSON secret per server as the spec (A.4) recommends;
 * Atlassian's and ServiceNow's hold both of their credentials:
 *
 *   aws secretsmanager create-secret --name mcp/gitlab-token --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}'
 *   aws secretsmanager create-secret --name mcp/atlassian-credentials \
 *     --secret-string '{"email":"service@example.com","token":"ATATT3xFfGF0..."}'
 *   aws secretsmanager create-secret --name mcp/dynatrace-token --secret-string '{"token":"dt0c01.XXXXXXXX.YYYYYYYY"}'
 *   aws secretsmanager create-secret --name mcp/pagerduty-token --secret-string '{"token":"u+xxxxxxxxxxxxxxxxxx"}'
 *   aws secretsmanager create-secret --name mcp/servicenow-credentials \
 *     --secret-string '{"username":"mcp_integration","password":"..."}'
 *
 * then, with your issuer, name and sites:
 *
 *   npx cdk deploy --app 'npx ts-node examples/fargate-per-server.ts' \
 *     -c oauthIssuer=https://example.okta.com/oauth2/default \
 *     -c domainName=mcp.example.com -c hostedZoneId=Z0123456789ABCDEFGHIJ -c zoneName=example.com \
 *     -c atlassianUrl=https://your-domain.atlassian.net -c dynatraceUrl=https://abc12345.live.dynatrace.com \
 *     -c servicenowInstanceUrl=https://your-instance.service-now.com
 *
 * Context (`-c key=value`):
 *   oauthIssuer               required: the authorization server's issuer URL (the tokens' `iss`)
 *   oauthAudience             comma-separated accepted `aud` values (default: each server's endpoint URL,
 *                             https://<domainName>/<server>/mcp)
 *   domainName                the name clients use (default mcp.example.com): the endpoints' host and the
 *                             name of the certificate created for the HTTPS listener
 *   hostedZoneId, zoneName    the Route 53 hosted zone of domainName (both or neither): the certificate is
 *                             validated in it and an alias record points domainName at the ALB. Without
 *                             them, create the certificate's validation record and the name's record yourself
 *   certificateArn            an ACM certificate for domainName to use instead of creating one
 *   environment               development | staging | production (default production)
 *   <secret>SecretArn         a secret's complete ARN (wins over its name), <secret> one of
 *                             gitlabToken, atlassian, dynatraceToken, pagerdutyToken, servicenow
 *   <secret>SecretName        a secret's name (defaults: mcp/gitlab-token, mcp/atlassian-credentials,
 *                             mcp/dynatrace-token, mcp/pagerduty-token, mcp/servicenow-credentials)
 *   gitlabApiUrl              the GitLab API (default https://gitlab.com/api/v4; a self-managed one's
 *                             https://gitlab.example.com/api/v4)
 *   atlassianUrl              the Atlassian site (default https://example.atlassian.net)
 *   jiraProjects              comma-separated Jira project keys the server may use (default every project)
 *   confluenceSpaces          comma-separated Confluence space keys it may use (default every space)
 *   dynatraceUrl              the Dynatrace environment (default https://abc12345.live.dynatrace.com)
 *   pagerdutyApiUrl           the PagerDuty REST API (default https://api.pagerduty.com; EU: https://api.eu.pagerduty.com)
 *   servicenowInstanceUrl     the ServiceNow instance (default https://example.service-now.com)
 *   allowedOrigins            comma-separated origins browsers may call from (default none)
 *
 * Every server is read-only (no `allowWrites`); a token needs the `mcp:read` scope.
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FleetAuth, FleetCompute, McpServerFleet } from '../src';
import { fargateFrontDoor, oauthIssuer, specServers, splitList } from './spec-servers';

export class FargatePerServerStack extends Stack {
  public readonly fleet: McpServerFleet;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    const issuer = oauthIssuer(this, 'the load balancer checks no token: every task checks its callers\' bearer tokens against that issuer');
    this.fleet = new McpServerFleet(this, 'Fleet', {
      environment: context('environment') ?? 'production',
      servers: specServers(this),
      compute: FleetCompute.fargatePerServer(fargateFrontDoor(this)),
      auth: FleetAuth.oauth({ issuer, audience: splitList(context('oauthAudience')), requiredScopes: ['mcp:read'] }),
      allowedOrigins: splitList(context('allowedOrigins')),
    });
  }
}

/** Builds the app without synthesizing it (the tests synthesize it themselves). */
export function buildApp(app: App = new App()): App {
  new FargatePerServerStack(app, 'McpServersFargatePerServer', {
    // A region, so the load balancer's access-log bucket can grant Elastic Load Balancing of that
    // region its writes (an environment-agnostic stack cannot name that principal, and logs nothing).
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
    description: 'Remote MCP servers: one ECS Fargate service per server behind an application load balancer (mcp-server-fleet)',
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
