"""Remote MCP servers on AWS Lambda and ECS Fargate, from Python: the `mcp-server-fleet` constructs
through their jsii-built Python package (`mcp_server_fleet`).

Four stacks, the Python twins of the TypeScript examples next to this folder, each with the spec's
five servers (GitLab, Atlassian, Dynatrace, PagerDuty, ServiceNow):

* ``McpServersLambdaMultiServer`` (``../lambda-multi-server.ts``, spec A.6): the five servers and a
  self-managed GitLab (``gitlab-internal``, write tools on) in one Lambda function behind an HTTP
  API. Callers bring a bearer token of your OAuth 2.1 / OpenID Connect authorization server
  (``-c oauthIssuer=...``, required); write tools also need the ``mcp:write`` scope.
* ``McpServersLambdaPerServer`` (``../lambda-per-server.ts``, spec A.1-A.5): each of the five as its
  own Lambda function behind one REST API with a usage plan; callers sign in to the Cognito user
  pool the fleet creates. Every server is read-only.
* ``McpServersFargatePerServer`` (``../fargate-per-server.ts``, spec B.1-B.8): each of the five as its
  own ECS Fargate service behind one application load balancer (HTTPS on ``-c domainName=...``,
  default mcp.example.com), a target group and a listener rule each; every task checks its callers'
  bearer tokens of ``-c oauthIssuer=...`` (an ALB checks none). Read-only.
* ``McpServersFargateMultiServer`` (``../fargate-multi-server.ts``, spec B.6): the five in one ECS
  Fargate service behind the same kind of load balancer, still a target group and a rule per server.

Before deploying, create the secrets, one JSON secret per server as the spec (A.4) recommends;
Atlassian's and ServiceNow's hold both of their credentials::

    aws secretsmanager create-secret --name mcp/gitlab-token \\
      --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}'
    aws secretsmanager create-secret --name mcp/gitlab-internal-token \\
      --secret-string '{"token":"glpat-yyyyyyyyyyyyyyyyyyyy"}'
    aws secretsmanager create-secret --name mcp/atlassian-credentials \\
      --secret-string '{"email":"service@example.com","token":"ATATT3xFfGF0..."}'
    aws secretsmanager create-secret --name mcp/dynatrace-token \\
      --secret-string '{"token":"dt0c01.XXXXXXXX.YYYYYYYY"}'
    aws secretsmanager create-secret --name mcp/pagerduty-token \\
      --secret-string '{"token":"u+xxxxxxxxxxxxxxxxxx"}'
    aws secretsmanager create-secret --name mcp/servicenow-credentials \\
      --secret-string '{"username":"mcp_integration","password":"..."}'

Run it (from this folder, in a virtual environment; ``cdk`` is the AWS CDK CLI, e.g.
``npx cdk``; Node.js must be installed, the constructs run in it through jsii)::

    python -m venv .venv && . .venv/bin/activate
    pip install -r requirements.txt
    cdk synth --app "python app.py" -c oauthIssuer=https://example.okta.com/oauth2/default
    cdk deploy --app "python app.py" McpServersLambdaMultiServer \\
      -c oauthIssuer=https://example.okta.com/oauth2/default \\
      -c internalGitLabUrl=https://gitlab.example.com/api/v4 \\
      -c atlassianUrl=https://your-domain.atlassian.net \\
      -c dynatraceUrl=https://abc12345.live.dynatrace.com \\
      -c servicenowInstanceUrl=https://your-instance.service-now.com

Until ``mcp-server-fleet`` is on PyPI, install the wheel built in the repository
(``npx projen compile && npx projen package:python``) with the requirements:
``pip install ../../dist/python/mcp_server_fleet-*.whl -r requirements.txt``.
``bash examples/python/run-tests.sh`` (from the repository root) does that and runs ``test_app.py``.

Context (``-c key=value``), the keys of the TypeScript examples (each applies to every stack it concerns):

    oauthIssuer             required: the authorization server's issuer URL (the tokens' ``iss``)
    oauthAudience           comma-separated accepted ``aud`` values (default: each server's endpoint URL)
    cognitoDomainPrefix     a Cognito domain prefix for the per-server stack's sign-in pages
    domainName              the Fargate stacks' public name (default mcp.example.com)
    hostedZoneId, zoneName  its Route 53 hosted zone (both or neither): certificate validation, alias record
    certificateArn          an ACM certificate for domainName instead of a created one
    gitlabApiUrl            the GitLab API (default https://gitlab.com/api/v4)
    environment             development | staging | production (default production)
    <secret>SecretArn       a secret's complete ARN (wins over its name), <secret> one of
                            gitlabToken, atlassian, dynatraceToken, pagerdutyToken, servicenow
    <secret>SecretName      a secret's name (defaults: mcp/gitlab-token, mcp/atlassian-credentials,
                            mcp/dynatrace-token, mcp/pagerduty-token, mcp/servicenow-credentials)
    internalGitLabUrl       the self-managed GitLab's API (default https://gitlab.example.com/api/v4)
    internalTokenSecretArn  complete ARN of the self-managed GitLab's token secret
                            (default: the secret named mcp/gitlab-internal-token)
    atlassianUrl            the Atlassian site (default https://example.atlassian.net)
    jiraProjects            comma-separated Jira project keys the server may use (default every project)
    confluenceSpaces        comma-separated Confluence space keys it may use (default every space)
    dynatraceUrl            the Dynatrace environment (default https://abc12345.live.dynatrace.com)
    pagerdutyApiUrl         the PagerDuty REST API (default https://api.pagerduty.com)
    servicenowInstanceUrl   the ServiceNow instance (default https://example.service-now.com)
    allowedOrigins          comma-separated origins browsers may call from (default none)

``build_app()`` builds the app without synthesizing it; ``test_app.py`` synthesizes it itself.
"""
import os
from typing import Callable, List, Optional

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from mcp_server_fleet import FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet, ServerCredential

