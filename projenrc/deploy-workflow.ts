/**
 * The GitHub Actions workflow users copy to deploy a fleet (examples/github/deploy-mcp-fleet.yml),
 * built here as an object and rendered to YAML, so the file is generated, never hand-typed, and a
 * test holds the committed file to this output.
 *
 * Write the file with `npx projen workflow`.
 *
 * The workflow assumes the role of `GitHubDeployRole` through GitHub's OpenID Connect token (no
 * access keys anywhere) and reads its settings from the repository's variables and one secret:
 *
 * - `vars.AWS_DEPLOY_ROLE_ARN`: the role's ARN (the construct's `DeployRoleArn` output);
 * - `vars.AWS_REGION`: the region of the stacks;
 * - `vars.MCP_SERVER`: the server to verify (optional with one server), or `vars.MCP_ENDPOINT_URL`
 *   (e.g. a custom domain) to verify instead of the endpoint read from the stack outputs;
 * - `secrets.MCP_VERIFY_TOKEN`: a bearer token the fleet accepts, for the `initialize` check
 *   (optional for a fleet without authentication).
 */
import { writeFileSync } from 'node:fs';
import { Document, isScalar, visit } from 'yaml';

/** A third-party action, pinned to the commit of a release (tags move; commits do not). */
export interface PinnedAction {
  readonly repository: string;
  readonly sha: string;
  readonly version: string;
}

