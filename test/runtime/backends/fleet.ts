/**
 * The backend tool tests' set-up, once for every kind: a fake of the product's API and the node
 * server in front of it. Every server of `MCP_SERVERS` (or `SERVER_NAME`) gets the kind's
 * variables pointing at the fake (its URL, ...) unless `env` gives them; SDK clients connected
 * through it are closed by `close`.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../runtime/entrypoints/server';
import { environmentPrefix, parseServerList } from '../../../src/contract';
import { connectClient, textOf } from '../../helpers/mcp-client';

/** What a fake of an API gives: the URL it serves on and a way to stop it. */
export interface Fake {
  readonly url: string;
  close(): Promise<void>;
}

export interface BackendFleetOptions<F extends Fake> {
  /** Starts the fake (e.g. `startFakeGitLab`). */
  readonly start: () => Promise<F>;
  /** The variables each server gets under its prefix, by suffix (e.g. `{ API_URL: fake.url }`). */
  readonly perServer: (fake: F) => Record<string, string>;
  /** Variables of the whole fleet (servers, keys, limits), before `env`. */
  readonly base?: (fake: F) => NodeJS.ProcessEnv;
  /** List the tools on connecting, so the SDK client checks every later result against its tool's outputSchema. */
  readonly listTools?: boolean;
}

export interface BackendFleet<F extends Fake> {
  readonly fake: F;
  readonly fleet: FleetServer;
  /** A new SDK client of one server (closed by `close`). */
  connect(server: string): Promise<Client>;
  /** The SDK client of one server, connected on first use (closed by `close`). */
  client(server: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startBackendFleet<F extends Fake>(env: NodeJS.ProcessEnv, options: BackendFleetOptions<F>): Promise<BackendFleet<F>> {
  const fake = await options.start();
  const base = options.base?.(fake) ?? {};
  const servers = env.MCP_SERVERS ?? env.SERVER_NAME ?? base.MCP_SERVERS ?? base.SERVER_NAME ?? '';
  const perServer = options.perServer(fake);
  const defaults = parseServerList(servers).flatMap(({ name }) => Object.entries(perServer).map(([suffix, value]) => [`${environmentPrefix(name)}_${suffix}`, value]));
  const fleet = await startFleetServer({ port: 0, env: { LOG_LEVEL: 'SILENT', ...Object.fromEntries(defaults), ...base, ...env } });
  const clients: Client[] = [];
  const cached = new Map<string, Client>();
  const connect = async (server: string) => {
    const client = await connectClient(`${fleet.url}/${server}/mcp`);
    clients.push(client);
    if (options.listTools) await client.listTools();
    return client;
  };
  return {
    fake,
    fleet,
    connect,
    async client(server) {
      let client = cached.get(server);
      if (!client) {
        client = await connect(server);
        cached.set(server, client);
      }
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await fleet.close(1000);
      await fake.close();
    },
  };
}

export interface Called {
  readonly result: Awaited<ReturnType<Client['callTool']>>;
  readonly text: string;
  readonly isError: boolean;
  readonly data: any;
}

/** Calls a tool: its result, text, structured content and whether it is an error. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Called> {
  const result = await client.callTool({ name, arguments: args });
  return { result, text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
}

/** The JSON after the first line of a list answer (the first line is the paging sentence). */
export function rowsOf(text: string): any[] {
  return JSON.parse(text.slice(text.indexOf('\n') + 1));
}
