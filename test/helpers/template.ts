/**
 * Reads a synthesized stack the way CloudFormation and API Gateway would use it, for tests that
 * run the deployed code without deploying: each function's handler, literal environment and
 * staged code, and which function each API route invokes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** An `AWS::Lambda::Function` of a template, with everything a local run needs as plain values. */
export interface SynthesizedFunction {
  readonly logicalId: string;
  /** `<file>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize?: number;
  readonly timeoutSeconds?: number;
  /** `Environment.Variables`, every value a literal string. */
  readonly environment: Record<string, string>;
  /** `Code.S3Key`: the object the asset manifest uploads the code to. */
  readonly s3Key: string;
}

/** A route of an API Gateway REST API (v1 proxy events) or HTTP API (v2 events) to a function. */
export interface ApiRoute {
  readonly api: 'rest' | 'http';
  readonly method: string;
  /** The resource path (REST) or the route key's path (HTTP API), e.g. `/gitlab/{proxy+}`. */
  readonly path: string;
  /** The HTTP API route key, e.g. `POST /gitlab/{proxy+}`. */
  readonly routeKey?: string;
  /** The Lambda event payload version API Gateway sends: `1.0` (REST proxy) or `2.0`. */
  readonly payloadFormatVersion: string;
  readonly functionLogicalId: string;
}

type Resources = Record<string, { Properties?: Record<string, any> }>;

/**
 * The template's Lambda functions. Throws when a value the run needs is not a literal (a `Ref`,
 * `Fn::GetAtt`, `Fn::Join`...): only CloudFormation can resolve those.
 */
export function lambdaFunctions(template: Template): SynthesizedFunction[] {
  return Object.entries(template.findResources('AWS::Lambda::Function') as Resources).map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const literal = (what: string, value: unknown): string => {
      if (typeof value !== 'string' || value.includes('${Token[')) {
        throw new Error(`${logicalId}: ${what} is ${JSON.stringify(value)}, not a literal string. The function runs here without `
          + 'CloudFormation, which alone resolves intrinsics; give the construct literal values (e.g. '
          + 'ServerCredential.fromSecretCompleteArn(\'arn:...\') rather than a secret created in the stack).');
      }
      return value;
    };
    const variables = (props.Environment?.Variables ?? {}) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables)) environment[key] = literal(`environment variable ${key}`, value);
    return {
      logicalId,
      handler: literal('Handler', props.Handler),
      runtime: literal('Runtime', props.Runtime),
      memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : undefined,
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : undefined,
      environment,
      s3Key: literal('Code.S3Key', props.Code?.S3Key),
    };
  });
}

/** The logical ids of Lambda functions an integration URI names (`Fn::GetAtt: [<id>, 'Arn']`). */
function functionsIn(value: unknown, functionIds: ReadonlySet<string>): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => functionsIn(v, functionIds));
  if (!value || typeof value !== 'object') return [];
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && functionIds.has(String(getAtt[0]))) return [String(getAtt[0])];
  return Object.values(value).flatMap((v) => functionsIn(v, functionIds));
}

function onlyFunction(where: string, value: unknown, functionIds: ReadonlySet<string>): string | undefined {
  const found = [...new Set(functionsIn(value, functionIds))];
  if (found.length > 1) throw new Error(`${where} names several functions: ${found.join(', ')}`);
  return found[0];
}

/** Every route of the template's APIs that invokes a Lambda function through a proxy integration. */
export function apiRoutes(template: Template): ApiRoute[] {
  const functionIds = new Set(Object.keys(template.findResources('AWS::Lambda::Function')));
  const routes: ApiRoute[] = [];

  // REST APIs: methods on resources, resources chained by ParentId up to the root.
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string } | undefined)?.Ref;
    if (id === undefined) return ''; // Fn::GetAtt [api, RootResourceId]
    const resource = resources[id]?.Properties;
    if (!resource) throw new Error(`AWS::ApiGateway::Resource ${id} is not in the template`);
    return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
  };
  for (const [id, method] of Object.entries(template.findResources('AWS::ApiGateway::Method') as Resources)) {
    const props = method.Properties ?? {};
    if (props.Integration?.Type !== 'AWS_PROXY') continue;
    const fn = onlyFunction(`AWS::ApiGateway::Method ${id}`, props.Integration.Uri, functionIds);
    if (!fn) continue;
    routes.push({ api: 'rest', method: props.HttpMethod, path: pathOf(props.ResourceId) || '/', payloadFormatVersion: '1.0', functionLogicalId: fn });
  }

  // HTTP APIs: routes target `integrations/<id>`.
  const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Resources;
  for (const [id, route] of Object.entries(template.findResources('AWS::ApiGatewayV2::Route') as Resources)) {
    const props = route.Properties ?? {};
    const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(props.Target ?? null))?.[1];
    const integration = integrationId === undefined ? undefined : integrations[integrationId]?.Properties;
    if (!integration || integration.IntegrationType !== 'AWS_PROXY') continue;
    const fn = onlyFunction(`AWS::ApiGatewayV2::Route ${id}`, integration.IntegrationUri, functionIds);
    if (!fn) continue;
    const routeKey = String(props.RouteKey);
    const [method, path] = routeKey.split(' ');
    routes.push({ api: 'http', method, path, routeKey, payloadFormatVersion: String(integration.PayloadFormatVersion ?? '2.0'), functionLogicalId: fn });
  }
  return routes;
}

/**
 * The route API Gateway picks for a request: an exact path first, then a greedy `{proxy+}` or
 * `{param}` match (the longest route wins).
 */
export function routeFor(routes: readonly ApiRoute[], method: string, path: string): ApiRoute | undefined {
  const candidates = routes.filter((r) => r.method === method || r.method === 'ANY');
  const exact = candidates.find((r) => r.path === path);
  if (exact) return exact;
  const pattern = (p: string) => new RegExp(`^${p.split('/').map((part) => {
    if (/^\{[^}]+\+\}$/.test(part)) return '.+';
    if (/^\{[^}]+\}$/.test(part)) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/')}$`);
  return candidates
    .filter((r) => pattern(r.path).test(path))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * The folder of cdk.out holding the code uploaded to `s3Key`: the asset manifests map each
 * staged source to its S3 object.
 */
export function stagedAssetDirectory(assembly: cxapi.CloudAssembly, s3Key: string): string {
  for (const artifact of assembly.artifacts) {
    if (!(artifact instanceof cxapi.AssetManifestArtifact)) continue;
    for (const file of Object.values(artifact.contents.files ?? {})) {
      const uploaded = Object.values(file.destinations).some((d) => d.objectKey === s3Key);
      if (uploaded && file.source.path !== undefined) {
        if (file.source.packaging !== 'zip') throw new Error(`The code at ${s3Key} is not a zipped folder (${file.source.packaging})`);
        return join(assembly.directory, file.source.path);
      }
    }
  }
  throw new Error(`No asset manifest of ${assembly.directory} uploads to ${s3Key}`);
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
