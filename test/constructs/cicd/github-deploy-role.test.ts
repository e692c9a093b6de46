import { App, Stack, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { FleetAuth } from '../../../src/auth/fleet-auth';
import { GitHubDeployRole, GitHubDeployRoleProps } from '../../../src/cicd/github-deploy-role';
import { FleetCompute } from '../../../src/compute/fleet-compute';
import { IFleetCompute } from '../../../src/compute/types';
import { McpServerFleet } from '../../../src/fleet';
import { certificate, ISSUER } from '../compute/fargate/helpers';
import { expectLeastPrivilege } from '../compute/least-privilege';
import { newStack, policyStatements, twoServers } from '../helpers';

/** A fleet of the two test servers on `compute(stack)`, not synthesized yet (the role is added after it). */
function fleetIn(compute: (stack: Stack) => IFleetCompute, stack: Stack = newStack()): { stack: Stack; fleet: McpServerFleet } {
  const fleet = new McpServerFleet(stack, 'Fleet', {
    environment: 'production',
    servers: twoServers(),
    compute: compute(stack),
    auth: FleetAuth.oauth({ issuer: ISSUER }),
  });
  return { stack, fleet };
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PROVIDER_URL = 'https://token.actions.githubusercontent.com';

/** A CloudFormation value as text: joins flattened, the partition as `aws`, other references as `<Ref:id>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v?.['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(text).join(v['Fn::Join'][0]);
  if (v?.Ref === 'AWS::Partition') return 'aws';
  if (v?.Ref) return `<Ref:${v.Ref}>`;
  if (v?.['Fn::GetAtt']) return `<GetAtt:${v['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function deployRole(props: Partial<GitHubDeployRoleProps> = {}, stack: Stack = newStack()) {
  const construct = new GitHubDeployRole(stack, 'Deploy', { repository: 'my-org/mcp-servers', environments: ['production'], ...props });
  return { stack, construct, template: Template.fromStack(stack) };
}

/** The statements of the deploy role's own policies. */
function roleStatements(template: Template, construct: GitHubDeployRole): Array<Record<string, any>> {
  const roleId = Stack.of(construct).getLogicalId(construct.role.node.defaultChild as iam.CfnRole);
  return policyStatements(template)
    .filter(({ policy }) => list(template.toJSON().Resources[policy].Properties.Roles).some((r: any) => r.Ref === roleId))
    .map(({ statement }) => statement);
}

function trustStatements(template: Template): Array<Record<string, any>> {
  const roles = Object.values(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })]) } } }));
  expect(roles).toHaveLength(1);
  return (roles[0] as any).Properties.AssumeRolePolicyDocument.Statement;
}

describe('GitHubDeployRole: the OpenID Connect provider', () => {
  test('creates the account\'s provider for GitHub Actions with audience sts.amazonaws.com, natively (no custom resource function)', () => {
    const { template, construct, stack } = deployRole();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: PROVIDER_URL, ClientIdList: ['sts.amazonaws.com'] });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.keys(template.findResources('Custom::AWSCDKOpenIdConnectProvider'))).toEqual([]);
    const providerId = Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0];
    expect(text(stack.resolve(construct.openIdConnectProviderArn))).toBe(`<Ref:${providerId}>`);
    expect(trustStatements(template)[0].Principal).toEqual({ Federated: { Ref: providerId } });
  });

  test('trusts an existing provider instead, creating none', () => {
    const stack = newStack();
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const provider = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(stack, 'Existing', arn);
    const { template } = deployRole({ openIdConnectProvider: provider }, stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustStatements(template)[0].Principal).toEqual({ Federated: arn });
  });
});

describe('GitHubDeployRole: trust', () => {
  test('one statement: AssumeRoleWithWebIdentity, aud = sts.amazonaws.com, sub limited to the repository\'s branches and environments; 1 h sessions', () => {
    const { template, construct } = deployRole({ branches: ['main', 'release/*'], environments: ['production', 'staging'] });
    const statements = trustStatements(template);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: expect.anything() },
      Condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: {
          'token.actions.githubusercontent.com:sub': [
            'repo:my-org/mcp-servers:ref:refs/heads/main',
            'repo:my-org/mcp-servers:ref:refs/heads/release/*',
            'repo:my-org/mcp-servers:environment:production',
            'repo:my-org/mcp-servers:environment:staging',
          ],
        },
      },
    }]);
    expect(construct.subjects).toHaveLength(4);
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('every subject starts with the repository: no pattern reaches another repository or a pull request', () => {
    const { template } = deployRole({ branches: ['*'], environments: ['production'] });
    const subjects = list(trustStatements(template)[0].Condition.StringLike['token.actions.githubusercontent.com:sub']) as string[];
    for (const subject of subjects) expect(subject).toMatch(/^repo:my-org\/mcp-servers:(ref:refs\/heads\/|environment:)[^:]+$/);
    expect(subjects.some((s) => s.includes(':pull_request'))).toBe(false);
  });

});

