import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../../examples/github/deploy-access';
import '../helpers';

const stackOf = (app: App, id: string) => Template.fromStack(app.node.findChild(id) as Stack);

describe('examples/github/deploy-access.ts', () => {
  test('the deploy role trusts the repository\'s production environment only, in a stack of its own', () => {
    const app = buildApp(new App({ context: { githubRepository: 'acme/mcp' } }));
    const access = stackOf(app, 'McpDeployAccess');
    access.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: { Ref: Object.keys(access.findResources('AWS::IAM::OIDCProvider'))[0] } },
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/mcp:environment:production'] },
          },
        }],
      },
    });
    // A Lambda fleet gives the role nothing of its own: no reference ties the two stacks.
    expect(JSON.stringify(access.toJSON())).not.toContain('Fn::ImportValue');
    stackOf(app, 'McpServers').resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  test('an existing provider is trusted by its ARN (-c githubOidcProviderArn)', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const access = stackOf(buildApp(new App({ context: { githubOidcProviderArn: arn } })), 'McpDeployAccess');
    access.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(JSON.stringify(access.toJSON())).toContain(arn);
  });

  test('cdk-nag AwsSolutions: zero unacknowledged findings in both stacks', () => {
    const app = buildApp(new App());
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});
