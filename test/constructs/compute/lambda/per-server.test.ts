import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FleetAuth, FleetCompute, McpServerFleet } from '../../../../src';
import { GITLAB_SECRET_ARN, INTERNAL_SECRET_ARN, asList, gitlabFleet, newStack, policyStatements, twoServers } from '../../helpers';
import { expectLeastPrivilege } from '../least-privilege';

describe('FleetCompute.lambdaPerServer: functions (spec A.1)', () => {
  test('each server gets a function with the spec runtime settings', () => {
    // GIVEN / WHEN a fleet of two servers with the defaults
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: FleetCompute.lambdaPerServer() });
    const template = Template.fromStack(stack);

    // THEN one function per server: Node.js 22, arm64, 256 MB, 29 s, 512 MB /tmp, X-Ray active
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 29,
      EphemeralStorage: { Size: 512 },
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
    });
    // Each function, its role and its log group carry the server's name as a tag (cost allocation).
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup']) {
      const tagged = Object.values(template.findResources(type))
        .map((r: any) => (r.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.find((t) => t.Key === 'Server')?.Value)
        .filter((v) => v !== undefined)
        .sort();
      expect({ type, tagged }).toEqual({ type, tagged: ['gitlab', 'gl-internal'] });
    }
  });

  test('the single-server environment names the server, its settings and its secret', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'staging', servers: twoServers(), compute: FleetCompute.lambdaPerServer() });
    const template = Template.fromStack(stack);

    // THEN gitlab: name == kind, so no SERVER_KIND; the JSON field follows the ARN after '#'
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectEquals({
          SERVER_NAME: 'gitlab',
          LOG_LEVEL: 'info',
          ENVIRONMENT: 'staging',
          AUTH_MODE: 'gateway', // the default FleetAuth.iam(): API Gateway authenticated the caller
          POWERTOOLS_SERVICE_NAME: 'mcp-gitlab',
          GITLAB_API_URL: 'https://gitlab.com/api/v4',
          GITLAB_TOKEN_SECRET_ARN: `${GITLAB_SECRET_ARN}#token`,
        }),
      },
    });
    // THEN gl-internal: its kind, its prefix, writes on, a bare-value secret
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectEquals({
          SERVER_NAME: 'gl-internal',
          SERVER_KIND: 'gitlab',
          LOG_LEVEL: 'info',
          ENVIRONMENT: 'staging',
          AUTH_MODE: 'gateway',
          POWERTOOLS_SERVICE_NAME: 'mcp-gl-internal',
          GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
          GL_INTERNAL_ALLOW_WRITES: 'true',
          GL_INTERNAL_TOKEN_SECRET_ARN: INTERNAL_SECRET_ARN,
        }),
      },
    });
  });

  test('allowed origins and the secret cache reach the runtime', () => {
    // GIVEN / WHEN
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer({ secretCacheTtl: Duration.minutes(10), logLevel: 'DEBUG' }), {
      allowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
    });

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com',
          SECRET_CACHE_TTL_SECONDS: '600',
          LOG_LEVEL: 'debug',
        }),
      },
    });
  });

  test('without allowed origins ALLOWED_ORIGINS is absent (no cross-origin calls)', () => {
    const { template } = gitlabFleet();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_ORIGINS: Match.absent(), SECRET_CACHE_TTL_SECONDS: Match.absent() }) },
    });
  });

  test('every default can be overridden', () => {
    // GIVEN / WHEN
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer({
      memorySize: 512,
      timeout: Duration.seconds(20),
      architecture: lambda.Architecture.X86_64,
      ephemeralStorageSize: Size.gibibytes(1),
      reservedConcurrency: 10,
      tracing: false,
    }));

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 20,
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 1024 },
      ReservedConcurrentExecutions: 10,
      TracingConfig: Match.absent(),
    });
    // THEN without tracing there is no X-Ray permission and the stage does not trace
    for (const { statement } of policyStatements(template)) {
      expect(asList(statement.Action).some((a: string) => a.startsWith('xray:'))).toBe(false);
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
  });

  test('each function logs to its own log group kept for 30 days', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    // THEN two function log groups, the access log group and the execution log group, all with the fleet's retention
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the stage\'s execution logs go to a log group created first, with the fleet\'s retention', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'staging', servers: twoServers(), logRetention: logs.RetentionDays.ONE_WEEK });
    const template = Template.fromStack(stack);

    // THEN API Gateway finds API-Gateway-Execution-Logs_<api id>/<stage> in place, with a retention
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('Api') }, '/staging']] } },
    });
    expect(Object.keys(groups)).toHaveLength(1);
    const [id, group] = Object.entries(groups)[0];
    expect(group.Properties.RetentionInDays).toBe(7);
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(1);
    expect(stages[0].DependsOn).toContain(id);
  });
});

