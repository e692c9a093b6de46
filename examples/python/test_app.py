"""The Python example, synthesized through the jsii-built wheel of mcp-server-fleet.

Run from the repository root with ``bash examples/python/run-tests.sh`` (it builds a virtual
environment with the wheel from dist/python and aws-cdk-lib from PyPI), or, in an environment that
has them, ``python -m pytest examples/python``.
"""
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Dict, List

import aws_cdk as cdk
import jsii.errors
import mcp_server_fleet
import pytest
from aws_cdk.assertions import Match, Template
from mcp_server_fleet import FleetAuth, FleetCompute, McpServer, McpServerFleet, ServerCredential

from app import FargateMultiServerStack, FargatePerServerStack, LambdaMultiServerStack, LambdaPerServerStack, build_app

GITLAB_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-AbCdEf"
INTERNAL_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-internal-token-GhIjKl"
ATLASSIAN_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/atlassian-credentials-MnOpQr"
DYNATRACE_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/dynatrace-token-StUvWx"
PAGERDUTY_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/pagerduty-token-YzAbCd"
SERVICENOW_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/servicenow-credentials-EfGhIj"
INTERNAL_URL = "https://gitlab.internal.example.com/api/v4"
ISSUER = "https://login.example.com/oauth2/default"

MULTI = "McpServersLambdaMultiServer"
PER = "McpServersLambdaPerServer"
FARGATE_PER = "McpServersFargatePerServer"
FARGATE_MULTI = "McpServersFargateMultiServer"
ALL_STACKS = [MULTI, PER, FARGATE_PER, FARGATE_MULTI]

# The spec's five servers (both stacks), and the multi-server stack's six (a self-managed GitLab too).
SPEC_SERVERS = ["gitlab", "atlassian", "dynatrace", "pagerduty", "servicenow"]
MULTI_SERVERS = ["gitlab", "gitlab-internal", "atlassian", "dynatrace", "pagerduty", "servicenow"]

# Each server's secret: its default name, its ARN in the by_arn context, and the variables reading its fields.
SECRETS = {
    "gitlab": ("mcp/gitlab-token", GITLAB_SECRET_ARN, {"GITLAB_TOKEN_SECRET_ARN": "token"}),
    "gitlab-internal": ("mcp/gitlab-internal-token", INTERNAL_SECRET_ARN, {"GITLAB_INTERNAL_TOKEN_SECRET_ARN": "token"}),
    "atlassian": ("mcp/atlassian-credentials", ATLASSIAN_SECRET_ARN,
                  {"ATLASSIAN_EMAIL_SECRET_ARN": "email", "ATLASSIAN_TOKEN_SECRET_ARN": "token"}),
    "dynatrace": ("mcp/dynatrace-token", DYNATRACE_SECRET_ARN, {"DYNATRACE_TOKEN_SECRET_ARN": "token"}),
    "pagerduty": ("mcp/pagerduty-token", PAGERDUTY_SECRET_ARN, {"PAGERDUTY_TOKEN_SECRET_ARN": "token"}),
    "servicenow": ("mcp/servicenow-credentials", SERVICENOW_SECRET_ARN,
                   {"SERVICENOW_USERNAME_SECRET_ARN": "username", "SERVICENOW_PASSWORD_SECRET_ARN": "password"}),
}


# ---------------------------------------------------------------------------------------------
# Fixtures: the app synthesized once with default context (secrets by name) and once with
# complete secret ARNs, origins and another environment.
# ---------------------------------------------------------------------------------------------


def _synth(outdir: Path, context: Dict[str, Any]):
    # Environment-agnostic stacks whatever the caller's shell holds, so ARNs are predictable.
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
        mp.delenv("CDK_DEFAULT_REGION", raising=False)
        app = build_app(cdk.App(outdir=str(outdir), context=context))
        assembly = app.synth()
    stacks = {child.node.id: child for child in app.node.children if isinstance(child, cdk.Stack)}
    return {
        "assembly": assembly,
        "stacks": stacks,
        "templates": {name: Template.from_stack(stack) for name, stack in stacks.items()},
    }


