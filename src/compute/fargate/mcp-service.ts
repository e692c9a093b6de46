/**
 * One ECS service running the bundled runtime (spec B.2, B.3, B.6, B.7): its task definition and
 * container, its log group, its two roles, the service itself and its target-tracking scaling.
 * Both Fargate topologies build their services with it.
 */
import { Duration, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedFargateOptions } from './options';
import { FARGATE_DEFAULTS } from '../../defaults';
import { acknowledgeRule } from '../../nag';
import type { RuntimeEnvironment } from '../runtime-environment';
import type { FleetServerDescription, IFleetContext } from '../types';

/** The variables every container of the runtime gets besides the rendered ones. */
export function containerVariables(port: number): Record<string, string> {
  return {
    PORT: String(port),
    // Every interface of the task: the ALB reaches it at the task's IP (awsvpc).
    HOST: '0.0.0.0',
    // The ALB's health checks send the task's IP as Host; the task's security group admits the
    // ALB alone, so Host checks (a defence for servers on a developer's machine) add nothing here.
    ALLOWED_HOSTS: '*',
  };
}

/** The container's own health check (spec B.2: 30 s, 5 s, 3 retries, 60 s start period). */
export const CONTAINER_HEALTH_CHECK: ecs.HealthCheck = {
  command: ['CMD-SHELL', 'node /app/healthcheck.js || exit 1'],
  interval: Duration.seconds(30),
  timeout: Duration.seconds(5),
  retries: 3,
  startPeriod: Duration.seconds(60),
};

/** The multi-server container's (spec B.6: the same, with a 10 s timeout: one check covers every server). */
export const MULTI_SERVER_HEALTH_CHECK: ecs.HealthCheck = { ...CONTAINER_HEALTH_CHECK, timeout: Duration.seconds(10) };

export interface McpServiceProps {
  readonly fleet: IFleetContext;
  readonly options: ResolvedFargateOptions;
  readonly cluster: ecs.ICluster;
  readonly securityGroup: ec2.ISecurityGroup;
  /** The servers the task hosts: its task role may read exactly their secrets. */
  readonly servers: FleetServerDescription[];
  readonly environment: RuntimeEnvironment;
  /** The container's name, e.g. `gitlab-mcp-server` (spec B.2) or `mcp-multi-server` (spec B.6). */
  readonly containerName: string;
  readonly description: string;
  /**
   * The container's health check.
   *
   * @default CONTAINER_HEALTH_CHECK
   */
  readonly healthCheck?: ecs.HealthCheck;
  /**
   * The awslogs stream prefix (spec B.2 `ecs`, B.6 `mcp`).
   *
   * @default 'ecs'
   */
  readonly streamPrefix?: string;
  /**
   * The server this service runs alone: its resources get the spec's `Server=<name>` tag.
   *
   * @default - no Server tag (a service of several servers)
   */
  readonly serverTag?: string;
}