describe('FleetCompute.lambdaPerServer: IAM (spec A.3)', () => {
  test('a role reads only its own log group, its own secret and X-Ray', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    // THEN the gitlab role: logs on its log group, GetSecretValue on exactly its secret, X-Ray
    const gitlabPolicy = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('LambdaPerServergitlabRole') }] },
    }));
    expect(gitlabPolicy).toHaveLength(1);
    expect((gitlabPolicy[0] as any).Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/LambdaPerServergitlabLogGroup/), 'Arn'] },
      },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: GITLAB_SECRET_ARN },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    // THEN gl-internal's role does not name gitlab's secret
    const internalPolicy = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('LambdaPerServerglinternalRole') }] },
    }));
    const internalResources = (internalPolicy[0] as any).Properties.PolicyDocument.Statement.flatMap((s: any) => asList(s.Resource));
    expect(internalResources).toContain(INTERNAL_SECRET_ARN);
    expect(internalResources).not.toContain(GITLAB_SECRET_ARN);
  });

  test('no statement allows `*` except X-Ray, and function roles carry no managed policy', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    for (const { statement } of policyStatements(template)) {
      if (asList(statement.Resource).includes('*')) {
        expect(statement.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
      }
      expect(asList(statement.Action).every((a: string) => !a.endsWith('*'))).toBe(true);
    }
    const lambdaRoles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    });
    expect(Object.keys(lambdaRoles)).toHaveLength(2);
    for (const role of Object.values(lambdaRoles)) expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
    expectLeastPrivilege(template);
  });

  test('API Gateway invokes each function only through that function\'s methods', () => {
    const { template } = gitlabFleet();
    // POST /gitlab, POST /gitlab/mcp, OPTIONS on both (proxied, no allowed origins), GET /gitlab/health; no test-invoke
    template.resourceCountIs('AWS::Lambda::Permission', 5);
    template.allResourcesProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      // arn:...:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>
      SourceArn: {
        'Fn::Join': ['', Match.arrayWith([
          { Ref: Match.stringLikeRegexp('LambdaPerServerApi[0-9A-F]{8}$') },
          { Ref: Match.stringLikeRegexp('DeploymentStageproduction') },
          Match.stringLikeRegexp('^/(POST|OPTIONS|GET)/gitlab(/mcp|/health)?$'),
        ])],
      },
    });
  });
});

describe('FleetCompute.lambdaPerServer: REST API (spec A.2)', () => {
  test('one regional REST API with /<server>, /<server>/mcp and /<server>/health', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    for (const part of ['gitlab', 'gl-internal', 'mcp', 'health']) {
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: part });
    }
    template.resourceCountIs('AWS::ApiGateway::Resource', 6);
    // POST x2, OPTIONS x2, GET x1 per server
    template.resourceCountIs('AWS::ApiGateway::Method', 10);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
  });

  test('POST is a Lambda proxy integration whose JSON body is validated', () => {
    const { template } = gitlabFleet();

    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ type: ['object', 'array'] }),
    });
    const posts = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
    expect(Object.keys(posts)).toHaveLength(2);
    for (const post of Object.values(posts)) {
      expect((post as any).Properties).toMatchObject({
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: { Ref: expect.stringMatching(/BodyValidator/) },
        RequestModels: { 'application/json': { Ref: expect.stringMatching(/JsonRpcMessage/) } },
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_BODY', StatusCode: '400' });
  });

  test('FleetAuth.apiKeys() makes the MCP methods require a key', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer(), { auth: FleetAuth.apiKeys() });
    const posts = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST', ApiKeyRequired: true } });
    expect(Object.keys(posts)).toHaveLength(2);
  });

  test('the stage is named after the environment, throttled, logged, metered and traced; no data trace', () => {
    const { template } = gitlabFleet();

    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'production',
      TracingEnabled: true,
      MethodSettings: [{
        ResourcePath: '/*',
        HttpMethod: '*',
        ThrottlingBurstLimit: 5000,
        ThrottlingRateLimit: 1000,
        LoggingLevel: 'INFO',
        DataTraceEnabled: false,
        MetricsEnabled: true,
      }],
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
    // THEN the account-level CloudWatch role execution logging needs
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('data trace, throttling and the CloudWatch role are props', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer({
      dataTraceEnabled: true,
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      cloudWatchRole: false,
    }));
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ DataTraceEnabled: true, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('a usage plan carries the monthly quota of 1,000,000 and the throttle', () => {
    const { template } = gitlabFleet();
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Quota: { Limit: 1000000, Period: 'MONTH' },
      Throttle: { BurstLimit: 5000, RateLimit: 1000 },
      ApiStages: [Match.objectLike({ Stage: { Ref: Match.stringLikeRegexp('DeploymentStageproduction') } })],
    });
  });

  test('the quota is a prop', () => {
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer({ monthlyQuota: 5000 }));
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Quota: { Limit: 5000, Period: 'MONTH' } });
  });
});