@pytest.fixture(scope="module")
def by_name(tmp_path_factory):
    """Default context: the token secrets are imported by name."""
    return _synth(tmp_path_factory.mktemp("by-name"), {"oauthIssuer": ISSUER})


@pytest.fixture(scope="module")
def by_arn(tmp_path_factory):
    """Secrets by complete ARN, the sites and allow-lists, origins and the staging environment."""
    return _synth(tmp_path_factory.mktemp("by-arn"), {
        "gitlabTokenSecretArn": GITLAB_SECRET_ARN,
        "internalTokenSecretArn": INTERNAL_SECRET_ARN,
        "atlassianSecretArn": ATLASSIAN_SECRET_ARN,
        "dynatraceTokenSecretArn": DYNATRACE_SECRET_ARN,
        "pagerdutyTokenSecretArn": PAGERDUTY_SECRET_ARN,
        "servicenowSecretArn": SERVICENOW_SECRET_ARN,
        "internalGitLabUrl": INTERNAL_URL,
        "atlassianUrl": "https://acme.atlassian.net",
        "jiraProjects": "OPS, PLAT",
        "confluenceSpaces": "ENG",
        "dynatraceUrl": "https://xyz98765.live.dynatrace.com",
        "pagerdutyApiUrl": "https://api.eu.pagerduty.com",
        "servicenowInstanceUrl": "https://acme.service-now.com",
        "allowedOrigins": "https://a.example.com, https://b.example.com",
        "environment": "staging",
        "oauthIssuer": ISSUER,
    })


def _functions(template: Template) -> List[Dict[str, Any]]:
    return [r["Properties"] for r in template.find_resources("AWS::Lambda::Function").values()]


def _statements(template: Template) -> List[Dict[str, Any]]:
    out = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return out


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _secret_statements(template: Template) -> List[Dict[str, Any]]:
    return [s for s in _statements(template)
            if any(a == "*" or a.startswith("secretsmanager:") for a in _as_list(s["Action"]))]


def _by_server(template: Template) -> Dict[str, Dict[str, Any]]:
    """The per-server stack's functions by their SERVER_NAME."""
    return {f["Environment"]["Variables"]["SERVER_NAME"]: f for f in _functions(template)}


def _role_secret_resources(template: Template, function: Dict[str, Any]) -> List[Any]:
    """What the function's role may call GetSecretValue on."""
    return _task_role_secret_resources(template, function["Role"]["Fn::GetAtt"][0])


# ---------------------------------------------------------------------------------------------
# The package under test is the installed wheel
# ---------------------------------------------------------------------------------------------


def test_constructs_come_from_the_installed_wheel():
    package_dir = Path(mcp_server_fleet.__file__).resolve().parent
    assert "site-packages" in package_dir.parts, f"mcp_server_fleet imported from {package_dir}, not an installed wheel"
    assert list((package_dir / "_jsii").glob("mcp-server-fleet@*.jsii.tgz")), "the wheel has no jsii tarball"


