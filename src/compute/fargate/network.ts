import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The spec's address plan (B.5): public 10.0.1-3.0/24 (ALB, NAT), private 10.0.10-12.0/24 (tasks). */
export const SPEC_VPC_CIDR = '10.0.0.0/16';
const PUBLIC_SUBNET_CIDRS = ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'];
const PRIVATE_SUBNET_CIDRS = ['10.0.10.0/24', '10.0.11.0/24', '10.0.12.0/24'];

export interface FleetVpcProps {
  readonly natGateways: number;
  readonly endpoints: boolean;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The VPC of spec B.5: three zones, a public and a private subnet in each at the spec's
 * addresses, NAT for the tasks' egress, flow logs, and optionally the endpoints that keep image
 * pulls, secret reads and logs off the NAT gateway.
 */
export class FleetVpc extends Construct {
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: FleetVpcProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(SPEC_VPC_CIDR),
      maxAzs: 3,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: props.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    // ec2.Vpc allocates /24s one after another (10.0.0-2 public, 10.0.3-5 private); the spec
    // places them at 10.0.1-3 and 10.0.10-12, which is what people reading the template expect.
    // Only known zone counts are renumbered: an environment-agnostic stack has two zones.
    const renumber = (subnets: ec2.ISubnet[], cidrs: string[]) => subnets.forEach((subnet, i) => {
      const cfn = subnet.node.defaultChild as ec2.CfnSubnet | undefined;
      if (cfn && cidrs[i]) cfn.cidrBlock = cidrs[i];
    });
    renumber(this.vpc.publicSubnets, PUBLIC_SUBNET_CIDRS);
    renumber(props.natGateways > 0 ? this.vpc.privateSubnets : this.vpc.isolatedSubnets, PRIVATE_SUBNET_CIDRS);
    // The VPC's record of who talked to whom (cdk-nag VPC7), kept as long as the fleet's logs.
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    if (props.endpoints) {
      this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      const interfaces: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
        ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
        ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
        ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
        ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
      ];
      for (const [name, service] of interfaces) {
        // HTTPS from the private subnets, where the tasks are (not the whole VPC: the public
        // subnets hold only the load balancer and the NAT gateways, which never call these).
        const endpoint = this.vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, open: false });
        for (const cidr of PRIVATE_SUBNET_CIDRS) endpoint.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from the private subnet ${cidr}`);
      }
    }
  }
}
