/**
 * What every front door shares when it binds a fleet's authentication: the unauthenticated paths
 * and the reasons cdk-nag's authorization findings are acknowledged with.
 */
import { IConstruct } from 'constructs';
import { FleetAuthConfig, FleetAuthMode } from './fleet-auth';
import { PROTECTED_RESOURCE_METADATA_PATH } from '../contract';
import { acknowledgeRule } from '../nag';

/** The RFC 9728 metadata path, `/.well-known/oauth-protected-resource`. */
export const METADATA_PATH = PROTECTED_RESOURCE_METADATA_PATH;

/** Whether the runtime checks bearer tokens itself (and serves RFC 9728 metadata naming the issuer). */
export function usesBearerTokens(auth: FleetAuthConfig): boolean {
  return auth.mode === FleetAuthMode.OAUTH || auth.mode === FleetAuthMode.COGNITO;
}

/** A health check or a metadata document: public by design, on every mode. */
export function acknowledgePublicRoute(route: IConstruct, what: 'health' | 'metadata' | 'preflight', restApi: boolean): void {
  const reason = {
    health: 'A health check: it answers {"status":"ok"} from the runtime without calling any tool or the upstream, '
      + 'so load balancers and monitors can reach it without a credential.',
    metadata: 'RFC 9728 protected resource metadata: MCP clients read it without a token to learn which authorization server '
      + 'issues tokens for this server, as the MCP authorization specification requires.',
    preflight: 'A CORS preflight: browsers send it without credentials; the runtime answers it without calling any tool.',
  }[what];
  acknowledgeRule(route, 'AwsSolutions-APIG4', reason);
  if (restApi && what !== 'preflight') acknowledgeRule(route, 'AwsSolutions-COG4', reason);
}

/**
 * The reason a REST API's MCP method without a Cognito authorizer (COG4), or without an API
 * Gateway authorizer at all (APIG4), is what the fleet chose.
 */
export function mcpMethodReason(auth: FleetAuthConfig): string {
  switch (auth.mode) {
    case FleetAuthMode.IAM:
      return 'FleetAuth.iam(): the method authorizes SigV4-signed requests with IAM (execute-api:Invoke granted by fleet.grantInvoke), '
        + 'not with a Cognito user pool.';
    case FleetAuthMode.API_KEYS:
      return 'FleetAuth.apiKeys(): API Gateway requires an API key of the usage plan on the method (metered and throttled per key); '
        + 'the runtime takes the key id as the caller.';
    case FleetAuthMode.OAUTH:
      return 'FleetAuth.oauth(): the runtime validates the bearer JWT itself (signature against the issuer\'s JWKS, iss, aud, '
        + 'expiry, scopes) before any tool runs, and answers 401 with WWW-Authenticate otherwise.';
    default:
      return `FleetAuth.none() was chosen for this fleet: ${auth.reason}`;
  }
}
