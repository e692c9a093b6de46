import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validateEnvironmentSize } from './environment-size';
import { LAMBDA_NODE_RUNTIME, ResolvedLambdaOptions } from './options';
import { LambdaCodeConfig, LambdaPackaging } from './packaging';
import { acknowledgeRule } from '../../nag';
import type { FleetServerDescription, IFleetContext } from '../types';

/**
 * What Lambda needs to attach a function to a VPC, as `AWSLambdaVPCAccessExecutionRole` grants it
 * (without that policy's `logs:*` on every log group). EC2 supports no resource-level permission
 * for the Describe calls, and Lambda creates the interfaces in subnets it picks at run time.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export const LAMBDA_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface McpFunctionProps {
  readonly fleet: IFleetContext;
  readonly options: ResolvedLambdaOptions;
  /** The servers the function hosts: it may read exactly their secrets. */
  readonly servers: FleetServerDescription[];
  /** The runtime's variables. */
  readonly environment: Record<string, string>;
  readonly description: string;
  /** The security groups of a function in a VPC (the compute creates the default one once). */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A function running the bundled runtime, with its own log group and a role that can write to
 * that log group, read its servers' secrets and send X-Ray traces (and, in a VPC, manage its
 * network interfaces), and nothing else.
 */
export class McpFunction extends Construct {
  public readonly lambdaFunction: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: McpFunctionProps) {
    super(scope, id);
    const { fleet, options } = props;
    validateEnvironmentSize(fleet.scope.node.path, props.description, props.environment);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: fleet.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    for (const server of props.servers) fleet.grantSecretsRead(this.role, server.name);
    if (options.vpc) {
      // A role of our own gets none of the managed policies lambda.Function adds to the role it
      // creates, so the VPC permissions are added here, inline.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: LAMBDA_VPC_ACTIONS, resources: ['*'] }));
    }

    const code = lambdaCodeOf(props.servers, options);
    this.lambdaFunction = new lambda.Function(this, 'Function', {
      description: props.description,
      ...code,
      architecture: options.architecture,
      memorySize: options.memorySize,
      timeout: options.timeout,
      ephemeralStorageSize: options.ephemeralStorageSize,
      tracing: options.tracing ? lambda.Tracing.ACTIVE : undefined,
      reservedConcurrentExecutions: options.reservedConcurrency,
      environment: props.environment,
      logGroup: this.logGroup,
      role: this.role,
      vpc: options.vpc,
      vpcSubnets: options.vpc ? options.vpcSubnets : undefined,
      securityGroups: options.vpc ? props.securityGroups : undefined,
    });

    const starReasons = [
      options.tracing ? 'X-Ray PutTraceSegments and PutTelemetryRecords' : undefined,
      options.vpc ? `the network-interface actions of a function in a VPC (${LAMBDA_VPC_ACTIONS.join(', ')})` : undefined,
    ].filter((r): r is string => r !== undefined);
    if (starReasons.length > 0) {
      acknowledgeRule(this.role, 'AwsSolutions-IAM5[Resource::*]',
        `${starReasons.join(' and ')} do not support resource-level permissions; they are the only statements of this role `
        + 'on `*` (the log group, secrets and keys are named exactly).');
    }
    if (code.runtime === LAMBDA_NODE_RUNTIME) {
      acknowledgeRule(this.lambdaFunction, 'AwsSolutions-L1',
        `The bundled MCP runtime is built and tested for ${LAMBDA_NODE_RUNTIME.name}, the runtime the design fixes; `
        + 'the default moves to a newer Node.js once the runtime is tested on it.');
    }
  }
}

/** The bundled runtime as the compute packages it, or a custom server's own code (which wins). */
function lambdaCodeOf(servers: FleetServerDescription[], options: ResolvedLambdaOptions): LambdaCodeConfig {
  const custom = servers.length === 1 ? servers[0].custom : undefined;
  if (!custom) return (options.packaging ?? LambdaPackaging.zip())._code(options.architecture);
  const code = custom.artifact._lambdaCode();
  if (!code) {
    throw new Error(`Custom server ${JSON.stringify(servers[0].name)} has a ${custom.artifact.kind} artifact; a Lambda topology runs Lambda code: `
      + 'use ServerArtifact.fromLambdaCode() (a zip, or lambda.Code.fromAssetImage / fromEcrImage), or a Fargate topology');
  }
  return code;
}

/**
 * The default security group of a Lambda compute in a VPC: outbound HTTPS only, no inbound
 * (API Gateway invokes the functions through Lambda's API, not the network).
 */
export function httpsOnlySecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc, description: string): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the upstream APIs, Secrets Manager and X-Ray');
  return group;
}
