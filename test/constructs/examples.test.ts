import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import './helpers';
import { buildApp as buildMultiServer, LambdaMultiServerStack } from '../../examples/lambda-multi-server';
import { buildApp as buildPerServer, LambdaPerServerStack } from '../../examples/lambda-per-server';

describe('examples synthesize', () => {
  test('lambda-per-server: one function per server behind a REST API', () => {
    // GIVEN / WHEN
    const app = buildPerServer(new App());
    const assembly = app.synth();

    // THEN
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['McpServersLambdaPerServer']);
    const stack = app.node.children.find((c): c is LambdaPerServerStack => c instanceof LambdaPerServerStack)!;
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    // real auth: a Cognito user pool whose authorizer guards the MCP methods
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AUTH_MODE: 'oauth',
          SERVER_NAME: 'gitlab',
          GITLAB_TOKEN_SECRET_ARN: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':secret:mcp/gitlab-token#token$')])] },
        }),
      },
    });
  });

  test('lambda-per-server reads its secret by complete ARN and origins from context', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-AbCdEf';
    const app = buildPerServer(new App({ context: { gitlabTokenSecretArn: arn, allowedOrigins: 'https://a.example.com, https://b.example.com', environment: 'staging' } }));
    const stack = app.node.children.find((c): c is LambdaPerServerStack => c instanceof LambdaPerServerStack)!;
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GITLAB_TOKEN_SECRET_ARN: `${arn}#token`,
          ALLOWED_ORIGINS: 'https://a.example.com,https://b.example.com',
          ENVIRONMENT: 'staging',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'staging' });
  });

  test('lambda-multi-server: one function for two GitLab servers behind an HTTP API', () => {
    const app = buildMultiServer(new App({
      context: { internalGitLabUrl: 'https://gitlab.internal.example.com/api/v4', oauthIssuer: 'https://login.example.com/oauth2/default' },
    }));
    app.synth();
    const stack = app.node.children.find((c): c is LambdaMultiServerStack => c instanceof LambdaMultiServerStack)!;
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Environment: {
        Variables: Match.objectLike({
          MCP_SERVERS: 'gitlab,gitlab-internal:gitlab',
          GITLAB_INTERNAL_API_URL: 'https://gitlab.internal.example.com/api/v4',
          GITLAB_INTERNAL_ALLOW_WRITES: 'true',
          AUTH_MODE: 'oauth',
          AUTH_ISSUER: 'https://login.example.com/oauth2/default',
          AUTH_WRITE_SCOPES: 'mcp:write',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: Match.objectLike({ Issuer: 'https://login.example.com/oauth2/default' }),
    });
    expect(stack.fleet.servers.map((s) => s.name)).toEqual(['gitlab', 'gitlab-internal']);
  });

  test('lambda-multi-server enables writes, so it refuses to synthesize without an issuer', () => {
    expect(() => buildMultiServer(new App())).toThrow(/-c oauthIssuer=https:\/\/<your issuer>/);
  });
});