def test_app_runs_as_a_cdk_app_writes_a_cloud_assembly(tmp_path):
    """`python app.py` is what `cdk synth --app "python app.py"` runs; CDK_OUTDIR is how the CLI passes cdk.out."""
    env = {k: v for k, v in os.environ.items() if k not in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON")}
    env["CDK_OUTDIR"] = str(tmp_path)
    env["CDK_CONTEXT_JSON"] = json.dumps({"oauthIssuer": ISSUER})  # how `cdk synth -c oauthIssuer=...` passes it
    done = subprocess.run([sys.executable, "app.py"], cwd=Path(__file__).resolve().parent, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    stacks = sorted(k for k, v in manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack")
    assert stacks == sorted(ALL_STACKS)
    template = json.loads((tmp_path / f"{PER}.template.json").read_text())
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert sorted(f["Properties"]["Environment"]["Variables"]["SERVER_NAME"] for f in functions) == sorted(SPEC_SERVERS)


def test_app_synthesizes_the_four_stacks(by_name):
    assert sorted(s.stack_name for s in by_name["assembly"].stacks) == sorted(ALL_STACKS)
    assert isinstance(by_name["stacks"][MULTI], LambdaMultiServerStack)
    assert isinstance(by_name["stacks"][PER], LambdaPerServerStack)
    assert isinstance(by_name["stacks"][FARGATE_PER], FargatePerServerStack)
    assert isinstance(by_name["stacks"][FARGATE_MULTI], FargateMultiServerStack)


def test_lambda_code_is_the_runtime_bundled_in_the_wheel(by_name):
    """The Lambda code asset resolves inside the installed package (the npm tarball's assets/)."""
    [fn] = _functions(by_name["templates"][MULTI])
    asset_hash = fn["Code"]["S3Key"].removesuffix(".zip")
    staged_dir = Path(by_name["assembly"].directory) / f"asset.{asset_hash}"
    assert staged_dir.is_dir(), f"no staged Lambda asset at {staged_dir}"
    staged = {p.relative_to(staged_dir).as_posix(): p.read_bytes() for p in staged_dir.rglob("*") if p.is_file()}

    [tarball] = (Path(mcp_server_fleet.__file__).parent / "_jsii").glob("mcp-server-fleet@*.jsii.tgz")
    prefix = "package/assets/lambda/"
    bundled = {}
    with tarfile.open(tarball) as tgz:
        for member in tgz.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                bundled[member.name[len(prefix):]] = tgz.extractfile(member).read()
    assert "index.js" in bundled, "the wheel's npm tarball has no assets/lambda/index.js"
    assert len(bundled["index.js"]) > 10_000, "the bundled runtime looks like a placeholder"
    assert sorted(staged) == sorted(bundled)
    for name, content in bundled.items():
        assert staged[name] == content, f"staged {name} differs from the wheel's"


# ---------------------------------------------------------------------------------------------
# McpServersLambdaMultiServer: one function for both GitLab servers behind an HTTP API
# ---------------------------------------------------------------------------------------------


def test_multi_server_one_function_running_the_runtime(by_name):
    template = by_name["templates"][MULTI]
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "nodejs22.x",
        "Handler": "index.handler",
        "Architectures": ["arm64"],
        "MemorySize": 1024,
        "Timeout": 29,
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "Active"},
    })


def test_multi_server_environment_lists_every_server_and_its_secrets(by_arn):
    [fn] = _functions(by_arn["templates"][MULTI])
    env = fn["Environment"]["Variables"]
    assert env["MCP_SERVERS"] == "gitlab,gitlab-internal:gitlab,atlassian,dynatrace,pagerduty,servicenow"
    assert env["GITLAB_API_URL"] == "https://gitlab.com/api/v4"
    assert env["GITLAB_INTERNAL_API_URL"] == INTERNAL_URL
    assert env["ATLASSIAN_URL"] == "https://acme.atlassian.net"
    assert (env["ATLASSIAN_JIRA_PROJECTS"], env["ATLASSIAN_CONFLUENCE_SPACES"]) == ("OPS,PLAT", "ENG")
    assert env["DYNATRACE_URL"] == "https://xyz98765.live.dynatrace.com"
    assert env["PAGERDUTY_API_URL"] == "https://api.eu.pagerduty.com"
    assert env["SERVICENOW_INSTANCE_URL"] == "https://acme.service-now.com"
    # every credential a field of its server's JSON secret, by complete ARN
    for _name, arn, variables in SECRETS.values():
        for variable, field in variables.items():
            assert env[variable] == f"{arn}#{field}", variable
    assert sorted(k for k in env if k.endswith("_SECRET_ARN")) == sorted(v for s in SECRETS.values() for v in s[2])
    assert [k for k in env if k.endswith("_ALLOW_WRITES")] == ["GITLAB_INTERNAL_ALLOW_WRITES"], "only gitlab-internal writes"
    assert env["GITLAB_INTERNAL_ALLOW_WRITES"] == "true"
    assert env["ENVIRONMENT"] == "staging"
    assert env["ALLOWED_ORIGINS"] == "https://a.example.com,https://b.example.com"


