import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FleetCompute, IFleetCompute, LambdaComputeOptions, McpServerFleet } from '../../../../src';
import { asList, newStack, policyStatements, twoServers } from '../../helpers';

const TOPOLOGIES: Array<[string, (props: LambdaComputeOptions) => IFleetCompute, number]> = [
  ['lambdaPerServer', (props) => FleetCompute.lambdaPerServer(props), 2],
  ['lambdaMultiServer', (props) => FleetCompute.lambdaMultiServer(props), 1],
];

/** A VPC with two private subnets, imported (no resources of its own in the template). */
function privateVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
  });
}

describe.each(TOPOLOGIES)('FleetCompute.%s in a VPC', (_name, compute, functions) => {
  test('the functions run in the VPC\'s private subnets with one security group that allows HTTPS out only', () => {
    // GIVEN a self-managed GitLab reachable only from the VPC
    const stack = newStack();
    const vpc = privateVpc(stack);

    // WHEN
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute({ vpc }) });
    const template = Template.fromStack(stack);

    // THEN every function is attached to the private subnets and the one created group
    template.resourceCountIs('AWS::Lambda::Function', functions);
    template.allResourcesProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SecurityGroup'), 'GroupId'] }],
      },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.stringLikeRegexp('HTTPS') }],
    });
  });

  test('each role may manage the function\'s network interfaces (what AWSLambdaVPCAccessExecutionRole grants, without its logs:*)', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute({ vpc: privateVpc(stack) }) });
    const template = Template.fromStack(stack);

    const eni = policyStatements(template).filter(({ statement }) => asList(statement.Action).some((a: string) => a.startsWith('ec2:')));
    expect(eni).toHaveLength(functions);
    for (const { statement } of eni) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      });
    }
    // no managed policy on the function roles
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    });
    for (const role of Object.values(roles)) expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('given subnets and security groups are used, and no group is created', () => {
    const stack = newStack();
    const vpc = privateVpc(stack);
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    new McpServerFleet(stack, 'Fleet', {
      environment: 'production',
      servers: twoServers(),
      compute: compute({ vpc, vpcSubnets: { subnets: [vpc.privateSubnets[1]] }, securityGroups: [group] }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.allResourcesProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0bbbbbbbbbbbbbbbb'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
  });

  test('zero unacknowledged cdk-nag findings, with tracing on and off', () => {
    for (const tracing of [true, false]) {
      const stack = newStack();
      new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute({ vpc: privateVpc(stack), tracing }) });
      const findings = (checks: AwsSolutionsChecks) => checks.validateScope(stack).violations
        .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
      expect(findings(new AwsSolutionsChecks())).toEqual([]);
      // (the checks do look: with acknowledgements ignored, the role's `*` statements are found)
      const unacknowledging = new AwsSolutionsChecks();
      (unacknowledging as any).isAcknowledged = () => false;
      expect(findings(unacknowledging)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] at .*\/Role\//)]));
    }
  });

  test('without a VPC the functions have no VpcConfig and no ENI permission', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: twoServers(), compute: compute({}) });
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    expect(policyStatements(template).some(({ statement }) => asList(statement.Action).some((a: string) => a.startsWith('ec2:')))).toBe(false);
  });

  test('subnets or security groups without a VPC are refused, naming the prop', () => {
    const stack = newStack();
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    const build = (props: LambdaComputeOptions) => () => new McpServerFleet(newStack(), 'Fleet', {
      environment: 'production', servers: twoServers(), compute: compute(props),
    });
    expect(build({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow('`vpcSubnets` needs `vpc`: set the VPC the subnets belong to, or leave `vpcSubnets` out');
    expect(build({ securityGroups: [group] }))
      .toThrow('`securityGroups` needs `vpc`: set the VPC the 1 security group(s) belong to, or leave `securityGroups` out');
    expect(build({ vpc: privateVpc(newStack()), securityGroups: [] })).toThrow(/`securityGroups` must list at least one security group, got: \[\]/);
  });
});
