import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FleetCompute, McpServerFleet } from '../../../../src';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, asList, gitlabFleet, newStack, policyStatements, twoServers } from '../../helpers';
import { expectLeastPrivilege } from '../least-privilege';

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
          AUTH_MODE: 'gateway',
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

  test('the function, its role, the HTTP API and the stage carry Type=multi-server (spec A.6) with the fleet tags', () => {
    const { template } = multiFleet();
    const tagged = (props: { Tags?: unknown }) => {
      const tags = props.Tags;
      // Lambda and IAM take a list of {Key, Value}; API Gateway v2 a map
      return Array.isArray(tags) ? Object.fromEntries(tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value])) : tags;
    };
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(tagged(r.Properties)).toMatchObject({ Type: 'multi-server', Application: 'mcp-servers', Environment: 'production' });
    }
  });

  test('one invoke permission, scoped to the API (the spec\'s execution_arn/*/*), whatever the number of servers', () => {
    const { template } = multiFleet();
    // one statement per route would put three per server into the function policy (Lambda caps it at 20 KB)
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: {
        'Fn::Join': ['', Match.arrayWith([
          { Ref: Match.stringLikeRegexp('LambdaMultiServerHttpApi') },
          '/*/*/*',
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
    expect(compute.functionFor('gitlab')).toBe(compute.functionFor('gl-internal'));
    expect(fleet.logGroupFor('gitlab')).toBe(fleet.logGroupFor('gl-internal'));
    expect(compute.httpApi).toBeDefined();
    expect(compute.stage).toBeDefined();
    expect(compute.accessLogGroup).toBeDefined();
    expect(fleet.compute).toBe(compute);
  });

  test('no statement allows `*` except X-Ray', () => {
    const { template } = multiFleet();
    for (const { statement } of policyStatements(template)) {
      if (asList(statement.Resource).includes('*')) expect(statement.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    }
    expectLeastPrivilege(template);
  });
});
