/**
 * The Atlassian tool tests' set-up, once: a fake Atlassian site (with its API gateway) and the
 * node server in front of it. Every server of `MCP_SERVERS` points at the fake (its URL, and its
 * gateway for CLOUD_ID calls) unless `env` says otherwise.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../../runtime/entrypoints/server';
import { environmentPrefix, parseServerList } from '../../../../src/contract';
import { startFakeAtlassian, type FakeAtlassian } from '../../../fakes/fake-atlassian';
import { connectClient, textOf } from '../../../helpers/mcp-client';

export interface AtlassianFleet {
  readonly site: FakeAtlassian;
  readonly fleet: FleetServer;
  /** An SDK client of one server (closed by `close`). */
  connect(server: string): Promise<Client>;
  close(): Promise<void>;
}

export const EMAIL = 'ann@example.com';
export const TOKEN = 'ATATT3xFfGF0-classic-token-0001';
export const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;

export async function startAtlassianFleet(env: NodeJS.ProcessEnv): Promise<AtlassianFleet> {
  const site = await startFakeAtlassian();
  const defaults = parseServerList(env.MCP_SERVERS ?? '').flatMap(({ name }) => {
    const p = environmentPrefix(name);
    return [[`${p}_URL`, site.url], [`${p}_GATEWAY_URL`, site.gatewayUrl], [`${p}_EMAIL`, EMAIL], [`${p}_TOKEN`, TOKEN]];
  });
  const fleet = await startFleetServer({ port: 0, env: { LOG_LEVEL: 'SILENT', ...Object.fromEntries(defaults), ...env } });
  const clients: Client[] = [];
  return {
    site,
    fleet,
    async connect(server) {
      const client = await connectClient(`${fleet.url}/${server}/mcp`);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await fleet.close(1000);
      await site.close();
    },
  };
}

/** Calls a tool and returns its text, structured content and error flag. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { result, text: textOf(result), data: result.structuredContent as any, isError: result.isError === true };
}