/** The actions the workflow uses, each pinned to the commit of the release named beside it. */
export const ACTIONS = {
  checkout: { repository: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { repository: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  awsCredentials: { repository: 'aws-actions/configure-aws-credentials', sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c', version: 'v6.2.3' },
  trivy: { repository: 'aquasecurity/trivy-action', sha: 'ed142fd0673e97e23eac54620cfb913e5ce36c25', version: 'v0.36.0' },
} satisfies Record<string, PinnedAction>;

/** Where `npx projen workflow` writes the blueprint. */
export const WORKFLOW_PATH = 'examples/github/deploy-mcp-fleet.yml';

/** Settings of the blueprint; the defaults are the committed file. */
export interface DeployWorkflowOptions {
  /** The branch whose pushes deploy. @default 'main' */
  readonly branch?: string;
  /** The GitHub environment of the deploy job (the deploy role trusts it). @default 'production' */
  readonly environment?: string;
  /** The command that runs the CDK app's tests. @default 'npm test' */
  readonly testCommand?: string;
  /** The Node.js version of the jobs. @default '22' */
  readonly nodeVersion?: string;
}

type Step = Record<string, unknown>;

const uses = (action: PinnedAction): string => `${action.repository}@${action.sha}`;

const checkout: Step = { name: 'Check out', uses: uses(ACTIONS.checkout), with: { 'persist-credentials': false } };

function setupNode(nodeVersion: string): Step[] {
  return [
    { name: 'Set up Node.js', uses: uses(ACTIONS.setupNode), with: { 'node-version': nodeVersion, 'cache': 'npm' } },
    { name: 'Install dependencies', run: 'npm ci' },
  ];
}

/** The endpoint to verify: `MCP_ENDPOINT_URL` if set, else the one `<server>-ApiEndpoint` output of the stacks. */
export const READ_ENDPOINT_SCRIPT = `set -euo pipefail
if [ -n "\${MCP_ENDPOINT_URL:-}" ]; then
  echo "endpoint=$MCP_ENDPOINT_URL" >> "$GITHUB_OUTPUT"
  exit 0
fi
# A fleet outputs each server's endpoint (<base>/<server>/mcp) as <server>-ApiEndpoint; the output's
# logical id keeps the letters and digits of its path.
key="$(printf '%s' "\${MCP_SERVER:-}" | tr -cd 'A-Za-z0-9')ApiEndpoint"
mapfile -t found < <(jq -r --arg key "$key" \
  '.[] | to_entries[] | select((.key | contains($key)) and (.value | endswith("/mcp"))) | .value' cdk-outputs.json)
if [ "\${#found[@]}" -ne 1 ]; then
  echo "::error::\${#found[@]} stack outputs match $key: set the MCP_SERVER variable to one server's name, or MCP_ENDPOINT_URL"
  echo "(cdk writes no outputs of nested stacks, where a fleet split over several stacks keeps its servers' endpoints)"
  exit 1
fi
echo "endpoint=\${found[0]}" >> "$GITHUB_OUTPUT"
`;

/** The rollout of the fleets' Fargate services (the deploy role's `DeployedServiceArns` output), into the job summary. */
export const ROLLOUT_SCRIPT = `set -euo pipefail
arns=$(jq -r '[.[] | to_entries[] | select(.key | contains("DeployedServiceArns")) | .value] | join(",")' cdk-outputs.json)
if [ -z "$arns" ]; then
  echo "No Fargate services to report"
  exit 0
fi
{
  echo "| Service | Running | Desired | Rollout |"
  echo "| --- | --- | --- | --- |"
} >> "$GITHUB_STEP_SUMMARY"
for arn in \${arns//,/ }; do
  cluster=$(printf '%s' "$arn" | cut -d/ -f2)
  aws ecs describe-services --cluster "$cluster" --services "$arn" \\
    --query 'services[0].[serviceName, runningCount, desiredCount, deployments[0].rolloutState]' --output text \\
    | awk '{ print "| " $1 " | " $2 " | " $3 " | " $4 " |" }' >> "$GITHUB_STEP_SUMMARY"
done
`;

/** GET /<server>/health until it answers 200 with status ok (the new tasks or functions may still be starting). */
export const HEALTH_SCRIPT = `set -euo pipefail
url="\${MCP_ENDPOINT%/mcp}/health"
for attempt in $(seq 1 "$VERIFY_ATTEMPTS"); do
  status=$(curl --silent --output health.json --write-out '%{http_code}' --max-time 10 "$url") || status=000
  if [ "$status" = 200 ] && jq -e '.status == "ok"' health.json > /dev/null 2>&1; then
    echo "Healthy: $(cat health.json)"
    exit 0
  fi
  echo "Attempt $attempt: $url answered HTTP $status"
  sleep "$VERIFY_DELAY_SECONDS"
done
echo "::error::$url was not healthy after $VERIFY_ATTEMPTS attempts"
exit 1
`;

/** An MCP initialize POST, as a client's first request: the answer must be a JSON-RPC result naming the server. */
export const INITIALIZE_SCRIPT = `set -euo pipefail
headers="\${RUNNER_TEMP:-/tmp}/mcp-headers"
# The token goes in a file curl reads, not on its command line.
: > "$headers"
if [ -n "\${MCP_TOKEN:-}" ]; then printf 'Authorization: Bearer %s\\n' "$MCP_TOKEN" > "$headers"; fi
body='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deploy-verify","version":"1.0.0"}}}'
status=$(curl --silent --output initialize.txt --write-out '%{http_code}' --max-time 30 -X POST "$MCP_ENDPOINT" \\
  -H @"$headers" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
  --data "$body") || status=000
if [ "$status" != 200 ]; then
  echo "::error::initialize answered HTTP $status: $(head -c 500 initialize.txt 2>/dev/null)"
  exit 1
fi
# Streamable HTTP answers with JSON or with an event stream whose data lines carry the messages.
if grep -q '^data:' initialize.txt; then sed -n 's/^data: *//p' initialize.txt > initialize.json; else cp initialize.txt initialize.json; fi
if ! jq -e -s 'map(select(.id == 1)) | .[0] | (.result.protocolVersion | type == "string") and (.result.serverInfo.name | type == "string")' \\
  initialize.json > /dev/null 2>&1; then
  echo "::error::initialize returned no result: $(head -c 500 initialize.txt)"
  exit 1
fi
echo "Initialized: $(jq -c -s 'map(select(.id == 1)) | .[0].result.serverInfo' initialize.json)"
`;

/** The job summary, and the run fails unless every job succeeded. */
export const REPORT_SCRIPT = `set -euo pipefail
{
  echo "## MCP fleet deployment"
  echo
  echo "| Job | Result |"
  echo "| --- | --- |"
  echo "| Test | $TEST_RESULT |"
  echo "| Build and scan the image | $IMAGE_RESULT |"
  echo "| Deploy | $DEPLOY_RESULT |"
  echo "| Verify | $VERIFY_RESULT |"
  echo
  echo "Endpoint: \${MCP_ENDPOINT:-none} · commit $GITHUB_SHA"
} >> "$GITHUB_STEP_SUMMARY"
for result in "$TEST_RESULT" "$IMAGE_RESULT" "$DEPLOY_RESULT" "$VERIFY_RESULT"; do
  if [ "$result" != success ]; then
    echo "::error::the deployment did not complete: $result"
    exit 1
  fi
done
`;

/** The workflow as an object (what the YAML file holds). */
export function deployWorkflow(options: DeployWorkflowOptions = {}): Record<string, unknown> {
  const branch = options.branch ?? 'main';
  const environment = options.environment ?? 'production';
  const nodeVersion = options.nodeVersion ?? '22';
  const image = 'mcp-server-fleet:${{ github.sha }}';
  return {
    name: 'Deploy MCP fleet',
    on: { push: { branches: [branch] }, workflow_dispatch: {} },
    // Only the deploy job asks for a token; every other job is narrowed to reading the code.
    permissions: { 'id-token': 'write', 'contents': 'read' },
    // One deployment at a time; a newer push waits rather than cancelling a deployment under way.
    concurrency: { 'group': `deploy-mcp-fleet-${environment}`, 'cancel-in-progress': false },
    jobs: {
      test: {
        'name': 'Test',
        'runs-on': 'ubuntu-latest',
        'permissions': { contents: 'read' },
        'steps': [checkout, ...setupNode(nodeVersion), { name: 'Run the tests', run: options.testCommand ?? 'npm test' }],
      },
      image: {
        'name': 'Build and scan the image',
        'runs-on': 'ubuntu-latest',
        'permissions': { contents: 'read' },
        'steps': [
          checkout,
          ...setupNode(nodeVersion),
          {
            // The Dockerfile and bundle the package ships: what `cdk deploy` builds for the tasks.
            name: 'Build the runtime image',
            run: `docker build --tag ${image} node_modules/mcp-server-fleet/assets/server`,
          },
          {
            name: 'Scan the image (fails on CRITICAL vulnerabilities)',
            uses: uses(ACTIONS.trivy),
            with: { 'image-ref': image, 'severity': 'CRITICAL', 'ignore-unfixed': true, 'exit-code': '1', 'format': 'table' },
          },
        ],
      },
      deploy: {
        'name': 'Deploy',
        'needs': ['test', 'image'],
        'runs-on': 'ubuntu-latest',
        // The deploy role trusts this environment: its protection rules gate every deployment.
        environment,
        'permissions': { 'id-token': 'write', 'contents': 'read' },
        'outputs': { endpoint: '${{ steps.endpoint.outputs.endpoint }}' },
        'steps': [
          checkout,
          ...setupNode(nodeVersion),
          {
            name: 'Assume the deploy role (OpenID Connect, no access keys)',
            uses: uses(ACTIONS.awsCredentials),
            with: {
              'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
              'aws-region': '${{ vars.AWS_REGION }}',
              'role-session-name': 'deploy-mcp-fleet-${{ github.run_id }}',
              'role-duration-seconds': 3600,
            },
          },
          { name: 'Deploy with cdk deploy', run: 'npx cdk deploy --all --require-approval never --outputs-file cdk-outputs.json' },
          {
            name: 'Read the endpoint',
            id: 'endpoint',
            env: { MCP_SERVER: '${{ vars.MCP_SERVER }}', MCP_ENDPOINT_URL: '${{ vars.MCP_ENDPOINT_URL }}' },
            run: READ_ENDPOINT_SCRIPT,
          },
          { name: 'Report the rollout of the Fargate services', run: ROLLOUT_SCRIPT },
        ],
      },
      verify: {
        'name': 'Verify',
        'needs': ['deploy'],
        'runs-on': 'ubuntu-latest',
        'permissions': { contents: 'read' },
        'env': {
          MCP_ENDPOINT: '${{ needs.deploy.outputs.endpoint }}',
          MCP_TOKEN: '${{ secrets.MCP_VERIFY_TOKEN }}',
          VERIFY_ATTEMPTS: 10,
          VERIFY_DELAY_SECONDS: 10,
        },
        'steps': [
          { name: 'Check /health', run: HEALTH_SCRIPT },
          { name: 'Check an MCP initialize', run: INITIALIZE_SCRIPT },
        ],
      },
      report: {
        'name': 'Report',
        'needs': ['test', 'image', 'deploy', 'verify'],
        'if': 'always()',
        'runs-on': 'ubuntu-latest',
        'permissions': {},
        'steps': [{
          name: 'Summarize the run',
          env: {
            TEST_RESULT: '${{ needs.test.result }}',
            IMAGE_RESULT: '${{ needs.image.result }}',
            DEPLOY_RESULT: '${{ needs.deploy.result }}',
            VERIFY_RESULT: '${{ needs.verify.result }}',
            MCP_ENDPOINT: '${{ needs.deploy.outputs.endpoint }}',
          },
          run: REPORT_SCRIPT,
        }],
      },
    },
  };
}

/** The workflow as the YAML text of the blueprint file. */
export function renderDeployWorkflow(options: DeployWorkflowOptions = {}): string {
  // No anchors and aliases for the steps the jobs share: each job reads on its own.
  const doc = new Document(deployWorkflow(options), { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ' Deploys an MCP server fleet from GitHub Actions: test, build and scan the image, cdk deploy, verify, report.',
    ' Copy to .github/workflows/ in the repository of your CDK app. Generated by projenrc/deploy-workflow.ts',
    ' (`npx projen workflow`) in mcp-server-fleet: do not edit the generated copy there.',
    '',
    ' Repository settings: variables AWS_DEPLOY_ROLE_ARN (the DeployRoleArn output of GitHubDeployRole,',
    ` which must trust the \`${options.environment ?? 'production'}\` environment) and AWS_REGION; MCP_SERVER (the server to verify)`,
    ' or MCP_ENDPOINT_URL; secret MCP_VERIFY_TOKEN (a bearer token the fleet accepts).',
  ].join('\n');
  const versions = new Map(Object.values(ACTIONS).map((a) => [uses(a), a.version]));
  // The release beside each pinned commit, as the comment reviewers and Dependabot read.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'uses' && isScalar(pair.value)) {
        const version = versions.get(String(pair.value.value));
        if (version) pair.value.comment = ` ${version}`;
      }
    },
  });
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

if (require.main === module) {
  const path = process.argv[2] ?? WORKFLOW_PATH;
  writeFileSync(path, renderDeployWorkflow());
  console.log(`Wrote ${path}`);
}