DEFAULT_INTERNAL_TOKEN_SECRET_NAME = "mcp/gitlab-internal-token"
DEFAULT_INTERNAL_GITLAB_URL = "https://gitlab.example.com/api/v4"
DEFAULT_ATLASSIAN_URL = "https://example.atlassian.net"
DEFAULT_DYNATRACE_URL = "https://abc12345.live.dynatrace.com"
DEFAULT_SERVICENOW_URL = "https://example.service-now.com"
DEFAULT_DOMAIN_NAME = "mcp.example.com"


def _context(scope: Construct, key: str) -> Optional[str]:
    value = scope.node.try_get_context(key)
    return None if value is None else str(value)


def _split_list(value: Optional[str]) -> Optional[List[str]]:
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    return items or None


def _json_secret(stack: cdk.Stack, key: str, default_name: str) -> Callable[[str], ServerCredential]:
    """The fields of one JSON secret, as credentials: by complete ARN (``<key>SecretArn``) when given,
    else imported once by name (``<key>SecretName``, default ``default_name``). Two credentials from
    one secret (Atlassian's email and token) make one IAM grant and one read."""
    arn = _context(stack, f"{key}SecretArn")
    if arn:
        return lambda field: ServerCredential.from_secret_complete_arn(arn, field)
    name = _context(stack, f"{key}SecretName") or default_name
    secret = secretsmanager.Secret.from_secret_name_v2(stack, f"{key[0].upper()}{key[1:]}Secret", name)
    return lambda field: ServerCredential.from_secret(secret, field)


