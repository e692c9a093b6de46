import { Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ServerImage } from './image';
import { DEFAULT_LOG_LEVEL, FARGATE_DEFAULTS } from '../../defaults';
import type { ServiceAlarmThresholds } from '../../observability/alarm-thresholds';
import { validateInteger, validateLogLevel, validateRange } from '../../validation';
import { CredentialDelivery } from '../runtime-environment';

/** Settings shared by the Fargate topologies: the network, the front door, the tasks and their scaling. */
export interface FargateComputeOptions {
  /**
   * The VPC of the load balancer and the tasks (its public subnets carry an internet-facing ALB,
   * its private subnets with egress the tasks). Not together with `cluster`, which brings its own.
   *
   * @default - a VPC as spec B.5 lays it out: 10.0.0.0/16, public subnets 10.0.1-3.0/24 and private
   * subnets 10.0.10-12.0/24 in three Availability Zones, `natGateways` NAT gateways, flow logs to
   * CloudWatch Logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * NAT gateways of the VPC the compute creates (only without `vpc` and `cluster`).
   *
   * @default 1 - as the spec's set-up; 3 (one per zone) keeps the tasks' egress up when a zone fails
   */
  readonly natGateways?: number;

  /**
   * Interface endpoints for ECR (`ecr.api`, `ecr.dkr`), Secrets Manager and CloudWatch Logs, and an
   * S3 gateway endpoint (image layers), in the VPC the compute creates (spec B.5, "cost
   * optimization"): image pulls, secret reads and logs then stay off the NAT gateway. `false` saves
   * the four interface endpoints' hourly charge (one per zone each) and sends those calls through
   * the NAT gateway instead.
   *
   * @default true - as the spec's set-up
   */
  readonly vpcEndpoints?: boolean;

  /**
   * The ECS cluster of the services (its VPC is the compute's).
   *
   * @default - a cluster with the FARGATE and FARGATE_SPOT capacity providers, Container Insights
   * and ECS Exec logging (spec B.1)
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The capacity provider strategy of every service.
   *
   * @default - FARGATE base 1 weight 1, FARGATE_SPOT weight 3 (spec B.1): one task always on
   * on-demand capacity, three of every four more on Spot
   */
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];

  /**
   * The container image of the runtime.
   *
   * @default ServerImage.bundled() - built by CDK from the package's Dockerfile at deploy time
   */
  readonly image?: ServerImage;

  /**
   * The tasks' CPU architecture (the bundled image is built for it).
   *
   * @default ecs.CpuArchitecture.ARM64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * CPU units of each task (a Fargate size: 256, 512, 1024, 2048, 4096...).
   *
   * @default 256 for one service per server (spec B.2), 1024 for the multi-server task (spec B.6)
   */
  readonly cpu?: number;

  /**
   * Memory of each task, in MiB (valid for `cpu` on Fargate).
   *
   * @default 512 for one service per server, 2048 for the multi-server task
   */
  readonly memoryLimitMiB?: number;

  /**
   * Tasks each service starts with and never scales below.
   *
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * The most tasks each service scales out to.
   *
   * @default 10
   */
  readonly maxCapacity?: number;

  /**
   * Average CPU utilization each service's scaling keeps (target tracking).
   *
   * @default 70
   */
  readonly cpuTargetUtilizationPercent?: number;

  /**
   * Average memory utilization each service's scaling keeps (target tracking).
   *
   * @default 80
   */
  readonly memoryTargetUtilizationPercent?: number;

  /**
   * How long after a scale-out another may start.
   *
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * How long after a scale-in another may start.
   *
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * How long ECS ignores failing load balancer health checks of a new task.
   *
   * @default Duration.seconds(120)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How credentials reach the tasks: `SECRET_ARN` (the task role reads them at run time, and
   * again after a 401, so a rotated secret is picked up without a deployment) or `ECS_SECRET`
   * (ECS injects the values when a task starts; a rotated value needs a new deployment).
   *
   * @default CredentialDelivery.SECRET_ARN
   */
  readonly credentials?: CredentialDelivery;

  /**
   * The runtime's log level: `debug`, `info`, `warn`, `error` or `silent` (`LOG_LEVEL`).
   *
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * How long the runtime caches a secret's value (`SECRET_CACHE_TTL_SECONDS`, ARN mode).
   *
   * @default - the runtime's default, 5 minutes
   */
  readonly secretCacheTtl?: Duration;

  /**
   * Lets operators open a shell in a running task with ECS Exec (the task role gets the four
   * `ssmmessages` channel actions).
   *
   * @default true
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * An internet-facing ALB in the public subnets; `false` for an internal one in the private
   * subnets, reachable from the VPC (and what is peered or routed to it) only.
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * The certificate of the HTTPS listener. Give `certificate`, or `domainName` for one the compute
   * creates.
   *
   * @default - created for `domainName`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The name clients use, e.g. `mcp.example.com`: the endpoints' host, the created certificate's
   * name, and the alias record in `hostedZone`.
   *
   * @default - the ALB's own DNS name (then `certificate` must be given, and cannot match it)
   */
  readonly domainName?: string;

  /**
   * The hosted zone of `domainName`: the created certificate is validated in it, and an alias A
   * record points `domainName` at the ALB.
   *
   * @default - none: the certificate's DNS validation record and the name's record are yours to create
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The bucket the ALB writes its access logs to (SSE-S3 encrypted: the only kind ELB writes to).
   *
   * @default - a bucket the compute creates: S3-managed encryption, TLS only, no public access,
   * objects expire after 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The listener rule priority of each server, by name (1 to 50000, unique on the listener).
   *
   * @default - 10, 20, 30... in server order for one service per server (spec B.4); 100, 101,
   * 102... for the multi-server task (spec B.6)
   */
  readonly listenerPriorities?: { [serverName: string]: number };

  /**
   * Thresholds of the alarms on the services, target groups and load balancer.
   *
   * @default - see ServiceAlarmThresholds
   */
  readonly alarmThresholds?: ServiceAlarmThresholds;
}

