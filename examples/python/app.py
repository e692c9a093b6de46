"""Remote MCP servers on AWS Lambda, from Python: the `mcp-server-fleet` constructs through their
jsii-built Python package (`mcp_server_fleet`).

Two stacks, the Python twins of the TypeScript examples next to this folder:

* ``McpServersLambdaMultiServer`` (``../lambda-multi-server.ts``, spec A.6): GitLab.com (``gitlab``)
  and a self-managed GitLab (``gitlab-internal``, write tools on) in one Lambda function behind an
  HTTP API. Callers bring a bearer token of your OAuth 2.1 / OpenID Connect authorization server
  (``-c oauthIssuer=...``, required); write tools also need the ``mcp:write`` scope.
* ``McpServersLambdaPerServer`` (``../lambda-per-server.ts``, spec A.1-A.5): GitLab.com as its own
  Lambda function behind a REST API with a usage plan; callers sign in to the Cognito user pool the
  fleet creates.

Before deploying, create the token secrets (JSON secrets with a ``token`` field)::

    aws secretsmanager create-secret --name mcp/gitlab-token \\
      --secret-string '{"token":"glpat-xxxxxxxxxxxxxxxxxxxx"}'
    aws secretsmanager create-secret --name mcp/gitlab-internal-token \\
      --secret-string '{"token":"glpat-yyyyyyyyyyyyyyyyyyyy"}'

Run it (from this folder, in a virtual environment; ``cdk`` is the AWS CDK CLI, e.g.
``npx cdk``; Node.js must be installed, the constructs run in it through jsii)::

    python -m venv .venv && . .venv/bin/activate
    pip install -r requirements.txt
    cdk synth --app "python app.py" -c oauthIssuer=https://example.okta.com/oauth2/default
    cdk deploy --app "python app.py" McpServersLambdaMultiServer \\
      -c internalGitLabUrl=https://gitlab.example.com/api/v4 \\
      -c oauthIssuer=https://example.okta.com/oauth2/default

Until ``mcp-server-fleet`` is on PyPI, install the wheel built in the repository
(``npx projen compile && npx projen package:python``) with the requirements:
``pip install ../../dist/python/mcp_server_fleet-*.whl -r requirements.txt``.
``bash examples/python/run-tests.sh`` (from the repository root) does that and runs ``test_app.py``.

Context (``-c key=value``), the keys of the TypeScript examples:

    oauthIssuer             required: the authorization server's issuer URL (the tokens' ``iss``)
    oauthAudience           comma-separated accepted ``aud`` values (default: each server's endpoint URL)
    cognitoDomainPrefix     a Cognito domain prefix for the per-server stack's sign-in pages
    environment             development | staging | production (default production)
    gitlabTokenSecretName   name of the GitLab.com token secret (default mcp/gitlab-token)
    gitlabTokenSecretArn    complete ARN of that secret (wins over the name; the TypeScript
                            lambda-per-server example reads it, here both stacks do)
    internalGitLabUrl       the self-managed GitLab's API (default https://gitlab.example.com/api/v4)
    internalTokenSecretArn  complete ARN of the self-managed GitLab's token secret
                            (default: the secret named mcp/gitlab-internal-token)
    allowedOrigins          comma-separated origins browsers may call from (default none)

``build_app()`` builds the app without synthesizing it; ``test_app.py`` synthesizes it itself.
"""
import os
from typing import List, Optional

import aws_cdk as cdk
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from mcp_server_fleet import FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential

DEFAULT_GITLAB_TOKEN_SECRET_NAME = "mcp/gitlab-token"
DEFAULT_INTERNAL_TOKEN_SECRET_NAME = "mcp/gitlab-internal-token"
DEFAULT_INTERNAL_GITLAB_URL = "https://gitlab.example.com/api/v4"


def _context(scope: Construct, key: str) -> Optional[str]:
    value = scope.node.try_get_context(key)
    return None if value is None else str(value)


def _split_list(value: Optional[str]) -> Optional[List[str]]:
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    return items or None


def _gitlab_token(stack: cdk.Stack) -> ServerCredential:
    """The GitLab.com token: by complete ARN when given, else by name (the runtime reads field `token`)."""
    arn = _context(stack, "gitlabTokenSecretArn")
    if arn:
        return ServerCredential.from_secret_complete_arn(arn, "token")
    name = _context(stack, "gitlabTokenSecretName") or DEFAULT_GITLAB_TOKEN_SECRET_NAME
    return ServerCredential.from_secret(secretsmanager.Secret.from_secret_name_v2(stack, "GitLabToken", name), "token")


class LambdaMultiServerStack(cdk.Stack):
    """One Lambda function hosting GitLab.com and a self-managed GitLab behind an HTTP API."""

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

        self.fleet = McpServerFleet(
            self,
            "Fleet",
            environment=_context(self, "environment") or "production",
            servers=[
                McpServer.gitlab(token=_gitlab_token(self)),
                McpServer.gitlab(
                    name="gitlab-internal",
                    api_url=_context(self, "internalGitLabUrl") or DEFAULT_INTERNAL_GITLAB_URL,
                    token=internal_token,
                    allow_writes=True,
                ),
            ],
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
    """One Lambda function per server (here GitLab.com) behind one REST API."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.fleet = McpServerFleet(
            self,
            "Fleet",
            environment=_context(self, "environment") or "production",
            servers=[McpServer.gitlab(token=_gitlab_token(self))],
            compute=FleetCompute.lambda_per_server(),
            auth=FleetAuth.cognito(domain_prefix=_context(self, "cognitoDomainPrefix")),
            allowed_origins=_split_list(_context(self, "allowedOrigins")),
        )


def build_app(app: Optional[cdk.App] = None) -> cdk.App:
    """Adds both stacks to `app` (a new one by default) without synthesizing it."""
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
    return app


if __name__ == "__main__":
    build_app().synth()
