import { CfnOutput, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FargateComputeBase } from '../compute/fargate/base';
import type { McpServerFleet } from '../fleet';
import { acknowledgeRule } from '../nag';

/** The issuer of the tokens GitHub Actions gives a job with `permissions: id-token: write`. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** The audience `aws-actions/configure-aws-credentials` asks GitHub's token for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The qualifier `cdk bootstrap` names its roles with unless told otherwise. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * The roles of a CDK bootstrap stack (`cdk-<qualifier>-<role>-<account>-<region>`) that the CLI
 * assumes during `cdk deploy`. The CloudFormation execution role is not among them: only
 * CloudFormation assumes that one, passed by the deploy role.
 */
export const CDK_BOOTSTRAP_ROLES = ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'];

/** Properties of a GitHub Actions deploy role. */
export interface GitHubDeployRoleProps {
  /** The GitHub repository whose workflows may assume the role, as `owner/name`, e.g. `my-org/mcp-servers`. */
  readonly repository: string;

  /**
   * Branches whose workflow runs may assume the role, e.g. `['main']` (`release/*` patterns allowed,
   * within the repository). A job that names a GitHub environment presents the environment instead
   * of the branch: list it in `environments`.
   *
   * @default - none (at least one of `branches` and `environments` must be given)
   */
  readonly branches?: string[];

  /**
   * GitHub environments whose jobs may assume the role, e.g. `['production']`: the job runs only
   * after the environment's protection rules (reviewers, branch policy) pass. Give environments and
   * no branches when the environment's rules are the gate, or any job of the branch could deploy.
   *
   * @default - none (at least one of `branches` and `environments` must be given)
   */
  readonly environments?: string[];

  /**
   * The account's OpenID Connect provider for `https://token.actions.githubusercontent.com`, when it
   * exists already (an account has one per issuer), e.g.
   * `iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(...)`.
   *
   * @default - a provider is created (audience `sts.amazonaws.com`)
   */
  readonly openIdConnectProvider?: iam.IOpenIdConnectProvider;

  /**
   * The fleets the workflow deploys. For each Fargate fleet the role may read its services
   * (`ecs:DescribeServices`, for the workflow's rollout report) and the construct outputs their
   * ARNs (`DeployedServiceArns`). A Lambda fleet adds nothing: the workflow verifies it through its
   * front door, as a client does.
   *
   * @default - none
   */
  readonly fleets?: McpServerFleet[];

  /**
   * ECR repositories the workflow pushes images to itself (e.g. those of `McpImageRepositories`):
   * the push actions on exactly these, and `ecr:GetAuthorizationToken`
   * (which has no resource-level permission). Not needed for images `cdk deploy` publishes: the
   * bootstrap's image-publishing role pushes those.
   *
   * @default - none
   */
  readonly repositories?: ecr.IRepository[];

  /**
   * The qualifier of the CDK bootstrap stack (`cdk bootstrap --qualifier`).
   *
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;

  /**
   * The role's name (the workflow names the role by its ARN).
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * The role a GitHub Actions workflow deploys the fleet with, without long-lived keys: GitHub's
 * OpenID Connect token is exchanged for an hour of credentials (`sts:AssumeRoleWithWebIdentity`),
 * only for jobs of the given repository on the given branches or environments.
 *
 * `cdk deploy` does all its deploying through the CDK bootstrap roles (the deploy role hands the
 * templates to CloudFormation, whose execution role creates the resources and registers the task
 * definitions; the publishing roles upload the assets), so the role may assume exactly those and
 * nothing else: no `lambda:UpdateFunctionCode`, no `ecs:RegisterTaskDefinition`, no
 * `iam:PassRole`. The workflow's checks after the deployment call the fleet's endpoints over HTTPS
 * and read the rollout of its Fargate services (`fleets`).
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import { GitHubDeployRole } from 'mcp-server-fleet';
 *
 * const stack = new Stack(new App(), 'McpDeployAccess');
 * new GitHubDeployRole(stack, 'Deploy', {
 *   repository: 'my-org/mcp-servers',
 *   environments: ['production'],
 * });
 */
export class GitHubDeployRole extends Construct {
  /** The role the workflow assumes (`role-to-assume`). */
  public readonly role: iam.Role;

  /** The ARN of the role: the workflow's `AWS_DEPLOY_ROLE_ARN` variable. */
  public readonly roleArn: string;

  /** The ARN of the OpenID Connect provider the role trusts (the given one or the one created). */
  public readonly openIdConnectProviderArn: string;

  /** The `sub` claims the role accepts, e.g. `repo:my-org/mcp-servers:environment:production`. */
  public readonly subjects: string[];

  /** The ARNs of the bootstrap roles the role may assume. */
  public readonly bootstrapRoleArns: string[];