def _spec_servers(stack: cdk.Stack) -> List[McpServer]:
    """The spec's five servers, read-only, each credential a field of its server's JSON secret."""
    gitlab = _json_secret(stack, "gitlabToken", "mcp/gitlab-token")
    atlassian = _json_secret(stack, "atlassian", "mcp/atlassian-credentials")
    dynatrace = _json_secret(stack, "dynatraceToken", "mcp/dynatrace-token")
    pagerduty = _json_secret(stack, "pagerdutyToken", "mcp/pagerduty-token")
    servicenow = _json_secret(stack, "servicenow", "mcp/servicenow-credentials")
    return [
        McpServer.gitlab(api_url=_context(stack, "gitlabApiUrl"), token=gitlab("token")),
        McpServer.atlassian(
            url=_context(stack, "atlassianUrl") or DEFAULT_ATLASSIAN_URL,
            email=atlassian("email"),
            token=atlassian("token"),
            jira_projects=_split_list(_context(stack, "jiraProjects")),
            confluence_spaces=_split_list(_context(stack, "confluenceSpaces")),
        ),
        McpServer.dynatrace(url=_context(stack, "dynatraceUrl") or DEFAULT_DYNATRACE_URL, token=dynatrace("token")),
        McpServer.pagerduty(api_url=_context(stack, "pagerdutyApiUrl"), token=pagerduty("token")),
        McpServer.servicenow(
            instance_url=_context(stack, "servicenowInstanceUrl") or DEFAULT_SERVICENOW_URL,
            username=servicenow("username"),
            password=servicenow("password"),
        ),
    ]


class LambdaMultiServerStack(cdk.Stack):
    """One Lambda function hosting the five servers and a self-managed GitLab behind an HTTP API."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        issuer = _context(self, "oauthIssuer")
        if not issuer:
            raise ValueError("Set the authorization server's issuer: -c oauthIssuer=https://<your issuer> "
                             "(the gitlab-internal server enables write tools, which need authenticated callers)")

        internal_arn = _context(self, "internalTokenSecretArn")
        if internal_arn:
            internal_token = ServerCredential.from_secret_complete_arn(internal_arn, "token")
        else:
            internal_token = ServerCredential.from_secret(
                secretsmanager.Secret.from_secret_name_v2(self, "InternalToken", DEFAULT_INTERNAL_TOKEN_SECRET_NAME),
                "token",
            )

        [gitlab, *others] = _spec_servers(self)
        self.fleet = McpServerFleet(
            self,
            "Fleet",
            environment=_context(self, "environment") or "production",
            servers=[
                gitlab,
                McpServer.gitlab(
                    name="gitlab-internal",
                    api_url=_context(self, "internalGitLabUrl") or DEFAULT_INTERNAL_GITLAB_URL,
                    token=internal_token,
                    allow_writes=True,
                ),
                *others,
            ],
            # Six servers' variables share this function's environment (Lambda's 4 KB: about 1.7 KB here).
            compute=FleetCompute.lambda_multi_server(memory_size=1024),
            auth=FleetAuth.oauth(
                issuer=issuer,
                audience=_split_list(_context(self, "oauthAudience")),
                required_scopes=["mcp:read"],
                write_scopes=["mcp:write"],
            ),
            allowed_origins=_split_list(_context(self, "allowedOrigins")),
        )


class LambdaPerServerStack(cdk.Stack):
    """One Lambda function per server (the spec's five) behind one REST API."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.fleet = McpServerFleet(
            self,
            "Fleet",
            environment=_context(self, "environment") or "production",
            servers=_spec_servers(self),
            compute=FleetCompute.lambda_per_server(),
            auth=FleetAuth.cognito(domain_prefix=_context(self, "cognitoDomainPrefix")),
            allowed_origins=_split_list(_context(self, "allowedOrigins")),
        )


def _required_issuer(stack: cdk.Stack, why: str) -> str:
    issuer = _context(stack, "oauthIssuer")
    if not issuer:
        raise ValueError(f"Set the authorization server's issuer: -c oauthIssuer=https://<your issuer> ({why})")
    return issuer