def test_multi_server_environment_fits_lambdas_4_kb(by_arn, by_name):
    """Lambda measures the variables as compact JSON; the stacks are environment-agnostic, so the
    partition, region and account of partial ARNs count at their longest."""
    longest = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-4", "AWS::AccountId": "123456789012"}

    def value(v):
        if isinstance(v, str):
            return v
        if "Fn::Join" in v:
            return v["Fn::Join"][0].join(value(p) for p in v["Fn::Join"][1])
        return longest.get(v.get("Ref"), "x" * 100)

    for synthesized in (by_arn, by_name):
        [fn] = _functions(synthesized["templates"][MULTI])
        env = {k: value(v) for k, v in fn["Environment"]["Variables"].items()}
        size = len(json.dumps(env, separators=(",", ":")).encode())
        assert size < 4096 // 2, f"the six servers' environment is {size} bytes"


def test_multi_server_secrets_by_name_are_referenced_by_partial_arn(by_name):
    template = by_name["templates"][MULTI]
    for name, _arn, variables in SECRETS.values():
        for variable, field in variables.items():
            template.has_resource_properties("AWS::Lambda::Function", {
                "Environment": {"Variables": Match.object_like({
                    variable: {"Fn::Join": ["", Match.array_with([f":secret:{name}#{field}"])]},
                })},
            })


def test_multi_server_http_api_routes(by_name):
    template = by_name["templates"][MULTI]
    template.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    template.resource_count_is("AWS::ApiGateway::RestApi", 0)
    template.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})
    template.has_resource_properties("AWS::ApiGatewayV2::Stage", {
        "StageName": "$default",
        "AutoDeploy": True,
        "DefaultRouteSettings": Match.object_like({"ThrottlingRateLimit": 1000, "ThrottlingBurstLimit": 5000}),
    })
    routes = sorted(r["Properties"]["RouteKey"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values())
    per_server = [
        route
        for server in MULTI_SERVERS
        for route in (
            f"POST /{server}", f"POST /{server}/{{proxy+}}", f"GET /{server}/health",
            # RFC 9728 metadata, open like health: MCP clients read it to find the authorization server
            f"GET /.well-known/oauth-protected-resource/{server}", f"GET /.well-known/oauth-protected-resource/{server}/mcp",
        )
    ]
    assert routes == sorted(per_server + ["GET /health", "GET /.well-known/oauth-protected-resource"])


def test_multi_server_mcp_routes_take_bearer_tokens_of_the_issuer(by_name):
    template = by_name["templates"][MULTI]
    template.has_resource_properties("AWS::ApiGatewayV2::Authorizer", {
        "AuthorizerType": "JWT",
        "JwtConfiguration": Match.object_like({"Issuer": ISSUER}),
    })
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}
    for key in ("POST /gitlab", "POST /gitlab-internal/{proxy+}", "POST /atlassian/{proxy+}", "POST /servicenow"):
        assert routes[key]["AuthorizationType"] == "JWT", key
        assert routes[key]["AuthorizationScopes"] == ["mcp:read"], key
    assert routes["GET /health"].get("AuthorizationType", "NONE") == "NONE"
    [fn] = _functions(template)
    env = fn["Environment"]["Variables"]
    assert (env["AUTH_MODE"], env["AUTH_ISSUER"], env["AUTH_WRITE_SCOPES"]) == ("oauth", ISSUER, "mcp:write")


def test_multi_server_without_an_issuer_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"-c oauthIssuer=https://<your issuer>"):
        build_app(cdk.App(outdir=str(tmp_path)))


def test_writes_without_auth_are_refused():
    stack = cdk.Stack(cdk.App(), "Open")
    with pytest.raises(RuntimeError, match=r'Server\(s\) "gitlab" set `allowWrites: true`, but the fleet\'s `auth` is FleetAuth.none\(\)'):
        McpServerFleet(stack, "Fleet", environment="production", servers=[McpServer.gitlab(allow_writes=True)],
                       auth=FleetAuth.none(reason="reachable only through the private API of the platform network"))


