/**
 * The ServiceNow tool tests' set-up, once: a fake instance and the node server in front of it.
 * Every server of `MCP_SERVERS` points at the fake unless `env` gives its URL.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../../runtime/entrypoints/server';
import { environmentPrefix, parseServerList } from '../../../../src/contract';
import { startFakeServiceNow, type FakeServiceNow } from '../../../fakes/fake-servicenow';
import { connectClient, textOf } from '../../../helpers/mcp-client';

export interface ServiceNowFleet {
  readonly sn: FakeServiceNow;
  readonly fleet: FleetServer;
  /** An SDK client of one server (closed by `close`). */
  connect(server: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startServiceNowFleet(env: NodeJS.ProcessEnv): Promise<ServiceNowFleet> {
  const sn = await startFakeServiceNow();
  const urls = parseServerList(env.MCP_SERVERS ?? env.SERVER_NAME ?? '').map(({ name }) => [`${environmentPrefix(name)}_INSTANCE_URL`, sn.url]);
  const fleet = await startFleetServer({ port: 0, env: { LOG_LEVEL: 'SILENT', ...Object.fromEntries(urls), ...env } });
  const clients: Client[] = [];
  return {
    sn,
    fleet,
    async connect(server) {
      const client = await connectClient(`${fleet.url}/${server}/mcp`);
      // Listing the tools makes the SDK client check every later result against its tool's outputSchema.
      await client.listTools();
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await fleet.close(1000);
      await sn.close();
    },
  };
}

/** Calls a tool: its result, text, and whether it is an error. */
export async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { result, text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
}

/** The JSON after a list answer's first line (the continuation sentence). */
export function rowsOf(text: string): any[] {
  return JSON.parse(text.slice(text.indexOf('\n') + 1));
}
