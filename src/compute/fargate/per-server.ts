import { Tags } from 'aws-cdk-lib';
import { FargateBuildContext, FargateComputeBase, FargateServices } from './base';
import { McpService } from './mcp-service';
import { FargateComputeOptions } from './options';
import { FARGATE_DEFAULTS } from '../../defaults';
import { CredentialDelivery } from '../runtime-environment';
import type { FleetServerDescription } from '../types';

/** The most servers one stack holds: each brings about 20 resources (service, task, roles, scaling, target group, rule, alarms). */
const MAX_SERVERS = 23;

/** Settings of the one-service-per-server Fargate topology. */
export interface FargatePerServerProps extends FargateComputeOptions {}

/**
 * One ECS Fargate service per server behind one application load balancer (spec B.1–B.8).
 *
 * Each server runs in its own tasks (256 CPU / 512 MiB, ARM64, two of them, scaling 2–10 on CPU
 * 70 % and memory 80 %), with its own log group, its own task role (which may read only that
 * server's secrets) and its own target group (`/health`), behind the rule `/<server>` and
 * `/<server>/*` at priority 10, 20, 30... in server order. A server's tasks fail, scale and deploy
 * without touching another's.
 *
 * The ALB serves HTTPS only (`ELBSecurityPolicy-TLS13-1-2-2021-06`, HTTP redirects, anything else is
 * a JSON 404). The tasks authenticate callers themselves: use `FleetAuth.oauth()` or
 * `FleetAuth.cognito()` (`iam()` and `apiKeys()` are refused, an ALB cannot enforce them).
 *
 * Each server's endpoint is `https://<domainName or ALB DNS name>/<server>/mcp`.
 */
export class FargatePerServerCompute extends FargateComputeBase {
  constructor(props: FargatePerServerProps = {}) {
    super(props);
  }

  /** @internal */
  protected get _factoryName(): string {
    return 'fargatePerServer';
  }

  /** @internal */
  protected get _scopeId(): string {
    return 'FargatePerServer';
  }

  /** @internal */
  protected get _defaults(): { cpu: number; memoryLimitMiB: number } {
    return { cpu: FARGATE_DEFAULTS.perServerCpu, memoryLimitMiB: FARGATE_DEFAULTS.perServerMemoryMiB };
  }

  /** @internal */
  protected _defaultPriority(index: number): number {
    return FARGATE_DEFAULTS.perServerPriorityStart + index * FARGATE_DEFAULTS.perServerPriorityStep;
  }

  /** @internal */
  protected _buildServices(context: FargateBuildContext, servers: FleetServerDescription[]): FargateServices {
    const { scope, fleet, options } = context;
    if (servers.length > MAX_SERVERS) {
      throw new Error(`FleetCompute.fargatePerServer() serves at most ${MAX_SERVERS} servers in one stack (about 20 resources each, under `
        + `CloudFormation's 500), got ${servers.length}; use fargateMultiServer() (one service for all, up to the ALB's 100 rules), `
        + 'lambdaPerServer() (split over nested stacks), or several fleets in separate stacks');
    }
    const result: FargateServices = { services: new Map(), targetGroups: new Map(), monitored: [], monitoredTargets: [] };
    servers.forEach((server, index) => {
      const environment = fleet.renderRuntimeEnvironment([server], {
        multiServer: false,
        logLevel: options.logLevel,
        secretCacheTtl: options.secretCacheTtl,
        // A custom image cannot be assumed to read Secrets Manager: ECS injects its values.
        credentials: server.custom ? CredentialDelivery.ECS_SECRET : options.credentials,
      });
      const service = new McpService(scope, server.name, {
        fleet,
        options,
        cluster: context.cluster,
        securityGroup: context.taskSecurityGroup,
        servers: [server],
        environment,
        containerName: `${server.name}-mcp-server`,
        serverTag: server.name,
        description: `MCP server ${server.name} (${server.kind}, ${fleet.environment})`,
      });
      const port = server.custom?.containerPort ?? FARGATE_DEFAULTS.containerPort;
      const targetGroup = context.frontDoor.addServer(server.name, {
        name: server.name,
        priority: context.priorityOf(server, index),
        metadata: context.metadata,
      }, {
        port,
        healthCheckPath: server.custom?.healthCheckPath ?? '/health',
        targets: [service.service.loadBalancerTarget({ containerName: service.container.containerName, containerPort: port })],
      });
      Tags.of(targetGroup).add('Server', server.name);
      result.services.set(server.name, service);
      result.targetGroups.set(server.name, targetGroup);
      result.monitored.push({ id: server.name, label: `MCP server ${server.name}`, service });
      result.monitoredTargets.push({ id: server.name, label: `MCP server ${server.name}`, targetGroup });
    });
    return result;
  }
}