def test_multi_server_reads_exactly_its_six_secrets(by_arn):
    statements = _secret_statements(by_arn["templates"][MULTI])
    assert statements, "no statement grants secretsmanager:GetSecretValue"
    resources = []
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert _as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"], statement
        resources.extend(_as_list(statement["Resource"]))
    assert "*" not in resources
    # each secret once, also the two read for two credentials each (Atlassian, ServiceNow)
    assert sorted(resources) == sorted(arn for _name, arn, _variables in SECRETS.values())


def test_multi_server_secrets_by_name_are_granted_with_the_random_suffix_only(by_name):
    statements = _secret_statements(by_name["templates"][MULTI])
    endings = []
    for statement in statements:
        assert _as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"], statement
        for resource in _as_list(statement["Resource"]):
            assert resource != "*"
            endings.append(resource["Fn::Join"][1][-1])
    assert sorted(endings) == sorted(f":secret:{name}-??????" for name, _arn, _variables in SECRETS.values())


def test_multi_server_fleet_attributes_cross_the_jsii_bridge(by_name):
    fleet = by_name["stacks"][MULTI].fleet
    assert isinstance(fleet, McpServerFleet)
    assert fleet.environment == "production"
    assert [s.name for s in fleet.servers] == MULTI_SERVERS
    paths = {fleet.compute.function_for(server).node.path for server in MULTI_SERVERS}
    assert len(paths) == 1, paths
    assert cdk.Token.is_unresolved(fleet.endpoint_for("gitlab-internal"))


# ---------------------------------------------------------------------------------------------
# McpServersLambdaPerServer: one function per server behind a REST API
# ---------------------------------------------------------------------------------------------


def test_per_server_one_function_per_server_behind_a_rest_api(by_name):
    template = by_name["templates"][PER]
    servers = [s.name for s in by_name["stacks"][PER].fleet.servers]
    assert servers == SPEC_SERVERS
    template.resource_count_is("AWS::Lambda::Function", len(servers))
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.resource_count_is("AWS::ApiGatewayV2::Api", 0)
    assert sorted(f["Environment"]["Variables"]["SERVER_NAME"] for f in _functions(template)) == sorted(servers)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "nodejs22.x",
        "Architectures": ["arm64"],
        "MemorySize": 256,
        "Timeout": 29,
        "Environment": {"Variables": Match.object_like({
            "SERVER_NAME": "gitlab",
            "GITLAB_TOKEN_SECRET_ARN": {"Fn::Join": ["", Match.array_with([":secret:mcp/gitlab-token#token"])]},
        })},
    })
    template.has_resource_properties("AWS::ApiGateway::RestApi", {"EndpointConfiguration": {"Types": ["REGIONAL"]}})
    template.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": "production"})
    template.has_resource_properties("AWS::ApiGateway::UsagePlan", {"Quota": {"Limit": 1000000, "Period": "MONTH"}})
    path_parts = sorted(r["Properties"]["PathPart"] for r in template.find_resources("AWS::ApiGateway::Resource").values())
    # /<server>, /<server>/mcp, /<server>/health, and /.well-known/oauth-protected-resource/<server>/mcp
    assert path_parts == sorted([".well-known", "oauth-protected-resource"]
                                + [p for server in servers for p in (server, server, "health", "mcp", "mcp")])
    # the Cognito user pool the fleet creates guards the MCP methods
    template.resource_count_is("AWS::Cognito::UserPool", 1)
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST",
        "AuthorizationType": "COGNITO_USER_POOLS",
        "AuthorizationScopes": ["mcp/read"],
    })


def test_per_server_reads_its_secret_by_arn_and_context(by_arn):
    template = by_arn["templates"][PER]
    functions = _by_server(template)
    assert sorted(functions) == sorted(SPEC_SERVERS)
    for server, fn in functions.items():
        env = fn["Environment"]["Variables"]
        _name, arn, variables = SECRETS[server]
        for variable, field in variables.items():
            assert env[variable] == f"{arn}#{field}", variable
        # no other server's variables in this server's function
        assert not [k for k in env if k.endswith("_SECRET_ARN") and k not in variables], server
        assert env["ENVIRONMENT"] == "staging"
        assert env["ALLOWED_ORIGINS"] == "https://a.example.com,https://b.example.com"
        # its role reads its own secret, once, whatever the number of fields it reads
        assert _role_secret_resources(template, fn) == [arn], server
    assert functions["atlassian"]["Environment"]["Variables"]["ATLASSIAN_JIRA_PROJECTS"] == "OPS,PLAT"
    template.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": "staging"})
    resources = [r for s in _secret_statements(template) for r in _as_list(s["Resource"])]
    assert sorted(resources) == sorted(SECRETS[server][1] for server in SPEC_SERVERS)


