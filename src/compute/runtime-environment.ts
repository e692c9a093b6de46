/**
 * The runtime's variables, rendered once for every topology: a Lambda function's environment, a
 * container's environment (and, in inject mode, its ECS secrets). The names and formats are the
 * contract's (`src/contract/variables.ts`), which the runtime reads with the matching decoders.
 */
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { FleetServerDescription } from './types';
import { FleetAuthConfig, FleetAuthMode } from '../auth/fleet-auth';
import {
  AUTH_AUDIENCE,
  AUTH_AUTHORIZATION_SERVERS,
  AUTH_ISSUER,
  AUTH_JWKS_URL,
  AUTH_MODE,
  AUTH_REQUIRED_SCOPES,
  AUTH_WRITE_SCOPES,
  AuthMode,
  SECRET_ARN_SUFFIX,
  renderAuthList,
  renderSecretRef,
  renderServerList,
} from '../contract';
import { grantSecretValueRead, secretReferenceArn } from '../credential-grants';
import { DEFAULT_LOG_LEVEL } from '../defaults';

/** How a process receives its servers' credentials. */
export enum CredentialDelivery {
  /**
   * `<VAR>_SECRET_ARN = <arn>[#<field>]`: the process reads the secret at run time with its own
   * role (cached; read again after a 401, so a rotated token is picked up without a restart).
   */
  SECRET_ARN = 'SECRET_ARN',

  /**
   * `<VAR>` injected by ECS from Secrets Manager when the task starts (`ecs.Secret`): no Secrets
   * Manager call at run time, but a rotated value reaches a task only when it restarts. The task's
   * execution role may read exactly those secrets (`GetSecretValue`, as in ARN mode).
   */
  ECS_SECRET = 'ECS_SECRET',
}

/** How to render the runtime's variables for one process. */
export interface RuntimeEnvironmentOptions {
  /**
   * Renders `MCP_SERVERS` (the process routes `/<server>/...` itself) rather than `SERVER_NAME`.
   *
   * @default - true when there are several servers
   */
  readonly multiServer?: boolean;

  /**
   * The runtime's log level (`LOG_LEVEL`), lower-cased.
   *
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * How long the runtime caches a secret (`SECRET_CACHE_TTL_SECONDS`).
   *
   * @default - the runtime's default, 5 minutes
   */
  readonly secretCacheTtl?: Duration;

  /**
   * How credentials reach the process.
   *
   * @default CredentialDelivery.SECRET_ARN
   */
  readonly credentials?: CredentialDelivery;
}

/** The variables of one process. */
export interface RuntimeEnvironment {
  /** Plain variables: a Lambda function's or a container's `environment`. */
  readonly variables: { [key: string]: string };

  /** Secrets ECS injects as variables (a container's `secrets`); empty in ARN mode. */
  readonly secrets: { [key: string]: ecs.Secret };
}

/** The fleet's settings the runtime needs. */
export interface FleetRuntimeSettings {
  readonly environment: string;
  readonly allowedOrigins: readonly string[];
  /** The fleet's authentication (absent: `AUTH_MODE=none`, for a settings object built by hand). */
  readonly auth?: FleetAuthConfig;
}

/**
 * What the runtime does with a request's credential: `oauth` (it validates the bearer JWT itself,
 * whatever the front door did), `gateway` (the front door authenticated the caller by IAM or API
 * key), `none`.
 */
export function runtimeAuthMode(auth: FleetAuthConfig | undefined): AuthMode {
  switch (auth?.mode) {
    case FleetAuthMode.OAUTH:
    case FleetAuthMode.COGNITO:
      return 'oauth';
    case FleetAuthMode.IAM:
    case FleetAuthMode.API_KEYS:
      return 'gateway';
    default:
      return 'none';
  }
}