describe('FleetCompute.lambdaPerServer: CORS', () => {
  test('with allowed origins API Gateway answers the preflight itself (mock), spec methods and headers', () => {
    const { template } = gitlabFleet(undefined, { allowedOrigins: ['https://app.example.com'] });

    const options = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } });
    expect(Object.keys(options)).toHaveLength(2);
    for (const method of Object.values(options)) {
      const integration = (method as any).Properties.Integration;
      expect(integration.Type).toBe('MOCK');
      const params = integration.IntegrationResponses[0].ResponseParameters;
      expect(params['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
      expect(params['method.response.header.Access-Control-Allow-Methods']).toBe("'POST,OPTIONS'");
      expect(params['method.response.header.Access-Control-Allow-Headers']).toBe(
        "'Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,Mcp-Protocol-Version,Mcp-Session-Id,Last-Event-ID'");
      expect(params['method.response.header.Access-Control-Max-Age']).toBe("'3600'");
    }
  });

  test('without allowed origins OPTIONS still exists and the function answers it', () => {
    const { template } = gitlabFleet();
    const options = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } });
    expect(Object.keys(options)).toHaveLength(2);
    for (const method of Object.values(options)) {
      expect((method as any).Properties.Integration.Type).toBe('AWS_PROXY');
    }
  });
});

describe('FleetCompute.lambdaPerServer: CORS on API Gateway\'s own answers', () => {
  const CORS_TYPES = ['DEFAULT_4XX', 'DEFAULT_5XX', 'BAD_REQUEST_BODY'];

  function gatewayResponses(template: Template): Record<string, any> {
    return Object.fromEntries(Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))
      .map((r: any) => [r.Properties.ResponseType, r.Properties]));
  }

  test('with one allowed origin, every 4XX and 5XX API Gateway answers itself names it (validator 400, 403, 429, 5XX)', () => {
    // GIVEN / WHEN
    const { template } = gitlabFleet(FleetCompute.lambdaPerServer(), { auth: FleetAuth.apiKeys(), allowedOrigins: ['https://app.example.com'] });

    // THEN DEFAULT_4XX covers every 4XX type not configured on its own (THROTTLED and QUOTA_EXCEEDED 429,
    // API_KEY and MISSING_AUTHENTICATION_TOKEN 403...); the validator's 400 is configured, so it carries them too
    const responses = gatewayResponses(template);
    for (const type of CORS_TYPES) {
      expect(responses[type]?.ResponseParameters).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Access-Control-Allow-Headers':
          "'Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,Mcp-Protocol-Version,Mcp-Session-Id,Last-Event-ID'",
        'gatewayresponse.header.Access-Control-Allow-Methods': "'POST,OPTIONS'",
      });
    }
    // the parse error keeps its JSON-RPC body
    expect(responses.BAD_REQUEST_BODY.ResponseTemplates['application/json']).toMatch(/-32700/);
  });

  test('with `*` the answers allow any origin', () => {
    const { template } = gitlabFleet(undefined, { allowedOrigins: ['*'] });
    for (const type of CORS_TYPES) {
      expect(gatewayResponses(template)[type].ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'*'");
    }
  });

  test('with several origins the answers echo the request\'s Origin and vary on it', () => {
    const { template } = gitlabFleet(undefined, { allowedOrigins: ['https://a.example.com', 'https://b.example.com'] });
    for (const type of CORS_TYPES) {
      expect(gatewayResponses(template)[type].ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
  });

  test('without allowed origins no answer carries CORS headers', () => {
    const { template } = gitlabFleet();
    const responses = gatewayResponses(template);
    expect(Object.keys(responses)).toEqual(['BAD_REQUEST_BODY']);
    expect(responses.BAD_REQUEST_BODY.ResponseParameters).toBeUndefined();
  });
});

describe('FleetCompute.lambdaPerServer: after construction', () => {
  test('the compute exposes its REST API, usage plan and access log group', () => {
    const compute = FleetCompute.lambdaPerServer();
    expect(compute.restApi).toBeUndefined();
    const { fleet, template } = gitlabFleet(compute);
    expect(compute.restApi).toBeDefined();
    expect(compute.usagePlan).toBeDefined();
    expect(compute.accessLogGroup).toBeDefined();
    expect(fleet.compute).toBe(compute);
    template.hasOutput('*', { Description: 'API Gateway ID', Value: { Ref: Match.stringLikeRegexp('LambdaPerServerApi') } });
  });

  test('a compute serves one fleet only', () => {
    const compute = FleetCompute.lambdaPerServer();
    gitlabFleet(compute);
    expect(() => gitlabFleet(compute)).toThrow(/one fleet only/);
  });
});