# ---------------------------------------------------------------------------------------------
# McpServersFargatePerServer and McpServersFargateMultiServer: ECS services behind an ALB
# ---------------------------------------------------------------------------------------------


def _tasks(template: Template) -> List[Dict[str, Any]]:
    """Each task definition's one container: its name, environment (a dict) and task role."""
    out = []
    for td in template.find_resources("AWS::ECS::TaskDefinition").values():
        [container] = td["Properties"]["ContainerDefinitions"]
        out.append({
            "name": container["Name"],
            "env": {e["Name"]: e["Value"] for e in container.get("Environment", [])},
            "secrets": container.get("Secrets"),
            "role": td["Properties"]["TaskRoleArn"]["Fn::GetAtt"][0],
        })
    return out


def _rules(template: Template) -> List[Dict[str, Any]]:
    rules = [r["Properties"] for r in template.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule").values()]
    return sorted(rules, key=lambda r: r["Priority"])


def _task_role_secret_resources(template: Template, role: str) -> List[Any]:
    """What the role (its logical id) may call GetSecretValue on."""
    out = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "secretsmanager:GetSecretValue" in _as_list(statement["Action"]):
                out.extend(_as_list(statement["Resource"]))
    return out


def test_fargate_per_server_one_service_target_group_and_rule_per_server(by_name):
    template = by_name["templates"][FARGATE_PER]
    assert [s.name for s in by_name["stacks"][FARGATE_PER].fleet.servers] == SPEC_SERVERS
    for resource_type in ("AWS::ECS::Service", "AWS::ECS::TaskDefinition",
                          "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::ListenerRule"):
        template.resource_count_is(resource_type, len(SPEC_SERVERS))
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    template.has_resource_properties("AWS::ECS::TaskDefinition", {
        "Cpu": "256", "Memory": "512", "RuntimePlatform": Match.object_like({"CpuArchitecture": "ARM64"}),
    })
    template.has_resource_properties("AWS::CertificateManager::Certificate", {"DomainName": "mcp.example.com"})
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    })
    rules = _rules(template)
    assert [(r["Priority"], r["Conditions"][0]["PathPatternConfig"]["Values"][:2]) for r in rules] == [
        (10 * (i + 1), [f"/{s}", f"/{s}/*"]) for i, s in enumerate(SPEC_SERVERS)]
    tasks = _tasks(template)
    assert sorted(t["env"]["SERVER_NAME"] for t in tasks) == sorted(SPEC_SERVERS)
    for task in tasks:
        server = task["env"]["SERVER_NAME"]
        assert task["name"] == f"{server}-mcp-server"
        assert (task["env"]["AUTH_MODE"], task["env"]["AUTH_ISSUER"], task["env"]["PORT"]) == ("oauth", ISSUER, "8080")
        assert task["secrets"] is None, "credentials are read by ARN at run time, never injected"
        assert sorted(k for k in task["env"] if k.endswith("_SECRET_ARN")) == sorted(SECRETS[server][2]), server


def test_fargate_per_server_reads_its_secret_by_arn_and_context(by_arn):
    template = by_arn["templates"][FARGATE_PER]
    for task in _tasks(template):
        server = task["env"]["SERVER_NAME"]
        _name, arn, variables = SECRETS[server]
        for variable, field in variables.items():
            assert task["env"][variable] == f"{arn}#{field}", variable
        assert task["env"]["ENVIRONMENT"] == "staging"
        # its task role reads its own secret, once
        assert _task_role_secret_resources(template, task["role"]) == [arn], server
    env = {k: v for t in _tasks(template) for k, v in t["env"].items()}
    assert env["ATLASSIAN_URL"] == "https://acme.atlassian.net"
    assert env["PAGERDUTY_API_URL"] == "https://api.eu.pagerduty.com"


