import { FargateMultiServerCompute, FargateMultiServerProps } from './fargate/multi-server';
import { FargatePerServerCompute, FargatePerServerProps } from './fargate/per-server';
import { LambdaMultiServerCompute, LambdaMultiServerProps } from './lambda/multi-server';
import { LambdaPerServerCompute, LambdaPerServerProps } from './lambda/per-server';

/**
 * The built-in topologies of a fleet. Each returns an `IFleetCompute` that, once the fleet is
 * built, also gives the handles of what it built (`restApi`, `functionFor(...)`...); implement
 * `IFleetCompute` for a topology of your own.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import { FleetCompute, McpServer, McpServerFleet } from 'mcp-server-fleet';
 *
 * declare const stack: Stack;
 * declare const vpc: ec2.IVpc;
 *
 * // One function per server, in the VPC where a self-managed GitLab answers
 * const compute = FleetCompute.lambdaPerServer({ memorySize: 512, vpc });
 * new McpServerFleet(stack, 'Fleet', {
 *   environment: 'production',
 *   servers: [McpServer.gitlab({ apiUrl: 'https://gitlab.internal.example.com/api/v4' })],
 *   compute,
 * });
 * compute.restApi?.deploymentStage.stageArn; // e.g. to associate a WAF web ACL
 */
export class FleetCompute {
  /**
   * One Lambda function per server behind one regional REST API, with a usage plan.
   *
   * @param props memory (256 MB), timeout (29 s), throttling (1000 rps, burst 5000), monthly quota (1,000,000)... see LambdaPerServerProps for every default
   */
  public static lambdaPerServer(props: LambdaPerServerProps = {}): LambdaPerServerCompute {
    return new LambdaPerServerCompute(props);
  }

  /**
   * One Lambda function hosting every server behind an HTTP API.
   *
   * @param props memory (1024 MB), timeout (29 s), throttling (1000 rps, burst 5000)... see LambdaMultiServerProps for every default
   */
  public static lambdaMultiServer(props: LambdaMultiServerProps = {}): LambdaMultiServerCompute {
    return new LambdaMultiServerCompute(props);
  }

  /**
   * One ECS Fargate service per server behind one application load balancer (HTTPS), each with
   * its own target group, listener rule and scaling.
   *
   * @param props a `certificate` or `domainName` (required: the ALB serves HTTPS only); tasks of 256 CPU / 512 MiB, ARM64, 2 to 10 per server... see FargatePerServerProps for every default
   */
  public static fargatePerServer(props: FargatePerServerProps = {}): FargatePerServerCompute {
    return new FargatePerServerCompute(props);
  }

  /**
   * One ECS Fargate service whose tasks host every server, behind one application load balancer
   * (HTTPS) with a target group and a listener rule per server.
   *
   * @param props a `certificate` or `domainName` (required: the ALB serves HTTPS only); tasks of 1024 CPU / 2048 MiB, ARM64, 2 to 10... see FargateMultiServerProps for every default
   */
  public static fargateMultiServer(props: FargateMultiServerProps = {}): FargateMultiServerCompute {
    return new FargateMultiServerCompute(props);
  }

  private constructor() {}
}