/** A service of the runtime's tasks, with its scaling. */
export class McpService extends Construct {
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly logGroup: logs.LogGroup;
  public readonly taskRole: iam.Role;
  public readonly executionRole: iam.Role;
  public readonly scaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: McpServiceProps) {
    super(scope, id);
    const { fleet, options } = props;
    // Spec B.2/B.3: the task definition, the service and what belongs to them name their server.
    if (props.serverTag) Tags.of(this).add('Server', props.serverTag);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: fleet.logRetention });
    // Spec B.7: the execution role pulls the image and writes the log group (ECS grants both as
    // the container is defined, on exactly this image and log group); in ECS_SECRET mode ECS
    // also grants it the injected secrets. The task role is what the runtime runs as.
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Starts the tasks of ${props.description}: pulls the image, writes the log group`,
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Runs ${props.description}: reads its servers' secrets`,
    });
    if (Object.keys(props.environment.secrets).length === 0) {
      for (const server of props.servers) fleet.grantSecretsRead(this.taskRole, server.name);
    }

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: options.cpu,
      memoryLimitMiB: options.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: options.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      executionRole: this.executionRole,
      taskRole: this.taskRole,
    });
    // A custom server brings its image and port; its own health check is its image's business
    // (the load balancer's checks `healthCheckPath`), and its file system is left writable.
    const custom = props.servers.length === 1 ? props.servers[0].custom : undefined;
    const port = custom?.containerPort ?? FARGATE_DEFAULTS.containerPort;
    const image = custom ? custom.artifact._containerImage(options.cpuArchitecture) : options.image._bind(this, options.cpuArchitecture);
    if (!image) {
      throw new Error(`Custom server ${JSON.stringify(props.servers[0].name)} has a ${custom!.artifact.kind} artifact; a Fargate topology runs `
        + 'container images: use ServerArtifact.fromContainerImage(), fromAsset() or fromEcrRepository()');
    }
    this.container = this.taskDefinition.addContainer('Runtime', {
      containerName: props.containerName,
      image,
      essential: true,
      environment: { ...containerVariables(port), ...props.environment.variables },
      secrets: props.environment.secrets,
      portMappings: [{ containerPort: port, protocol: ecs.Protocol.TCP, name: 'http', appProtocol: ecs.AppProtocol.http }],
      healthCheck: custom ? undefined : props.healthCheck ?? CONTAINER_HEALTH_CHECK,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.streamPrefix ?? 'ecs' }),
      // The runtime answers SIGTERM by finishing in-flight requests within SHUTDOWN_GRACE_MS (25 s).
      stopTimeout: FARGATE_DEFAULTS.stopTimeout,
      // An init process as PID 1 forwards signals to node and reaps what it leaves (spec B.2).
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
      // The runtime writes nothing to disk.
      readonlyRootFilesystem: custom ? undefined : true,
    });
    this.container.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 65536, hardLimit: 65536 });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: options.desiredCount,
      capacityProviderStrategies: options.capacityProviderStrategies,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      circuitBreaker: { enable: true, rollback: true },
      maxHealthyPercent: 200,
      minHealthyPercent: 100,
      healthCheckGracePeriod: options.healthCheckGracePeriod,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: options.enableExecuteCommand,
    });

    if (options.enableExecuteCommand) {
      // ECS Exec with the cluster's DEFAULT logging writes sessions through the task's awslogs
      // configuration, as the task role: its own log group, and the group lookup the agent makes.
      this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }));
      this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    }

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: options.desiredCount, maxCapacity: options.maxCapacity });
    this.scaling.scaleOnCpuUtilization('CpuScaling', {
      targetUtilizationPercent: options.cpuTargetUtilizationPercent,
      scaleOutCooldown: options.scaleOutCooldown,
      scaleInCooldown: options.scaleInCooldown,
    });
    this.scaling.scaleOnMemoryUtilization('MemoryScaling', {
      targetUtilizationPercent: options.memoryTargetUtilizationPercent,
      scaleOutCooldown: options.scaleOutCooldown,
      scaleInCooldown: options.scaleInCooldown,
    });

    acknowledgeRule(this.taskDefinition, 'AwsSolutions-ECS2',
      'The environment holds only non-secret settings (URLs, allow-lists, switches, secret ARNs); credentials are read from '
      + 'Secrets Manager by the task role at run time (or injected by ECS as `secrets`), never written into the task definition.');
    const starReasons = [
      'ecr:GetAuthorizationToken (ECR supports no resource for it; the pull actions are on the image\'s repository)',
      options.enableExecuteCommand
        ? 'the four ssmmessages channel actions of ECS Exec and its logs:DescribeLogGroups (no resource-level permissions)' : undefined,
    ].filter((r): r is string => r !== undefined);
    acknowledgeRule(this, 'AwsSolutions-IAM5[Resource::*]',
      `${starReasons.join(' and ')} are the only statements on \`*\`; the log group, image repository and secrets are named exactly.`);
  }
}