def test_fargate_multi_server_one_service_a_target_group_and_rule_per_server(by_arn):
    template = by_arn["templates"][FARGATE_MULTI]
    template.resource_count_is("AWS::ECS::Service", 1)
    template.resource_count_is("AWS::ECS::TaskDefinition", 1)
    template.resource_count_is("AWS::ElasticLoadBalancingV2::TargetGroup", len(SPEC_SERVERS))
    template.has_resource_properties("AWS::ECS::TaskDefinition", {"Cpu": "1024", "Memory": "2048"})
    rules = _rules(template)
    assert [r["Priority"] for r in rules] == [100 + i for i in range(len(SPEC_SERVERS))]
    groups = template.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup")
    health = [groups[r["Actions"][0]["TargetGroupArn"]["Ref"]]["Properties"]["HealthCheckPath"] for r in rules]
    assert health == [f"/{s}/health" for s in SPEC_SERVERS]
    [service] = template.find_resources("AWS::ECS::Service").values()
    assert len(service["Properties"]["LoadBalancers"]) == len(SPEC_SERVERS)
    [task] = _tasks(template)
    assert task["env"]["MCP_SERVERS"] == ",".join(SPEC_SERVERS)
    assert sorted(_task_role_secret_resources(template, task["role"])) == sorted(SECRETS[s][1] for s in SPEC_SERVERS)


def test_fargate_hosted_zone_and_certificate_from_context(tmp_path):
    context = {"oauthIssuer": ISSUER, "domainName": "mcp.acme.example", "hostedZoneId": "Z0123456789ABCDEFGHIJ",
               "zoneName": "acme.example"}
    synthesized = _synth(tmp_path / "zone", context)
    for stack in (FARGATE_PER, FARGATE_MULTI):
        template = synthesized["templates"][stack]
        template.has_resource_properties("AWS::Route53::RecordSet", {"Name": "mcp.acme.example.", "Type": "A"})
        template.has_resource_properties("AWS::CertificateManager::Certificate", {
            "DomainName": "mcp.acme.example",
            "DomainValidationOptions": [{"DomainName": "mcp.acme.example", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}],
        })
        assert synthesized["stacks"][stack].fleet.endpoint_for("gitlab") == "https://mcp.acme.example/gitlab/mcp"
    with pytest.raises(ValueError, match=r"Give both -c hostedZoneId= and -c zoneName="):
        build_app(cdk.App(outdir=str(tmp_path / "half"), context={"oauthIssuer": ISSUER, "hostedZoneId": "Z0123456789ABCDEFGHIJ"}))


def test_fargate_image_is_the_runtime_bundled_in_the_wheel(by_name):
    """The container image's build context is the npm tarball's assets/server, Dockerfile included."""
    assembly = by_name["assembly"]
    directories = set()
    for stack in (FARGATE_PER, FARGATE_MULTI):
        manifest = json.loads((Path(assembly.directory) / f"{stack}.assets.json").read_text())
        for image in manifest.get("dockerImages", {}).values():
            directories.add(image["source"]["directory"])
    assert len(directories) == 1, directories
    staged_dir = Path(assembly.directory) / directories.pop()
    staged = {p.relative_to(staged_dir).as_posix(): p.read_bytes() for p in staged_dir.rglob("*") if p.is_file()}
    [tarball] = (Path(mcp_server_fleet.__file__).parent / "_jsii").glob("mcp-server-fleet@*.jsii.tgz")
    prefix = "package/assets/server/"
    bundled = {}
    with tarfile.open(tarball) as tgz:
        for member in tgz.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                bundled[member.name[len(prefix):]] = tgz.extractfile(member).read()
    assert "Dockerfile" in bundled and "index.js" in bundled, sorted(bundled)
    assert sorted(staged) == sorted(bundled)
    for name, content in bundled.items():
        assert staged[name] == content, f"staged {name} differs from the wheel's"


