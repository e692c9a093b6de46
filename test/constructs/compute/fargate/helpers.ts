/** Shared set-up of the Fargate construct tests. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { FleetAuth, IFleetCompute, McpServer, McpServerFleet, McpServerFleetProps } from '../../../../src';
import { newStack } from '../../helpers';

export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
export const ISSUER = 'https://login.example.com/oauth2/default';

export function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
}

/** A fleet of `servers` on `compute(stack)`, authenticated by the runtime (OAuth). */
export function fargateFleet(
  compute: (stack: Stack) => IFleetCompute,
  servers: McpServer[],
  props: Partial<McpServerFleetProps> = {},
): { stack: Stack; fleet: McpServerFleet; template: Template } {
  const stack = newStack();
  const fleet = new McpServerFleet(stack, 'Fleet', {
    environment: 'production',
    servers,
    compute: compute(stack),
    auth: FleetAuth.oauth({ issuer: ISSUER }),
    ...props,
  });
  return { stack, fleet, template: Template.fromStack(stack) };
}

/** The resources of a type, by logical id. */
export function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

/** A container definition's environment as a record. */
export function environmentOf(container: any): Record<string, string> {
  return Object.fromEntries((container.Environment ?? []).map((e: { Name: string; Value: string }) => [e.Name, e.Value]));
}

/** The container definitions of every task definition, by container name. */
export function containers(template: Template): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [, td] of resourcesOf(template, 'AWS::ECS::TaskDefinition')) {
    for (const c of td.Properties.ContainerDefinitions) out[c.Name] = c;
  }
  return out;
}