describe('GitHubDeployRole: permissions', () => {
  const bootstrapRoles = (qualifier: string) => ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role']
    .map((role) => `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-${role}-${ACCOUNT}-${REGION}`);

  test('without fleets: only assuming the four CDK bootstrap roles `cdk deploy` uses (not the CloudFormation execution role)', () => {
    const { template, construct, stack } = deployRole();
    const statements = roleStatements(template, construct);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(list(statements[0].Resource).map(text)).toEqual(bootstrapRoles('hnb659fds'));
    expect(construct.bootstrapRoleArns.map((a) => text(stack.resolve(a)))).toEqual(bootstrapRoles('hnb659fds'));
    expect(JSON.stringify(statements)).not.toContain('cfn-exec-role');
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployRole'), 'Arn'] } });
  });

  test('the bootstrap qualifier can be changed', () => {
    const { template, construct } = deployRole({ bootstrapQualifier: 'mcp2026' });
    expect(list(roleStatements(template, construct)[0].Resource).map(text)).toEqual(bootstrapRoles('mcp2026'));
  });

  test('a Lambda fleet adds nothing: no lambda, ecs or iam:PassRole action (cdk deploy deploys through the bootstrap roles)', () => {
    const { stack, fleet } = fleetIn(() => FleetCompute.lambdaPerServer());
    const { template, construct } = deployRole({ fleets: [fleet] }, stack);
    const actions = roleStatements(template, construct).flatMap((s) => list(s.Action));
    expect(actions).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(Object.keys(template.findOutputs('*')).filter((o) => o.includes('DeployedServiceArns'))).toEqual([]);
  });

  test.each([
    ['fargatePerServer', 2, (stack: Stack) => FleetCompute.fargatePerServer({ certificate: certificate(stack) })],
    ['fargateMultiServer', 1, (stack: Stack) => FleetCompute.fargateMultiServer({ certificate: certificate(stack) })],
  ])('a %s fleet: ecs:DescribeServices on exactly its %d service(s), and their ARNs as an output', (_name, count, compute) => {
    const { stack, fleet } = fleetIn(compute);
    const { template, construct } = deployRole({ fleets: [fleet] }, stack);
    const serviceIds = Object.keys(template.findResources('AWS::ECS::Service'));
    expect(serviceIds).toHaveLength(count);
    const statements = roleStatements(template, construct);
    const ecs = statements.filter((s) => list(s.Action).some((a: string) => a.startsWith('ecs:')));
    expect(ecs).toHaveLength(1);
    expect(ecs[0].Action).toBe('ecs:DescribeServices');
    expect(list(ecs[0].Resource).map(text).sort()).toEqual(serviceIds.map((id) => `<Ref:${id}>`).sort());
    const actions = statements.flatMap((s) => list(s.Action));
    for (const denied of ['ecs:UpdateService', 'ecs:RegisterTaskDefinition', 'iam:PassRole']) expect(actions).not.toContain(denied);
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) => id.includes('DeployedServiceArns'));
    expect(outputs).toHaveLength(1);
    expect(text(outputs[0][1].Value).split(',').sort()).toEqual(serviceIds.map((id) => `<Ref:${id}>`).sort());
    expectLeastPrivilege(template);
  });

  test('ECR repositories: the push actions on exactly those repositories, GetAuthorizationToken alone on `*`', () => {
    const stack = newStack();
    const repo = new ecr.Repository(stack, 'Repo', { repositoryName: 'mcp-servers/gitlab' });
    const { template, construct } = deployRole({ repositories: [repo] }, stack);
    const statements = roleStatements(template, construct);
    const onStar = statements.filter((s) => list(s.Resource).includes('*'));
    expect(onStar.flatMap((s) => list(s.Action))).toEqual(['ecr:GetAuthorizationToken']);
    const push = statements.find((s) => list(s.Action).includes('ecr:PutImage'))!;
    expect(list(push.Resource).map(text)).toEqual([`<GetAtt:${Object.keys(template.findResources('AWS::ECR::Repository'))[0]}.Arn>`]);
    expect(list(push.Action)).toEqual(expect.arrayContaining(['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']));
  });

  test('no action wildcard and no `*` resource but ecr:GetAuthorizationToken, with every option on', () => {
    const { stack, fleet } = fleetIn((s) => FleetCompute.fargatePerServer({ certificate: certificate(s) }));
    const repo = new ecr.Repository(stack, 'Repo');
    const { template, construct } = deployRole({ fleets: [fleet], repositories: [repo], branches: ['main'] }, stack);
    for (const statement of roleStatements(template, construct)) {
      for (const action of list(statement.Action) as string[]) expect(action).not.toMatch(/\*/);
      if (list(statement.Resource).some((r) => text(r).includes('*'))) expect(statement.Action).toBe('ecr:GetAuthorizationToken');
    }
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r: any) => r.Properties.MaxSessionDuration === 3600) as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('GitHubDeployRole: validation names the prop and the value', () => {
  test.each([
    ['owner-only', /`repository` must be a GitHub repository as `owner\/name`.*"owner-only"/],
    ['a/b/c', /`repository`.*"a\/b\/c"/],
    ['*/*', /`repository`.*no wildcards.*"\*\/\*"/],
    ['my-org/*', /`repository`.*"my-org\/\*"/],
    ['my org/repo', /`repository`.*"my org\/repo"/],
    ['my-org/..', /`repository`.*"my-org\/.."/],
    ['', /`repository`.*""/],
  ])('repository %j', (repository, message) => {
    expect(() => deployRole({ repository })).toThrow(message);
  });

  test('a repository given as a token is refused (it is the trust condition)', () => {
    const stack = newStack();
    expect(() => deployRole({ repository: Token.asString({ Ref: 'Repo' }) }, stack)).toThrow(/`repository` must be a literal `owner\/name`/);
  });

  test('no branch and no environment is refused: the role would trust every workflow of the repository', () => {
    expect(() => deployRole({ branches: [], environments: [] })).toThrow(/`branches` or `environments` must name at least one.*got: none.*my-org\/mcp-servers/);
    expect(() => new GitHubDeployRole(newStack(), 'D', { repository: 'my-org/mcp-servers' })).toThrow(/`branches` or `environments`/);
  });

  test.each([
    ['refs/heads/main', /`branches` entries are branch names without `refs\/heads\/`.*"refs\/heads\/main"/],
    ['ma in', /`branches` entries must be branch names.*"ma in"/],
    ['main:*', /`branches` entries.*"main:\*"/],
    ['ma?n', /`branches` entries.*"ma\?n"/],
    ['', /`branches` entries.*""/],
  ])('branch %j', (branch, message) => {
    expect(() => deployRole({ branches: [branch] })).toThrow(message);
  });

  test.each([['*'], ['prod*'], ['a:b'], [' ']])('environment %j', (environment) => {
    expect(() => deployRole({ environments: [environment] })).toThrow(new RegExp(`\`environments\` entries must be GitHub environment names, without wildcards.*${JSON.stringify(environment).replace(/[*]/g, '\\*')}`));
  });

  test.each([['too-long-qualifier'], ['has space'], ['']])('bootstrapQualifier %j', (qualifier) => {
    expect(() => deployRole({ bootstrapQualifier: qualifier })).toThrow(/`bootstrapQualifier` must be 1 to 10 letters/);
  });
});

/** Unacknowledged AwsSolutions findings under `scope`. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function acknowledged(root: IConstruct): string[] {
  return root.node.findAll().flatMap((node) => node.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => id.replace(/^annotation::/i, ''))));
}

describe('GitHubDeployRole: cdk-nag AwsSolutions', () => {
  test('zero findings with the defaults, and nothing acknowledged', () => {
    const { construct } = deployRole();
    expect(findings(construct)).toEqual([]);
    expect(acknowledged(construct)).toEqual([]);
  });

  test('zero unacknowledged findings with fleets and ECR repositories; only ecr:GetAuthorizationToken\'s `*` is acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Cicd', { env: { account: ACCOUNT, region: REGION } });
    const { fleet } = fleetIn((s) => FleetCompute.fargatePerServer({ certificate: certificate(s) }), stack);
    const repo = new ecr.Repository(stack, 'Repo', { imageScanOnPush: true });
    const { construct } = deployRole({ fleets: [fleet], repositories: [repo] }, stack);
    expect(findings(construct)).toEqual([]);
    expect(acknowledged(construct)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });
});
