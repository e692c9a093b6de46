import { Tags } from 'aws-cdk-lib';
import { FargateBuildContext, FargateComputeBase, FargateServices } from './base';
import { MULTI_SERVER_HEALTH_CHECK, McpService } from './mcp-service';
import { FargateComputeOptions } from './options';
import { FARGATE_DEFAULTS } from '../../defaults';
import type { FleetServerDescription } from '../types';

/** Settings of the multi-server Fargate topology. */
export interface FargateMultiServerProps extends FargateComputeOptions {}

/** ECS attaches at most this many target groups to one service. */
const MAX_TARGET_GROUPS_PER_SERVICE = 5;

/**
 * One ECS Fargate service whose tasks host every server, behind one application load balancer
 * (spec B.6).
 *
 * The task (1024 CPU / 2048 MiB, ARM64, two of them, scaling 2–10) runs the runtime in
 * multi-server mode on one port, 8080, routing `/<server>/...` itself (DESIGN.md says why one port
 * rather than one per server). Each server has its own target group, health-checking
 * `/<server>/health`, and its own rule `/<server>` and `/<server>/*` at priority 100, 101, ... in
 * server order; the service is registered with every target group. ECS attaches at most five target
 * groups to a service, so a fleet of more than five servers shares one target group (`/health`),
 * each server keeping its own rule.
 *
 * The task role may read every server's secrets (one process holds them all); use
 * `FleetCompute.fargatePerServer()` where servers must not share a role. Authentication as
 * `fargatePerServer()`: `FleetAuth.oauth()`, `cognito()` or `none()`.
 */
export class FargateMultiServerCompute extends FargateComputeBase {
  constructor(props: FargateMultiServerProps = {}) {
    super(props);
  }

  /** @internal */
  protected get _factoryName(): string {
    return 'fargateMultiServer';
  }

  /** @internal */
  protected get _scopeId(): string {
    return 'FargateMultiServer';
  }

  /** @internal */
  protected get _defaults(): { cpu: number; memoryLimitMiB: number } {
    return { cpu: FARGATE_DEFAULTS.multiServerCpu, memoryLimitMiB: FARGATE_DEFAULTS.multiServerMemoryMiB };
  }

  /** @internal */
  protected _defaultPriority(index: number): number {
    return FARGATE_DEFAULTS.multiServerPriorityStart + index;
  }

  /** @internal */
  protected _buildServices(context: FargateBuildContext, servers: FleetServerDescription[]): FargateServices {
    const { scope, fleet, options, frontDoor } = context;
    const environment = fleet.renderRuntimeEnvironment(servers, {
      multiServer: true,
      logLevel: options.logLevel,
      secretCacheTtl: options.secretCacheTtl,
      credentials: options.credentials,
    });
    const service = new McpService(scope, 'Servers', {
      fleet,
      options,
      cluster: context.cluster,
      securityGroup: context.taskSecurityGroup,
      servers,
      environment,
      containerName: 'mcp-multi-server',
      healthCheck: MULTI_SERVER_HEALTH_CHECK,
      streamPrefix: 'mcp',
      description: `MCP servers ${servers.map((s) => s.name).join(', ')} (${fleet.environment})`,
    });
    const target = () => service.service.loadBalancerTarget({
      containerName: service.container.containerName,
      containerPort: FARGATE_DEFAULTS.containerPort,
    });
    const result: FargateServices = {
      services: new Map(servers.map((s) => [s.name, service])),
      targetGroups: new Map(),
      monitored: [{ id: 'servers', label: 'the MCP servers', service }],
      monitoredTargets: [],
    };
    const route = (server: FleetServerDescription, index: number) => ({
      name: server.name,
      priority: context.priorityOf(server, index),
      metadata: context.metadata,
    });
    if (servers.length <= MAX_TARGET_GROUPS_PER_SERVICE) {
      servers.forEach((server, index) => {
        const targetGroup = frontDoor.addServer(server.name, route(server, index), {
          port: FARGATE_DEFAULTS.containerPort,
          healthCheckPath: `/${server.name}/health`,
          targets: [target()],
        });
        // Spec B.6: each server's target group names it (a shared one, past five servers, does not).
        Tags.of(targetGroup).add('Server', server.name);
        result.targetGroups.set(server.name, targetGroup);
        result.monitoredTargets.push({ id: server.name, label: `MCP server ${server.name}`, targetGroup });
      });
    } else {
      const [first, ...rest] = servers;
      const shared = frontDoor.addServer(first.name, route(first, 0), {
        port: FARGATE_DEFAULTS.containerPort,
        healthCheckPath: '/health',
        targets: [target()],
      });
      rest.forEach((server, i) => frontDoor.addRoute(server.name, route(server, i + 1), shared));
      for (const server of servers) result.targetGroups.set(server.name, shared);
      result.monitoredTargets.push({ id: 'servers', label: 'the MCP servers', targetGroup: shared });
    }
    return result;
  }
}