def _front_door(stack: cdk.Stack) -> dict:
    """The Fargate computes' name, certificate and hosted zone, from ``domainName``, ``certificateArn``,
    ``hostedZoneId`` and ``zoneName``."""
    certificate_arn = _context(stack, "certificateArn")
    hosted_zone_id = _context(stack, "hostedZoneId")
    zone_name = _context(stack, "zoneName")
    if bool(hosted_zone_id) != bool(zone_name):
        raise ValueError("Give both -c hostedZoneId= and -c zoneName= (the zone's id and its name), or neither; "
                         f"got hostedZoneId={hosted_zone_id!r}, zoneName={zone_name!r}")
    return {
        "domain_name": _context(stack, "domainName") or DEFAULT_DOMAIN_NAME,
        "certificate": acm.Certificate.from_certificate_arn(stack, "Certificate", certificate_arn) if certificate_arn else None,
        "hosted_zone": route53.HostedZone.from_hosted_zone_attributes(
            stack, "HostedZone", hosted_zone_id=hosted_zone_id, zone_name=zone_name) if hosted_zone_id else None,
    }


def _bearer_tokens(stack: cdk.Stack) -> FleetAuth:
    """Tokens of your authorization server, checked by every task (an ALB checks none)."""
    issuer = _required_issuer(stack, "the load balancer checks no token: every task checks its callers' bearer tokens")
    return FleetAuth.oauth(issuer=issuer, audience=_split_list(_context(stack, "oauthAudience")), required_scopes=["mcp:read"])


def _fargate_fleet(stack: cdk.Stack, compute: Callable[..., IFleetCompute]) -> McpServerFleet:
    """The spec's five servers on a Fargate compute (`FleetCompute.fargate_per_server` or
    `fargate_multi_server`) behind the load balancer of `_front_door`, every task checking tokens."""
    auth = _bearer_tokens(stack)
    return McpServerFleet(
        stack,
        "Fleet",
        environment=_context(stack, "environment") or "production",
        servers=_spec_servers(stack),
        compute=compute(**_front_door(stack)),
        auth=auth,
        allowed_origins=_split_list(_context(stack, "allowedOrigins")),
    )


class FargatePerServerStack(cdk.Stack):
    """One ECS Fargate service per server (the spec's five) behind one application load balancer."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.fleet = _fargate_fleet(self, FleetCompute.fargate_per_server)


class FargateMultiServerStack(cdk.Stack):
    """One ECS Fargate service hosting the spec's five servers behind one application load balancer."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.fleet = _fargate_fleet(self, FleetCompute.fargate_multi_server)


def build_app(app: Optional[cdk.App] = None) -> cdk.App:
    """Adds the four stacks to `app` (a new one by default) without synthesizing it."""
    app = app if app is not None else cdk.App()
    env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=os.environ.get("CDK_DEFAULT_REGION"),
    )
    LambdaMultiServerStack(
        app,
        "McpServersLambdaMultiServer",
        env=env,
        description="Remote MCP servers: one Lambda function hosting every server behind an HTTP API (mcp-server-fleet)",
    )
    LambdaPerServerStack(
        app,
        "McpServersLambdaPerServer",
        env=env,
        description="Remote MCP servers: one Lambda function per server behind a REST API (mcp-server-fleet)",
    )
    # A region, so the load balancer's access-log bucket can grant Elastic Load Balancing of that
    # region its writes (an environment-agnostic stack cannot name that principal, and logs nothing).
    fargate_env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=os.environ.get("CDK_DEFAULT_REGION") or "us-east-1",
    )
    FargatePerServerStack(
        app,
        "McpServersFargatePerServer",
        env=fargate_env,
        description="Remote MCP servers: one ECS Fargate service per server behind an application load balancer (mcp-server-fleet)",
    )
    FargateMultiServerStack(
        app,
        "McpServersFargateMultiServer",
        env=fargate_env,
        description="Remote MCP servers: one ECS Fargate service hosting every server behind an application load balancer (mcp-server-fleet)",
    )
    return app


if __name__ == "__main__":
    build_app().synth()
