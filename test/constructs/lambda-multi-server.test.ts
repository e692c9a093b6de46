import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, asList, gitlabFleet, newStack, policyStatements, twoServers } from './helpers';
import { FleetCompute, McpServerFleet } from '../../src';

function multiFleet(props: { allowedOrigins?: string[] } = {}) {
  const stack = newStack();
  const compute = FleetCompute.lambdaMultiServer();
  const fleet = new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute, ...props });
  return { stack, fleet, compute, template: Template.fromStack(stack) };
}

describe('FleetCompute.lambdaMultiServer: the function (spec A.6)', () => {
  test('one function hosts every server: 1024 MB, 29 s, arm64, 512 MB /tmp, X-Ray', () => {
    const { template } = multiFleet();
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 29,
      Architectures: ['arm64'],
      EphemeralStorage: { Size: 512 },
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('MCP_SERVERS lists name[:kind] and each server keeps its own prefix', () => {
    const { template } = multiFleet({ allowedOrigins: ['*'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectEquals({
          MCP_SERVERS: 'gitlab,gl-internal:gitlab',
          LOG_LEVEL: 'info',
          ENVIRONMENT: 'production',
          ALLOWED_ORIGINS: '*',
          POWERTOOLS_SERVICE_NAME: 'mcp-servers',
          GITLAB_API_URL: 'https://gitlab.com/api/v4',
          GITLAB_TOKEN_SECRET_ARN: `${GITLAB_SECRET_ARN}#token`,
          GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
          GL_INTERNAL_ALLOW_WRITES: 'true',
          GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
        }),
      },
    });
  });

  test('its role reads every server\'s secret and nothing else', () => {
    const { template } = multiFleet();
    const statements = policyStatements(template).map((p) => p.statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/LambdaMultiServerServersLogGroup/), 'Arn'] },
      },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: GITLAB_SECRET_ARN },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: INTERNAL_SECRET_ARN },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
  });

  test('timeout may reach 30 s behind the HTTP API', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaMultiServer({ timeout: Duration.seconds(30), memorySize: 2048 }));
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 30, MemorySize: 2048 });
  });
});

describe('FleetCompute.lambdaMultiServer: HTTP API (spec A.6)', () => {
  test('routes POST /<server>, POST /<server>/{proxy+}, GET /<server>/health and GET /health', () => {
    const { template } = multiFleet();
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => r.Properties.RouteKey).sort();
    expect(routeKeys).toEqual([
      'GET /gitlab/health',
      'GET /gl-internal/health',
      'GET /health',
      'POST /gitlab',
      'POST /gitlab/{proxy+}',
      'POST /gl-internal',
      'POST /gl-internal/{proxy+}',
    ]);
    // one Lambda proxy integration, payload 2.0
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  test('a $default stage auto-deploys, is throttled and writes access logs', () => {
    const { template } = multiFleet();
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 1000 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.routeKey'),
      },
    });
  });

  test('invoke permissions are scoped to the API and its routes', () => {
    const { template } = multiFleet();
    template.resourceCountIs('AWS::Lambda::Permission', 7);
    template.allResourcesProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: {
        'Fn::Join': ['', Match.arrayWith([
          { Ref: Match.stringLikeRegexp('LambdaMultiServerHttpApi') },
          Match.stringLikeRegexp('^/\\*/\\*/(gitlab|gl-internal|health)'),
        ])],
      },
    });
  });

  test('with allowed origins the HTTP API answers CORS with the spec methods and the MCP headers', () => {
    const { template } = multiFleet({ allowedOrigins: ['https://app.example.com'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowMethods: ['POST', 'OPTIONS'],
        AllowHeaders: [
          'Content-Type', 'Authorization', 'X-Amz-Date', 'X-Api-Key', 'X-Amz-Security-Token',
          'Mcp-Protocol-Version', 'Mcp-Session-Id', 'Last-Event-ID',
        ],
        MaxAge: 3600,
      },
    });
  });

  test('endpoints are <api endpoint>/<server>/mcp', () => {
    const { stack, fleet } = multiFleet();
    expect(stack.resolve(fleet.endpointFor('gl-internal'))).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/HttpApi/), 'ApiEndpoint'] }, '/gl-internal/mcp']],
    });
  });

  test('every server maps to the one function and log group', () => {
    const { fleet, compute } = multiFleet();
    expect(fleet.functionFor('gitlab')).toBe(fleet.functionFor('gl-internal'));
    expect(fleet.logGroupFor('gitlab')).toBe(fleet.logGroupFor('gl-internal'));
    expect(compute.httpApi).toBeDefined();
    expect(compute.stage).toBeDefined();
    expect(compute.accessLogGroup).toBeDefined();
    expect(fleet.apiId).toBe(compute.httpApi!.apiId);
  });

  test('no statement allows `*` except X-Ray', () => {
    const { template } = multiFleet();
    for (const { statement } of policyStatements(template)) {
      if (asList(statement.Resource).includes('*')) expect(statement.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    }
  });
});