  constructor(scope: Construct, id: string, props: GitHubDeployRoleProps) {
    super(scope, id);
    const repository = validateRepository(props.repository);
    const branches = props.branches ?? [];
    const environments = props.environments ?? [];
    branches.forEach((branch) => validateBranch(branch));
    environments.forEach((environment) => validateGitHubEnvironment(environment));
    if (branches.length === 0 && environments.length === 0) {
      throw new Error('`branches` or `environments` must name at least one branch or GitHub environment, got: none '
        + `(the role would trust every workflow of ${repository}, pull requests included)`);
    }
    const qualifier = props.bootstrapQualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER;
    validateQualifier(qualifier);

    this.subjects = [
      ...branches.map((branch) => `repo:${repository}:ref:refs/heads/${branch}`),
      ...environments.map((environment) => `repo:${repository}:environment:${environment}`),
    ];

    const provider = props.openIdConnectProvider ?? new iam.OidcProviderNative(this, 'GitHubProvider', {
      url: `https://${GITHUB_OIDC_ISSUER}`,
      clientIds: [GITHUB_OIDC_AUDIENCE],
    });
    this.openIdConnectProviderArn = provider.openIdConnectProviderArn;

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Deploys from GitHub Actions: ${this.subjects.join(', ')}`.slice(0, 1000),
      // The shortest IAM allows: a deployment's credentials, not a standing session.
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        // Both conditions: without `aud` any token of the issuer, minted for another audience,
        // would do; without `sub` any repository on GitHub could deploy.
        StringEquals: { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE },
        StringLike: { [`${GITHUB_OIDC_ISSUER}:sub`]: this.subjects },
      }),
    });
    this.roleArn = this.role.roleArn;

    const stack = Stack.of(this);
    this.bootstrapRoleArns = CDK_BOOTSTRAP_ROLES.map((role) =>
      `arn:${stack.partition}:iam::${stack.account}:role/cdk-${qualifier}-${role}-${stack.account}-${stack.region}`);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      // sts:TagSession for a synthesizer that passes session tags (`deployRoleAdditionalOptions`);
      // the bootstrap roles' trust allows it.
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resources: this.bootstrapRoleArns,
    }));

    const serviceArns = fargateServiceArns(props.fleets ?? []);
    if (serviceArns.length > 0) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ReadFleetServices',
        actions: ['ecs:DescribeServices'],
        resources: serviceArns,
      }));
      // The workflow reads this output from `cdk deploy --outputs-file` for its rollout report.
      new CfnOutput(this, 'DeployedServiceArns', {
        value: Fn.join(',', serviceArns),
        description: 'ECS services of the fleets the GitHub workflow deploys (comma-separated ARNs)',
      });
    }

    const repositories = props.repositories ?? [];
    for (const repo of repositories) repo.grantPush(this.role);
    if (repositories.length > 0) {
      acknowledgeRule(this.role, 'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource-level permission (it returns a registry login); the push actions name the repositories');
    }

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.roleArn,
      description: 'The role-to-assume of the GitHub workflow (its AWS_DEPLOY_ROLE_ARN variable)',
    });
  }
}

/** Each distinct service of the given fleets' Fargate computes, once (a multi-server service serves several servers). */
function fargateServiceArns(fleets: McpServerFleet[]): string[] {
  const arns: string[] = [];
  for (const fleet of fleets) {
    const compute = fleet.compute;
    if (!(compute instanceof FargateComputeBase)) continue;
    for (const server of fleet.servers) {
      const arn = compute.serviceFor(server.name).serviceArn;
      if (!arns.includes(arn)) arns.push(arn);
    }
  }
  return arns;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

function validateRepository(repository: string): string {
  if (typeof repository !== 'string' || Token.isUnresolved(repository)) {
    throw new Error(`\`repository\` must be a literal \`owner/name\` (it becomes the role's trust condition), got: ${JSON.stringify(repository)}`);
  }
  const [owner, name, ...rest] = repository.split('/');
  if (rest.length > 0 || !OWNER.test(owner ?? '') || !NAME.test(name ?? '') || name === '.' || name === '..') {
    throw new Error('`repository` must be a GitHub repository as `owner/name` (letters, digits, hyphens for the owner; '
      + `letters, digits, '.', '_', '-' for the name; no wildcards), got: ${JSON.stringify(repository)}`);
  }
  return repository;
}

// What git refuses in a branch name (git check-ref-format), and `:` which would end the claim's
// ref field. `*` stays: a pattern such as `release/*` matches branches of this repository only.
const BAD_BRANCH = /[\s:?[\\^~]|\.\.|@\{/;

function validateBranch(branch: string): void {
  if (typeof branch !== 'string' || Token.isUnresolved(branch) || branch === '' || BAD_BRANCH.test(branch)) {
    throw new Error('`branches` entries must be branch names or patterns such as `main` or `release/*` '
      + `(no whitespace, ':', '?', '[', '\\\\', '^', '~'), got: ${JSON.stringify(branch)}`);
  }
  if (branch.startsWith('refs/')) {
    throw new Error(`\`branches\` entries are branch names without \`refs/heads/\` (the role adds it), got: ${JSON.stringify(branch)}`);
  }
}

function validateGitHubEnvironment(environment: string): void {
  // An environment is trusted for its protection rules: a pattern would also trust environments
  // anyone with write access creates later, without those rules.
  if (typeof environment !== 'string' || Token.isUnresolved(environment) || environment.trim() === ''
    || environment.length > 255 || /[*?:,]/.test(environment)) {
    throw new Error('`environments` entries must be GitHub environment names, without wildcards or \':\' '
      + `(at most 255 characters), got: ${JSON.stringify(environment)}`);
  }
}

function validateQualifier(qualifier: string): void {
  // The bootstrap template's own pattern for --qualifier.
  if (typeof qualifier !== 'string' || !/^[A-Za-z0-9_-]{1,10}$/.test(qualifier)) {
    throw new Error(`\`bootstrapQualifier\` must be 1 to 10 letters, digits, '_' or '-' (as \`cdk bootstrap --qualifier\`), got: ${JSON.stringify(qualifier)}`);
  }
}