def test_fargate_compute_attributes_cross_the_jsii_bridge(by_name):
    compute = by_name["stacks"][FARGATE_PER].fleet.compute
    assert compute.service_for("gitlab").node.path != compute.service_for("servicenow").node.path
    assert compute.load_balancer is not None and compute.cluster is not None
    multi = by_name["stacks"][FARGATE_MULTI].fleet.compute
    assert {multi.service_for(s).node.path for s in SPEC_SERVERS} == {multi.service_for("gitlab").node.path}
    assert multi.target_group_for("gitlab").node.path != multi.target_group_for("pagerduty").node.path


# ---------------------------------------------------------------------------------------------
# Invalid props: the library's JavaScript errors surface in Python, naming the prop
# ---------------------------------------------------------------------------------------------


def _assert_library_error(excinfo):
    """A JavaScript error of the library (RuntimeError), not a jsii kernel fault (JSIIError)."""
    assert not isinstance(excinfo.value, jsii.errors.JSIIError)
    cause = excinfo.value.__cause__
    assert isinstance(cause, jsii.errors.JavaScriptError), f"no JavaScript stack: {cause!r}"


def test_invalid_server_name_is_refused():
    with pytest.raises(RuntimeError, match=r'`name` of a server must be lowercase letters.*got: "GitLab_Internal"') as excinfo:
        McpServer.gitlab(name="GitLab_Internal")
    _assert_library_error(excinfo)


def test_invalid_environment_from_context_is_refused(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"environment": "prod", "oauthIssuer": ISSUER})
    with pytest.raises(RuntimeError, match=r'`environment` must be one of development, staging, production, got: "prod"') as excinfo:
        build_app(app)
    _assert_library_error(excinfo)


def test_invalid_allowed_origins_from_context_are_refused(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"allowedOrigins": "https://app.example.com/", "oauthIssuer": ISSUER})
    with pytest.raises(RuntimeError, match=r'`allowedOrigins` entries must be .*got: "https://app.example.com/"'):
        build_app(app)


def test_invalid_memory_size_is_refused():
    stack = cdk.Stack(cdk.App(), "Invalid")
    with pytest.raises(RuntimeError, match=r"`memorySize` must be between 128 and 10240, got: 64"):
        McpServerFleet(stack, "Fleet", environment="production", servers=[McpServer.gitlab()],
                       compute=FleetCompute.lambda_multi_server(memory_size=64))


def test_duplicate_server_names_are_refused():
    stack = cdk.Stack(cdk.App(), "Duplicate")
    with pytest.raises(RuntimeError, match=r'`servers` must have unique names, got "gitlab" twice'):
        McpServerFleet(stack, "Fleet", environment="production",
                       servers=[McpServer.gitlab(), McpServer.gitlab(api_url=INTERNAL_URL)])


def test_incomplete_secret_arn_is_refused():
    with pytest.raises(RuntimeError, match=r"`secretCompleteArn` must be the complete ARN"):
        ServerCredential.from_secret_complete_arn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token")


def test_wrong_python_type_is_refused_before_reaching_javascript():
    # jsii's generated bindings check argument types in Python (typeguard) and name the argument.
    with pytest.raises(TypeError, match=r"allow_writes"):
        McpServer.gitlab(allow_writes="yes")  # type: ignore[arg-type]


def test_new_kinds_validate_their_props_from_python():
    # The backends' factories validate in JavaScript; the error names the prop and the value.
    with pytest.raises(RuntimeError, match=r"A ServiceNow server needs credentials") as excinfo:
        McpServer.servicenow(instance_url="https://example.service-now.com")
    _assert_library_error(excinfo)
    token = ServerCredential.from_secret_complete_arn(ATLASSIAN_SECRET_ARN, "token")
    with pytest.raises(RuntimeError, match=r'`cloudId` must be the site\'s cloud id, a UUID .*got: "acme"'):
        McpServer.atlassian(url="https://acme.atlassian.net", email=token, token=token, cloud_id="acme")
