/** Shared set-up of the DNS construct tests. */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { FleetAuth, FleetCompute, IFleetCompute, McpServer, McpServerFleet, McpServerFleetProps } from '../../../src';
import { newStack, twoServers } from '../helpers';

export const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
export const DOMAIN = 'mcp.example.com';
export const ISSUER = 'https://login.example.com/oauth2/default';
export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

export function zoneIn(stack: Stack, id = 'Zone'): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, id, { hostedZoneId: ZONE_ID, zoneName: 'example.com' });
}

export function importedCertificate(stack: Stack, id = 'Certificate'): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, id, CERTIFICATE_ARN);
}

export type ComputeKind = 'lambdaPerServer' | 'lambdaMultiServer' | 'fargatePerServer' | 'fargateMultiServer';

/** A compute of `kind`; the Fargate ones with an imported certificate unless `props` says otherwise. */
export function computeOf(stack: Stack, kind: ComputeKind, props: Record<string, unknown> = {}, certificateId = 'ComputeCertificate'): IFleetCompute {
  switch (kind) {
    case 'lambdaPerServer': return FleetCompute.lambdaPerServer(props);
    case 'lambdaMultiServer': return FleetCompute.lambdaMultiServer(props);
    case 'fargatePerServer': return FleetCompute.fargatePerServer({ certificate: importedCertificate(stack, certificateId), ...props });
    case 'fargateMultiServer': return FleetCompute.fargateMultiServer({ certificate: importedCertificate(stack, certificateId), ...props });
  }
}

/** A fleet of GitLab.com and `gl-internal` in `stack`, authenticated by OAuth bearer tokens (every compute takes it). */
export function fleetIn(stack: Stack, id: string, compute: IFleetCompute, props: Partial<McpServerFleetProps> = {}): McpServerFleet {
  return new McpServerFleet(stack, id, {
    environment: 'production',
    servers: twoServers(),
    compute,
    auth: FleetAuth.oauth({ issuer: ISSUER }),
    ...props,
  });
}

/** A stack in us-east-1 with one fleet of `kind` and the zone. */
export function setUp(kind: ComputeKind, computeProps: Record<string, unknown> = {}, stack: Stack = newStack())
  : { stack: Stack; fleet: McpServerFleet; zone: route53.IHostedZone } {
  const zone = zoneIn(stack);
  const fleet = fleetIn(stack, 'Fleet', computeOf(stack, kind, computeProps));
  return { stack, fleet, zone };
}

/** The resources of a type, as [logical id, resource]. */
export function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

/** The single resource of a type (fails when there are none or several). */
export function onlyResource(template: Template, type: string): [string, any] {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  return found[0];
}

/** `{ Ref: <logical id> }` of a construct's CloudFormation resource. */
export function refOf(construct: IConstruct): { Ref: string } {
  const stack = Stack.of(construct);
  return { Ref: stack.resolve((construct.node.defaultChild as CfnElement).logicalId) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(construct: IConstruct): string {
  return refOf(construct).Ref;
}

export { App, McpServer };
