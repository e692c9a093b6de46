import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { McpLoadBalancer } from './load-balancer';
import type { McpService } from './mcp-service';
import { FleetVpc } from './network';
import { FargateComputeOptions, ResolvedFargateOptions, resolveFargateOptions } from './options';
import { FleetAuthMode } from '../../auth/fleet-auth';
import { usesBearerTokens } from '../../auth/front-door';
import { FARGATE_DEFAULTS } from '../../defaults';
import { FargateMonitoring } from '../../observability/fargate-monitoring';
import type { FleetComputeBinding, FleetOutput, FleetServerDescription, IFleetCompute, IFleetContext } from '../types';

/** What a Fargate topology built for its fleet. */
export interface FargateResources {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  readonly frontDoor: McpLoadBalancer;
  readonly taskSecurityGroup: ec2.SecurityGroup;
  /** By server name (the one shared service in the multi-server topology). */
  readonly services: Map<string, McpService>;
  /** By server name (one shared group past five servers in the multi-server topology). */
  readonly targetGroups: Map<string, elbv2.ApplicationTargetGroup>;
}

/** What a topology adds to the shared resources: its services and their targets. */
export interface FargateServices {
  readonly services: Map<string, McpService>;
  readonly targetGroups: Map<string, elbv2.ApplicationTargetGroup>;
  /** Each distinct service once, with its monitoring label. */
  readonly monitored: Array<{ id: string; label: string; service: McpService }>;
  /** Each distinct target group once, with its monitoring label. */
  readonly monitoredTargets: Array<{ id: string; label: string; targetGroup: elbv2.ApplicationTargetGroup }>;
}

/** The context a topology builds its services in. */
export interface FargateBuildContext {
  readonly scope: Construct;
  readonly fleet: IFleetContext;
  readonly options: ResolvedFargateOptions;
  readonly cluster: ecs.ICluster;
  readonly frontDoor: McpLoadBalancer;
  readonly taskSecurityGroup: ec2.SecurityGroup;
  /** Whether the ALB also routes the servers' RFC 9728 metadata. */
  readonly metadata: boolean;
  /** The listener priority of the server at `index` (the prop's, else the topology's default). */
  priorityOf(server: FleetServerDescription, index: number): number;
}

/**
 * What both Fargate topologies offer once bound: the cluster, the load balancer, each server's
 * service and target group. They share the network, the cluster and the front door; each builds
 * its own services (`buildServices`).
 */
export abstract class FargateComputeBase implements IFleetCompute {
  /** @internal */
  protected _built?: FargateResources;

  /** @internal */
  protected readonly _props: FargateComputeOptions;

  protected constructor(props: FargateComputeOptions) {
    this._props = props;
  }

  /** The VPC of the tasks and the load balancer, once bound (the `vpc` prop, the cluster's, or the one created). */
  public get vpc(): ec2.IVpc | undefined {
    return this._built?.vpc;
  }

  /** The ECS cluster, once bound. */
  public get cluster(): ecs.ICluster | undefined {
    return this._built?.cluster;
  }

  /** The application load balancer, once bound. */
  public get loadBalancer(): elbv2.ApplicationLoadBalancer | undefined {
    return this._built?.frontDoor.loadBalancer;
  }

  /** The HTTPS listener (the servers' rules are on it), once bound. */
  public get httpsListener(): elbv2.ApplicationListener | undefined {
    return this._built?.frontDoor.httpsListener;
  }

  /** The security group of the tasks (in: the tasks' port from the load balancer; out: HTTPS), once bound. */
  public get taskSecurityGroup(): ec2.ISecurityGroup | undefined {
    return this._built?.taskSecurityGroup;
  }

  /**
   * The ECS service serving a server (the shared one in the multi-server topology).
   *
   * @param serverName the server's name
   */
  public serviceFor(serverName: string): ecs.FargateService {
    return this.lookup(this.built().services, serverName).service;
  }

  /**
   * The task definition of the service serving a server.
   *
   * @param serverName the server's name
   */
  public taskDefinitionFor(serverName: string): ecs.FargateTaskDefinition {
    return this.lookup(this.built().services, serverName).taskDefinition;
  }

  /**
   * The target group the load balancer forwards a server's requests to.
   *
   * @param serverName the server's name
   */
  public targetGroupFor(serverName: string): elbv2.ApplicationTargetGroup {
    return this.lookup(this.built().targetGroups, serverName);
  }

