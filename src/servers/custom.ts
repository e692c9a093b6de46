/**
 * Custom servers: an MCP server of your own (a container image or Lambda code) that the fleet
 * routes, configures, grants its secrets and monitors like the bundled ones.
 */
import { Token } from 'aws-cdk-lib';
import type { ServerArtifact } from '../compute/artifact';
import { ServerCredential } from '../credential';
import { validateInteger, validateRange } from '../validation';

/** An MCP server of your own. */
export interface CustomServerOptions {
  /**
   * The server's name: its path segment (`/<name>/mcp`) and part of resource names. Lowercase
   * letters, digits and hyphens, starting with a letter, at most 63 characters, unique in the fleet.
   */
  readonly name: string;

  /**
   * What runs: `ServerArtifact.fromContainerImage(...)`/`fromAsset`/`fromEcrRepository` for the
   * Fargate topologies, `ServerArtifact.fromLambdaCode(...)` for `lambdaPerServer()`.
   */
  readonly artifact: ServerArtifact;

  /**
   * Non-secret variables of the server, by name (e.g. `{ UPSTREAM_URL: 'https://...' }`). Names are
   * upper-case letters, digits and underscores; the fleet's own (`PORT`, `ENVIRONMENT`, `AUTH_*`...)
   * are reserved.
   *
   * @default - none
   */
  readonly variables?: { [name: string]: string };

  /**
   * Credentials of the server, by variable name (e.g. `{ API_TOKEN: ServerCredential.fromSecret(...) }`).
   * On Fargate ECS injects each value as that variable when a task starts; on Lambda the function
   * gets `<name>_SECRET_ARN` (`arn[#field]`) and may read exactly that secret.
   *
   * @default - none
   */
  readonly credentials?: { [name: string]: ServerCredential };

  /**
   * The port a container listens on (Fargate).
   *
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * The path the load balancer health-checks (Fargate; answered 200 when healthy).
   *
   * @default '/health'
   */
  readonly healthCheckPath?: string;
}

/** The variables the fleet sets itself: a custom server may not name them. */
const RESERVED_VARIABLES = /^(PORT|HOST|ALLOWED_HOSTS|ENVIRONMENT|LOG_LEVEL|SERVER_NAME|SERVER_KIND|MCP_SERVERS|POWERTOOLS_.*|AUTH_.*|AWS_.*|ALLOWED_ORIGINS|SECRET_CACHE_TTL_SECONDS)$/;

const VARIABLE_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

/** Checks a custom server's options (each message names the prop and the value). */
export function validateCustomServer(options: CustomServerOptions): void {
  if (!options.artifact) throw new Error(`\`artifact\` of custom server ${JSON.stringify(options.name)} is required: what the server runs`);
  const names = [...Object.keys(options.variables ?? {}), ...Object.keys(options.credentials ?? {})];
  const seen = new Set<string>();
  for (const name of names) {
    if (!VARIABLE_NAME.test(name)) {
      throw new Error(`Custom server ${JSON.stringify(options.name)}: variable names must be upper-case letters, digits and underscores, `
        + `starting with a letter, got: ${JSON.stringify(name)}`);
    }
    if (RESERVED_VARIABLES.test(name)) {
      throw new Error(`Custom server ${JSON.stringify(options.name)}: ${name} is set by the fleet itself; choose another name`);
    }
    if (seen.has(name) || seen.has(name.replace(/_SECRET_ARN$/, ''))) {
      throw new Error(`Custom server ${JSON.stringify(options.name)}: ${name} is given twice (as a variable and a credential)`);
    }
    seen.add(name);
  }
  for (const [name, credential] of Object.entries(options.credentials ?? {})) {
    if (!(credential instanceof ServerCredential)) {
      throw new Error(`Custom server ${JSON.stringify(options.name)}: credential ${name} must be a ServerCredential (a secret of Secrets Manager)`);
    }
  }
  for (const [name, value] of Object.entries(options.variables ?? {})) {
    if (typeof value !== 'string') throw new Error(`Custom server ${JSON.stringify(options.name)}: variable ${name} must be a string, got: ${JSON.stringify(value)}`);
  }
  validateInteger('containerPort', options.containerPort, 1);
  validateRange('containerPort', options.containerPort, 1, 65535);
  const path = options.healthCheckPath;
  if (path !== undefined && !Token.isUnresolved(path) && !/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw new Error(`\`healthCheckPath\` of custom server ${JSON.stringify(options.name)} must be a path such as /health, got: ${JSON.stringify(path)}`);
  }
}
