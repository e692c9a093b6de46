/**
 * Shared set-up of the server factories' tests: synthesize a small fleet and read what its server
 * functions were given (their environment variables, the secrets their policies may read).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet } from '../../../src';
import { newStack, policyStatements } from '../helpers';

/** Servers given as they are, or built in the stack (to import or create a secret there first). */
export type ServersOf = McpServer[] | ((stack: Stack) => McpServer[]);

export interface SynthesizedFleet {
  readonly stack: Stack;
  readonly template: Template;
  /**
   * The environment variables of each server function, in template order. The fleet's other
   * functions (log retention, custom resources) serve no server: they have neither `SERVER_NAME`
   * nor `MCP_SERVERS`.
   */
  readonly environments: Array<Record<string, unknown>>;
}

/** `new McpServerFleet(stack, 'F', { environment: 'production', servers, compute })` in a fresh stack. */
export function synthFleet(servers: ServersOf, compute: IFleetCompute = FleetCompute.lambdaPerServer()): SynthesizedFleet {
  const stack = newStack();
  new McpServerFleet(stack, 'F', { environment: 'production', servers: typeof servers === 'function' ? servers(stack) : servers, compute });
  const template = Template.fromStack(stack);
  const variables = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f: any) => (f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>)
    .filter((v) => 'SERVER_NAME' in v || 'MCP_SERVERS' in v);
  return { stack, template, environments: variables };
}

/** The environment variables of every server function of a fleet of `servers`. */
export function environments(servers: ServersOf, compute?: IFleetCompute): Array<Record<string, unknown>> {
  return synthFleet(servers, compute).environments;
}

/** The environment variables of the one function of a fleet of one server. */
export function variablesOf(server: McpServer | ((stack: Stack) => McpServer)): Record<string, unknown> {
  const envs = environments(typeof server === 'function' ? (stack) => [server(stack)] : [server]);
  expect(envs).toHaveLength(1);
  return envs[0];
}

/** The resources of every IAM statement that grants a Secrets Manager action, one entry per statement resource. */
export function secretResources(template: Template): unknown[] {
  return policyStatements(template)
    .filter(({ statement }) => [statement.Action].flat().some((a: unknown) => String(a).startsWith('secretsmanager:')))
    .flatMap(({ statement }) => [statement.Resource].flat());
}