/** The `AUTH_*` variables of a fleet's authentication. */
export function renderAuthVariables(auth: FleetAuthConfig | undefined): Record<string, string> {
  const mode = runtimeAuthMode(auth);
  const variables: Record<string, string> = { [AUTH_MODE]: mode };
  if (mode !== 'oauth' || !auth) return variables;
  variables[AUTH_ISSUER] = auth.issuer!;
  if (auth.audience && auth.audience.length > 0) variables[AUTH_AUDIENCE] = renderAuthList(auth.audience);
  if (auth.requiredScopes.length > 0) variables[AUTH_REQUIRED_SCOPES] = renderAuthList(auth.requiredScopes);
  if (auth.writeScopes.length > 0) variables[AUTH_WRITE_SCOPES] = renderAuthList(auth.writeScopes);
  if (auth.jwksUrl) variables[AUTH_JWKS_URL] = auth.jwksUrl;
  if (auth.authorizationServers && auth.authorizationServers.length > 0) {
    variables[AUTH_AUTHORIZATION_SERVERS] = renderAuthList(auth.authorizationServers);
  }
  return variables;
}

/** Renders the variables of a process hosting `servers` (see {@link RuntimeEnvironmentOptions}). */
export function renderRuntimeEnvironment(
  fleet: FleetRuntimeSettings,
  servers: readonly FleetServerDescription[],
  options: RuntimeEnvironmentOptions = {},
): RuntimeEnvironment {
  if (servers.length === 0) throw new Error('A runtime environment hosts at least one server, got none');
  const multiServer = options.multiServer ?? servers.length > 1;
  const custom = servers.filter((s) => s.custom).map((s) => s.name);
  if (multiServer && custom.length > 0) {
    throw new Error(`Custom server(s) ${custom.map((n) => JSON.stringify(n)).join(', ')} run their own artifact and cannot share the bundled `
      + 'runtime\'s process: use a topology with a function or service per server (lambdaPerServer(), fargatePerServer())');
  }
  if (!multiServer && servers.length > 1) {
    throw new Error(`A single-server runtime environment hosts one server, got ${servers.length}: ${servers.map((s) => s.name).join(', ')} `
      + '(set multiServer for MCP_SERVERS)');
  }
  const variables: Record<string, string> = {
    LOG_LEVEL: (options.logLevel ?? DEFAULT_LOG_LEVEL).toLowerCase(),
    ENVIRONMENT: fleet.environment,
  };
  Object.assign(variables, renderAuthVariables(fleet.auth));
  if (fleet.allowedOrigins.length > 0) variables.ALLOWED_ORIGINS = fleet.allowedOrigins.join(',');
  if (options.secretCacheTtl) variables.SECRET_CACHE_TTL_SECONDS = String(options.secretCacheTtl.toSeconds());
  if (multiServer) {
    variables.POWERTOOLS_SERVICE_NAME = 'mcp-servers';
    variables.MCP_SERVERS = renderServerList(servers);
  } else {
    const [server] = servers;
    variables.POWERTOOLS_SERVICE_NAME = `mcp-${server.name}`;
    variables.SERVER_NAME = server.name;
    if (server.kind !== server.name && !server.custom) variables.SERVER_KIND = server.kind;
  }

  const secrets: Record<string, ecs.Secret> = {};
  const inject = (options.credentials ?? CredentialDelivery.SECRET_ARN) === CredentialDelivery.ECS_SECRET;
  for (const server of servers) {
    Object.assign(variables, server.variables);
    for (const credential of server.credentials) {
      if (inject) {
        secrets[credential.variableName] = new ExactlyGrantedSecret(credential.secret, credential.jsonField);
      } else {
        variables[`${credential.variableName}${SECRET_ARN_SUFFIX}`] = renderSecretRef({
          secretId: secretReferenceArn(credential.secret),
          jsonField: credential.jsonField,
        });
      }
    }
  }
  for (const name of Object.keys(secrets)) {
    if (name in variables) throw new Error(`Variable ${name} is both a plain variable and an injected secret`);
  }
  return { variables, secrets };
}

/**
 * `ecs.Secret.fromSecretsManager`, granted as the fleet grants: ECS's own grant is the secret's
 * `grantRead` (`GetSecretValue` and `DescribeSecret`); injection needs `GetSecretValue` only.
 */
class ExactlyGrantedSecret extends ecs.Secret {
  public readonly arn: string;
  public readonly hasField?: boolean;

  constructor(private readonly secret: secretsmanager.ISecret, field?: string) {
    super();
    const inner = ecs.Secret.fromSecretsManager(secret, field);
    this.arn = inner.arn;
    this.hasField = inner.hasField;
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretValueRead(this.secret, this.secret, grantee);
  }
}