/** Options with every default applied. */
export interface ResolvedFargateOptions {
  readonly vpc?: ec2.IVpc;
  readonly natGateways: number;
  readonly vpcEndpoints: boolean;
  readonly cluster?: ecs.ICluster;
  readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];
  readonly image: ServerImage;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly desiredCount: number;
  readonly maxCapacity: number;
  readonly cpuTargetUtilizationPercent: number;
  readonly memoryTargetUtilizationPercent: number;
  readonly scaleOutCooldown: Duration;
  readonly scaleInCooldown: Duration;
  readonly healthCheckGracePeriod: Duration;
  readonly credentials: CredentialDelivery;
  readonly logLevel: string;
  readonly secretCacheTtl?: Duration;
  readonly enableExecuteCommand: boolean;
  readonly internetFacing: boolean;
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly hostedZone?: route53.IHostedZone;
  readonly accessLogsBucket?: s3.IBucket;
  readonly listenerPriorities: { [serverName: string]: number };
  readonly alarmThresholds?: ServiceAlarmThresholds;
}

/** Fargate's CPU sizes and the memory (MiB) each allows. */
const FARGATE_SIZES: ReadonlyArray<readonly [number, number, number, number]> = [
  // cpu, min memory, max memory, step
  [256, 512, 2048, 512],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

export function resolveFargateOptions(
  props: FargateComputeOptions,
  defaults: { cpu: number; memoryLimitMiB: number },
): ResolvedFargateOptions {
  const resolved: ResolvedFargateOptions = {
    vpc: props.vpc,
    natGateways: props.natGateways ?? FARGATE_DEFAULTS.natGateways,
    vpcEndpoints: props.vpcEndpoints ?? true,
    cluster: props.cluster,
    capacityProviderStrategies: props.capacityProviderStrategies ?? [
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ],
    image: props.image ?? ServerImage.bundled(),
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64,
    cpu: props.cpu ?? defaults.cpu,
    memoryLimitMiB: props.memoryLimitMiB ?? defaults.memoryLimitMiB,
    desiredCount: props.desiredCount ?? FARGATE_DEFAULTS.desiredCount,
    maxCapacity: props.maxCapacity ?? FARGATE_DEFAULTS.maxCapacity,
    cpuTargetUtilizationPercent: props.cpuTargetUtilizationPercent ?? FARGATE_DEFAULTS.cpuTargetUtilizationPercent,
    memoryTargetUtilizationPercent: props.memoryTargetUtilizationPercent ?? FARGATE_DEFAULTS.memoryTargetUtilizationPercent,
    scaleOutCooldown: props.scaleOutCooldown ?? FARGATE_DEFAULTS.scaleOutCooldown,
    scaleInCooldown: props.scaleInCooldown ?? FARGATE_DEFAULTS.scaleInCooldown,
    healthCheckGracePeriod: props.healthCheckGracePeriod ?? FARGATE_DEFAULTS.healthCheckGracePeriod,
    credentials: props.credentials ?? CredentialDelivery.SECRET_ARN,
    logLevel: props.logLevel ?? DEFAULT_LOG_LEVEL,
    secretCacheTtl: props.secretCacheTtl,
    enableExecuteCommand: props.enableExecuteCommand ?? true,
    internetFacing: props.internetFacing ?? true,
    certificate: props.certificate,
    domainName: props.domainName,
    hostedZone: props.hostedZone,
    accessLogsBucket: props.accessLogsBucket,
    listenerPriorities: props.listenerPriorities ?? {},
    alarmThresholds: props.alarmThresholds,
  };
  if (props.vpc && props.cluster) {
    throw new Error('`vpc` and `cluster` are exclusive (the cluster brings its VPC): give one of them');
  }
  if ((props.vpc || props.cluster) && (props.natGateways !== undefined || props.vpcEndpoints !== undefined)) {
    throw new Error('`natGateways` and `vpcEndpoints` shape the VPC the compute creates; with `vpc` or `cluster` given, configure that VPC instead');
  }
  validateInteger('natGateways', resolved.natGateways, 0);
  validateRange('natGateways', resolved.natGateways, 0, 3);
  validateFargateSize(resolved.cpu, resolved.memoryLimitMiB);
  validateInteger('desiredCount', resolved.desiredCount, 1);
  validateInteger('maxCapacity', resolved.maxCapacity, 1);
  if (!Token.isUnresolved(resolved.maxCapacity) && !Token.isUnresolved(resolved.desiredCount) && resolved.maxCapacity < resolved.desiredCount) {
    throw new Error(`\`maxCapacity\` must be at least \`desiredCount\` (${resolved.desiredCount}), got: ${resolved.maxCapacity}`);
  }
  validateRange('cpuTargetUtilizationPercent', resolved.cpuTargetUtilizationPercent, 10, 100);
  validateRange('memoryTargetUtilizationPercent', resolved.memoryTargetUtilizationPercent, 10, 100);
  for (const [prop, value] of [['scaleOutCooldown', resolved.scaleOutCooldown], ['scaleInCooldown', resolved.scaleInCooldown],
    ['healthCheckGracePeriod', resolved.healthCheckGracePeriod]] as const) {
    if (!value.isUnresolved()) validateInteger(`${prop} (seconds)`, value.toSeconds({ integral: false }), 0);
  }
  validateLogLevel(resolved.logLevel);
  if (resolved.secretCacheTtl && !resolved.secretCacheTtl.isUnresolved()) {
    validateInteger('secretCacheTtl (seconds)', resolved.secretCacheTtl.toSeconds(), 1);
  }
  if (resolved.capacityProviderStrategies.length === 0) {
    throw new Error('`capacityProviderStrategies` must name at least one capacity provider, got: []');
  }
  if (!resolved.certificate && !resolved.domainName) {
    throw new Error('The Fargate topologies serve HTTPS only (spec B.4): give `certificate` (an ACM certificate for the name clients use) '
      + 'or `domainName` (a certificate is created for it, validated in `hostedZone` when given)');
  }
  if (resolved.domainName !== undefined && !Token.isUnresolved(resolved.domainName)
    && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(resolved.domainName)) {
    throw new Error(`\`domainName\` must be a lowercase DNS name such as mcp.example.com, got: ${JSON.stringify(resolved.domainName)}`);
  }
  if (resolved.hostedZone && !resolved.domainName) {
    throw new Error('`hostedZone` needs `domainName`: the name to create in the zone');
  }
  return resolved;
}

function validateFargateSize(cpu: number, memory: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memory)) return;
  const size = FARGATE_SIZES.find(([c]) => c === cpu);
  if (!size) {
    throw new Error(`\`cpu\` must be a Fargate size (${FARGATE_SIZES.map(([c]) => c).join(', ')}), got: ${cpu}`);
  }
  const [, min, max, step] = size;
  const steps = cpu === 256 ? [512, 1024, 2048] : undefined;
  const valid = steps ? steps.includes(memory) : memory >= min && memory <= max && memory % step === 0;
  if (!valid) {
    throw new Error(`\`memoryLimitMiB\` must be ${steps ? steps.join(', ') : `${min} to ${max} in steps of ${step}`} with \`cpu\` ${cpu} `
      + `(Fargate's task sizes), got: ${memory}`);
  }
}
