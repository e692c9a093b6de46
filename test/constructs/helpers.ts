/** Shared set-up of the construct tests. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet, McpServerFleetProps, ServerCredential } from '../../src';

/**
 * The constructs stage `assets/lambda` (the bundled runtime). A source checkout that has not run
 * `npx projen bundle` has none; the construct tests only need the folder, so they write a
 * placeholder handler there (the bundle task replaces it; it never ships).
 */
export function ensureLambdaAsset(): void {
  const file = join(__dirname, '..', '..', 'assets', 'lambda', 'index.js');
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, 'exports.handler = async () => ({ statusCode: 503, body: "runtime not bundled" });\n', { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * The same for `assets/server` (the container image's build context): a placeholder server and
 * Dockerfile when the bundle task has not run. Synthesis only stages the folder; nothing builds it.
 */
export function ensureServerAsset(): void {
  const dir = join(__dirname, '..', '..', 'assets', 'server');
  mkdirSync(dir, { recursive: true });
  const placeholders: Record<string, string> = {
    'index.js': 'process.stderr.write("runtime not bundled\\n"); process.exit(1);\n',
    'Dockerfile': 'FROM scratch\n',
  };
  for (const [file, text] of Object.entries(placeholders)) {
    if (existsSync(join(dir, file))) continue;
    try {
      writeFileSync(join(dir, file), text, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

ensureLambdaAsset();
ensureServerAsset();

export const GITLAB_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token-AbCdEf';
export const INTERNAL_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-internal-token-GhIjKl';

export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A fleet of GitLab.com (token by complete ARN, JSON field `token`) in a fresh stack. */
export function gitlabFleet(
  compute?: IFleetCompute,
  props: Partial<McpServerFleetProps> = {},
): { stack: Stack; fleet: McpServerFleet; template: Template } {
  const stack = newStack();
  const fleet = new McpServerFleet(stack, 'Fleet', {
    environment: 'production',
    servers: [McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') })],
    compute: compute ?? FleetCompute.lambdaPerServer(),
    ...props,
  });
  return { stack, fleet, template: Template.fromStack(stack) };
}

/** GitLab.com plus a self-managed GitLab named `gl-internal` with writes on. */
export function twoServers(): McpServer[] {
  return [
    McpServer.gitlab({ token: ServerCredential.fromSecretCompleteArn(GITLAB_SECRET_ARN, 'token') }),
    McpServer.gitlab({
      name: 'gl-internal',
      apiUrl: 'https://gitlab.example.com/api/v4',
      token: ServerCredential.fromSecretCompleteArn(INTERNAL_SECRET_ARN),
      allowWrites: true,
    }),
  ];
}

/** Every statement of every IAM policy of a template. */
export function policyStatements(template: Template): Array<{ policy: string; statement: Record<string, any> }> {
  const out: Array<{ policy: string; statement: Record<string, any> }> = [];
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of (policy as any).Properties.PolicyDocument.Statement) out.push({ policy: id, statement });
  }
  return out;
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

export function importedSecretByName(stack: Stack, name: string): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretNameV2(stack, `Secret-${name.replace(/[^A-Za-z0-9]/g, '')}`, name);
}
