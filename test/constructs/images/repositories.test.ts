import { App, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FleetAuth, FleetCompute, McpServerFleet, ServerImage } from '../../../src';
import { McpImageRepositories } from '../../../src/images/repositories';
import { certificate } from '../compute/fargate/helpers';
import { newStack, twoServers } from '../helpers';

const SPEC_SERVERS = ['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'];

/** Spec C.1 "Lifecycle Policy", as the spec prints it. */
const SPEC_LIFECYCLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'Keep last 10 production images',
      selection: { tagStatus: 'tagged', tagPrefixList: ['v', 'release-'], countType: 'imageCountMoreThan', countNumber: 10 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep last 5 staging images',
      selection: { tagStatus: 'tagged', tagPrefixList: ['staging-'], countType: 'imageCountMoreThan', countNumber: 5 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 3,
      description: 'Delete untagged images older than 1 day',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 4,
      description: 'Delete dev images older than 7 days',
      selection: { tagStatus: 'tagged', tagPrefixList: ['dev-', 'pr-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
  ],
};

interface RepositoryResource {
  readonly Properties: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

function repositories(template: Template): Record<string, RepositoryResource> {
  return template.findResources('AWS::ECR::Repository') as any;
}

/** `arn:${Partition}:iam::<account>:root` as CDK renders an account principal. */
const rootOf = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });

describe('McpImageRepositories (spec C.1)', () => {
  test('one repository per server, named mcp-servers/<server>, with the spec settings', () => {
    // GIVEN / WHEN the spec's five servers
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: SPEC_SERVERS });
    const template = Template.fromStack(stack);

    // THEN five repositories, each as `aws ecr create-repository` in the spec makes it
    const repos = Object.values(repositories(template));
    expect(repos.map((r) => r.Properties.RepositoryName)).toEqual(SPEC_SERVERS.map((s) => `mcp-servers/${s}`));
    for (const repo of repos) {
      expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      expect(repo.Properties.EncryptionConfiguration).toEqual({ EncryptionType: 'AES256' });
      expect(repo.Properties.ImageTagMutability).toBe('IMMUTABLE');
    }
  });

  test('the four lifecycle rules are the spec\'s, as JSON', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab', 'atlassian'] });

    // THEN each repository's policy text parses to exactly the spec's document
    const repos = Object.values(repositories(Template.fromStack(stack)));
    expect(repos).toHaveLength(2);
    for (const repo of repos) {
      expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText)).toEqual(SPEC_LIFECYCLE_POLICY);
      expect(repo.Properties.LifecyclePolicy.RegistryId).toBeUndefined(); // the stack's own registry
    }
  });

  test('tags Application=mcp-servers and Server=<server>', () => {
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab', 'pagerduty'] });
    const template = Template.fromStack(stack);
    for (const server of ['gitlab', 'pagerduty']) {
      template.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: `mcp-servers/${server}`,
        Tags: Match.arrayEquals([{ Key: 'Application', Value: 'mcp-servers' }, { Key: 'Server', Value: server }]),
      });
    }
  });

  test('kept when removed from the stack by default; the removal policy can be changed', () => {
    const kept = newStack();
    new McpImageRepositories(kept, 'Images', { servers: ['gitlab'] });
    const retained = Object.values(repositories(Template.fromStack(kept)))[0];
    expect([retained.DeletionPolicy, retained.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);

    const dropped = newStack();
    new McpImageRepositories(dropped, 'Images', { servers: ['gitlab'], removalPolicy: RemovalPolicy.DESTROY });
    const destroyed = Object.values(repositories(Template.fromStack(dropped)))[0];
    expect([destroyed.DeletionPolicy, destroyed.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
  });

  test('a prefix of one\'s own', () => {
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab'], repositoryPrefix: 'platform/mcp' });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'platform/mcp/gitlab' });
  });

  test('no repository policy without pull accounts', () => {
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: Match.absent() });
  });

  test('pull accounts: the spec\'s policy, the accounts\' roots may pull and nothing else', () => {
    // GIVEN / WHEN the spec's two accounts
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab', 'atlassian'], pullAccounts: ['123456789012', '987654321098'] });

    // THEN every repository carries exactly the spec's statement
    const repos = Object.values(repositories(Template.fromStack(stack)));
    expect(repos).toHaveLength(2);
    for (const repo of repos) {
      expect(repo.Properties.RepositoryPolicyText).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AllowPull',
          Effect: 'Allow',
          Principal: { AWS: [rootOf('123456789012'), rootOf('987654321098')] },
          Action: ['ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability'],
        }],
      });
    }
  });

  test('lambdaPulls: Lambda may also pull, for functions of the pull accounts in the repositories\' region only', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new McpImageRepositories(stack, 'Images', { servers: ['lambda-runtime'], pullAccounts: ['123456789012', '987654321098'], lambdaPulls: true });

    // THEN the spec's statement, then Lambda's, limited by aws:SourceArn
    const repo = Object.values(repositories(Template.fromStack(stack)))[0];
    const statements = repo.Properties.RepositoryPolicyText.Statement;
    expect(statements.map((st: { Sid: string }) => st.Sid)).toEqual(['AllowPull', 'AllowLambdaPull']);
    expect(statements[1]).toEqual({
      Sid: 'AllowLambdaPull',
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: {
        StringLike: {
          'aws:SourceArn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:123456789012:function:*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:987654321098:function:*']] },
          ],
        },
      },
    });
  });

  test('lambdaPulls without pull accounts is refused, naming both props', () => {
    expect(() => new McpImageRepositories(newStack(), 'Images', { servers: ['gitlab'], lambdaPulls: true }))
      .toThrow('`lambdaPulls` needs `pullAccounts`');
  });

  test('an account given as a token (another stack\'s account) is taken as is', () => {
    const stack = newStack();
    const account = Token.asString({ Ref: 'PullAccount' });
    new McpImageRepositories(stack, 'Images', { servers: ['gitlab'], pullAccounts: [account] });
    const repo = Object.values(repositories(Template.fromStack(stack)))[0];
    expect(JSON.stringify(repo.Properties.RepositoryPolicyText.Statement[0].Principal)).toContain('"Ref":"PullAccount"');
  });

  describe('validation: each message names the prop and the value', () => {
    const build = (props: Partial<ConstructorParameters<typeof McpImageRepositories>[2]>) => () =>
      new McpImageRepositories(newStack(), 'Images', { servers: ['gitlab'], ...props });

    test.each([
      ['an 11-digit account', { pullAccounts: ['12345678901'] }, /`pullAccounts` entries must be 12-digit AWS account IDs, got: "12345678901"/],
      ['an account ARN', { pullAccounts: ['arn:aws:iam::123456789012:root'] }, /`pullAccounts`.*got: "arn:aws:iam::123456789012:root"/],
      ['an account twice', { pullAccounts: ['123456789012', '123456789012'] }, /`pullAccounts` names account 123456789012 twice/],
      ['no server', { servers: [] }, /`servers` must name at least one repository, got: \[\]/],
      ['a server twice', { servers: ['gitlab', 'gitlab'] }, /`servers` names "gitlab" twice/],
      ['an uppercase server', { servers: ['GitLab'] }, /`servers` entries must be lowercase.*got: "GitLab"/],
      ['a server with a slash', { servers: ['team/gitlab'] }, /`servers` entries.*no `\/`.*got: "team\/gitlab"/],
      ['a server ending in a hyphen', { servers: ['gitlab-'] }, /`servers` entries.*got: "gitlab-"/],
      ['a name over 256 characters', { servers: ['a'.repeat(245)] }, /at most 256 characters.*got: "a{245}"/],
      ['a prefix with a trailing slash', { repositoryPrefix: 'mcp-servers/' }, /`repositoryPrefix` must be lowercase.*got: "mcp-servers\/"/],
      ['an uppercase prefix', { repositoryPrefix: 'MCP' }, /`repositoryPrefix`.*got: "MCP"/],
    ])('refuses %s', (_what, props, message) => {
      expect(build(props as any)).toThrow(message);
    });

    test('a name of exactly 256 characters is accepted', () => {
      expect(build({ servers: ['a'.repeat(256 - 'mcp-servers/'.length)] })).not.toThrow();
    });
  });

  describe('repositoryFor', () => {
    test('gives the repository of a name, for a fleet\'s image', () => {
      // GIVEN the repositories and a Fargate fleet running the image of `runtime`
      const stack = newStack();
      const images = new McpImageRepositories(stack, 'Images', { servers: ['runtime'] });
      new McpServerFleet(stack, 'Fleet', {
        environment: 'production',
        servers: twoServers(),
        auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
        compute: FleetCompute.fargatePerServer({
          certificate: certificate(stack),
          image: ServerImage.fromEcrRepository(images.repositoryFor('runtime'), 'v1.4.2'),
        }),
      });
      const template = Template.fromStack(stack);

      // THEN the tasks run mcp-servers/runtime:v1.4.2 (the repository's URI, from its ARN)
      const [repoId] = Object.keys(repositories(template));
      const taskDefinitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
      expect(taskDefinitions.length).toBeGreaterThan(0);
      for (const td of taskDefinitions) {
        const image = JSON.stringify(td.Properties.ContainerDefinitions[0].Image);
        expect(image).toContain(repoId);
        expect(image).toContain(':v1.4.2');
      }
    });

    test('refuses a name it has no repository for, listing those it has', () => {
      const images = new McpImageRepositories(newStack(), 'Images', { servers: ['gitlab', 'runtime'] });
      expect(() => images.repositoryFor('atlassian'))
        .toThrow('TestStack/Images has no repository for "atlassian"; its repositories: mcp-servers/gitlab, mcp-servers/runtime');
    });
  });

  test('forFleet: one repository per server of the fleet', () => {
    const stack = newStack();
    const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: FleetCompute.lambdaPerServer() });
    const images = McpImageRepositories.forFleet(stack, 'Images', fleet, { pullAccounts: ['987654321098'] });
    expect(images.repositories.map((r) => r.node.id)).toEqual(['gitlab', 'gl-internal']);
    const template = Template.fromStack(stack);
    expect(Object.values(repositories(template)).map((r) => r.Properties.RepositoryName)).toEqual(['mcp-servers/gitlab', 'mcp-servers/gl-internal']);
    expect(images.repositoryFor('gl-internal')).toBe(images.repositories[1]);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'mcp-servers/gl-internal',
      RepositoryPolicyText: { Statement: [Match.objectLike({ Principal: { AWS: rootOf('987654321098') } })] },
    });
  });

  test('grantPullPush: push and pull on exactly the repositories, the registry login on *', () => {
    // GIVEN a CI role
    const stack = newStack();
    const images = new McpImageRepositories(stack, 'Images', { servers: ['gitlab', 'runtime'] });
    const role = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });

    // WHEN
    images.grantPullPush(role);

    // THEN
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string[] | string; Resource: unknown }>;
    const repoIds = Object.keys(repositories(Template.fromStack(stack)));
    const onRepos = statements.filter((s) => s.Resource !== '*');
    expect(onRepos.map((s) => s.Resource)).toEqual(repoIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    for (const statement of onRepos) {
      expect(statement.Action).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:PutImage', 'ecr:CompleteLayerUpload']));
    }
    const star = statements.filter((s) => s.Resource === '*');
    expect(star).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
  });

  test('cdk-nag AwsSolutions: zero findings', () => {
    // GIVEN the repositories with cross-account pulls, in an app of their own
    const app = new App();
    const stack = new Stack(app, 'Images', { env: { account: '123456789012', region: 'us-east-1' } });
    new McpImageRepositories(stack, 'Images', { servers: SPEC_SERVERS, pullAccounts: ['987654321098'], lambdaPulls: true });

    // WHEN AwsSolutions checks it
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);

    // THEN nothing, and nothing acknowledged either
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
    expect(app.node.findAll().flatMap((c) => c.node.metadata).filter((m) => /acknowledg/i.test(m.type))).toEqual([]);
  });
});
