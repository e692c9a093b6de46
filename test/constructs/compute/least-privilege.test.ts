import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { expectLeastPrivilege, leastPrivilegeProblems } from './least-privilege';
import { FleetCompute, IFleetCompute, LambdaComputeOptions, McpServer, McpServerFleet, ServerCredential } from '../../../src';
import { newStack, twoServers } from '../helpers';

const TOPOLOGIES: Array<[string, (props?: LambdaComputeOptions) => IFleetCompute]> = [
  ['lambdaPerServer', (props) => FleetCompute.lambdaPerServer(props)],
  ['lambdaMultiServer', (props) => FleetCompute.lambdaMultiServer(props)],
];

describe.each(TOPOLOGIES)('Least privilege: FleetCompute.%s', (_name, compute) => {
  test('secrets by complete ARN, by name (partial ARN) and created in the app', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: [
        ...twoServers(),
        McpServer.gitlab({ name: 'by-name', token: ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'mcp/t')) }),
        McpServer.gitlab({ name: 'created', token: ServerCredential.fromSecret(new secretsmanager.Secret(stack, 'Created'), 'token') }),
      ],
      compute: compute(),
    });
    expectLeastPrivilege(Template.fromStack(stack));
  });

  test('in a VPC (the network-interface actions on *)', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute({ vpc }) });
    expectLeastPrivilege(Template.fromStack(stack));
  });
});

describe('Least privilege: the assertions can fail', () => {
  function problemsWith(statement: iam.PolicyStatement): string[] {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const role = new iam.Role(stack, 'Extra', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(statement);
    return leastPrivilegeProblems(Template.fromStack(stack));
  }

  test('nothing to check is a problem', () => {
    expect(leastPrivilegeProblems(Template.fromStack(newStack()))).toEqual(['the template has no IAM policy statement to check']);
  });

  test.each([
    ['DescribeSecret beside GetSecretValue', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      ['arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/t-AbCdEf'], /only secretsmanager:GetSecretValue/],
    ['a secret wildcard', ['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/*'], /not a complete secret ARN/],
    ['an action wildcard', ['secretsmanager:Get*'], ['arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/t-AbCdEf'], /action wildcard/],
    ['* beyond the listed actions', ['logs:PutLogEvents'], ['*'], /on \* although logs:PutLogEvents support resource-level/],
  ])('%s is found', (_what, actions, resources, problem) => {
    expect(problemsWith(new iam.PolicyStatement({ actions, resources }))).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  test('logs on a log group the role\'s user does not write to are found', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers() });
    const other = new logs.LogGroup(stack, 'Other');
    const role = stack.node.findAll().find((c) => c instanceof iam.Role && c.node.path.endsWith('LambdaPerServer/gitlab/Role')) as iam.Role;
    other.grantWrite(role);
    expect(leastPrivilegeProblems(Template.fromStack(stack))).toEqual([expect.stringMatching(/logs on .*Other.* not the own log group/)]);
  });
});