  public bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding {
    if (this._built) {
      throw new Error(`A FleetCompute can serve one fleet only; create one with FleetCompute.${this._factoryName}() for each fleet`);
    }
    if (fleet.auth.mode === FleetAuthMode.IAM || fleet.auth.mode === FleetAuthMode.API_KEYS) {
      throw new Error(`FleetCompute.${this._factoryName}() cannot enforce FleetAuth.${fleet.auth.mode === FleetAuthMode.IAM ? 'iam' : 'apiKeys'}(): `
        + 'an application load balancer checks neither SigV4 signatures nor API keys. Use FleetAuth.oauth() or FleetAuth.cognito() '
        + '(the runtime validates bearer tokens in every task), or FleetAuth.none({ reason }) behind a network you control');
    }
    const options = resolveFargateOptions(this._props, this._defaults);
    const scope = new Construct(fleet.scope, this._scopeId);
    // ECS Exec's session logs go to each task's own log group (McpService grants exactly that);
    // without this flag aws-cdk-lib adds the same actions on every log group (`*`).
    scope.node.setContext(cxapi.REDUCE_EC2_FARGATE_CLOUDWATCH_PERMISSIONS, true);
    const vpc = options.cluster?.vpc ?? options.vpc
      ?? new FleetVpc(scope, 'Network', { natGateways: options.natGateways, endpoints: options.vpcEndpoints, logRetention: fleet.logRetention }).vpc;
    const cluster = options.cluster ?? this.createCluster(scope, vpc, options);
    const frontDoor = new McpLoadBalancer(scope, 'FrontDoor', {
      vpc,
      internetFacing: options.internetFacing,
      certificate: options.certificate,
      domainName: options.domainName,
      hostedZone: options.hostedZone,
      accessLogsBucket: options.accessLogsBucket,
      description: `the MCP servers of ${fleet.scope.node.path}`,
    });
    // Spec B.5: in on the tasks' port from the load balancer only (each target group adds that
    // rule as it is attached), out on HTTPS only (upstreams, Secrets Manager, ECR, Logs).
    const taskSecurityGroup = new ec2.SecurityGroup(scope, 'TaskSecurityGroup', {
      vpc,
      description: `MCP server tasks of ${fleet.scope.node.path}: the load balancer in, HTTPS out`,
      allowAllOutbound: false,
    });
    taskSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the upstream APIs, Secrets Manager, ECR and CloudWatch Logs');
    this.validatePriorities(servers, options);
    const context: FargateBuildContext = {
      scope,
      fleet,
      options,
      cluster,
      frontDoor,
      taskSecurityGroup,
      metadata: usesBearerTokens(fleet.auth),
      priorityOf: (server, index) => options.listenerPriorities[server.name] ?? this._defaultPriority(index),
    };
    const built = this._buildServices(context, servers);
    this._built = { vpc, cluster, frontDoor, taskSecurityGroup, services: built.services, targetGroups: built.targetGroups };
    // The tasks' port from the load balancer's group only, whatever the targets registered.
    taskSecurityGroup.connections.allowFrom(frontDoor.securityGroup, ec2.Port.tcp(FARGATE_DEFAULTS.containerPort), 'From the load balancer');

    const outputs: FleetOutput[] = [
      { id: 'LoadBalancerDnsName', value: frontDoor.loadBalancer.loadBalancerDnsName, description: 'DNS name of the load balancer', exportSuffix: 'alb-dns-name' },
      {
        id: 'LoadBalancerHostedZoneId',
        value: frontDoor.loadBalancer.loadBalancerCanonicalHostedZoneId,
        description: 'Hosted zone of the load balancer (for alias records)',
        exportSuffix: 'alb-hosted-zone-id',
      },
      { id: 'ClusterName', value: cluster.clusterName, description: 'ECS cluster of the MCP servers', exportSuffix: 'cluster-name' },
      ...built.monitored.map((m) => ({
        id: `${m.id}-ServiceName`,
        value: m.service.service.serviceName,
        description: `ECS service of ${m.label}`,
        exportSuffix: `${m.id}-service-name`,
      })),
    ];
    return {
      servers: servers.map((server) => ({
        name: server.name,
        endpointUrl: `${frontDoor.baseUrl}/${server.name}/mcp`,
        logGroup: built.services.get(server.name)!.logGroup,
      })),
      monitoring: [
        new FargateMonitoring(scope, {
          services: built.monitored.map((m) => ({ id: m.id, label: m.label, service: m.service.service, desiredCount: options.desiredCount })),
          targets: built.monitoredTargets,
          loadBalancer: frontDoor.loadBalancer,
          thresholds: options.alarmThresholds,
          cpuTargetUtilizationPercent: options.cpuTargetUtilizationPercent,
          memoryTargetUtilizationPercent: options.memoryTargetUtilizationPercent,
        }),
      ],
      outputs,
    };
  }

  /** @internal */
  protected abstract get _factoryName(): string;

  /** @internal */
  protected abstract get _scopeId(): string;

  /** @internal */
  protected abstract get _defaults(): { cpu: number; memoryLimitMiB: number };

  /** @internal */
  protected abstract _defaultPriority(index: number): number;

  /** @internal */
  protected abstract _buildServices(context: FargateBuildContext, servers: FleetServerDescription[]): FargateServices;

  private createCluster(scope: Construct, vpc: ec2.IVpc, options: ResolvedFargateOptions): ecs.Cluster {
    // Spec B.1. Container Insights also gives the running-task count the monitoring alarms on.
    const cluster = new ecs.Cluster(scope, 'Cluster', {
      vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      executeCommandConfiguration: { logging: ecs.ExecuteCommandLogging.DEFAULT },
    });
    cluster.addDefaultCapacityProviderStrategy(options.capacityProviderStrategies);
    return cluster;
  }

  private validatePriorities(servers: FleetServerDescription[], options: ResolvedFargateOptions): void {
    const names = servers.map((s) => s.name);
    for (const name of Object.keys(options.listenerPriorities)) {
      if (!names.includes(name)) {
        throw new Error(`\`listenerPriorities\` names ${JSON.stringify(name)}, which is not a server of the fleet; its servers: ${names.join(', ')}`);
      }
    }
  }

  private built(): FargateResources {
    if (!this._built) throw new Error(`${this.constructor.name} is not bound to a fleet yet: pass it as a fleet's \`compute\` first`);
    return this._built;
  }

  private lookup<T>(map: Map<string, T>, serverName: string): T {
    const found = map.get(serverName);
    if (!found) {
      throw new Error(`${this.constructor.name} serves no server named ${JSON.stringify(serverName)}; its servers: ${[...map.keys()].join(', ')}`);
    }
    return found;
  }
}
