/**
 * The Dynatrace tool tests' set-up, once: a fake Dynatrace (environment and platform servers) and
 * the node server in front of it, with one MCP server per token situation:
 *
 * - `dynatrace`: a classic token, read-only;          - `dt-rw`: a classic token, writes on;
 * - `dt-grail`: a platform token, writes on;          - `dt-noscope`: a classic token lacking scopes;
 * - `dt-legacy`: a token of no known kind (sent as a classic one, refused);
 * - `dt-crossed`: a platform token whose PLATFORM_URL is the environment server (the wrong host);
 * - `dt-nourl`: a platform token, no PLATFORM_URL, and a URL without `.live.` to derive one from.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../../runtime/entrypoints/server';
import { startFakeDynatrace, type FakeDynatrace } from '../../../fakes/fake-dynatrace';
import { connectClient, textOf } from '../../../helpers/mcp-client';

export interface DynatraceFleet {
  readonly dt: FakeDynatrace;
  readonly fleet: FleetServer;
  client(server: string): Promise<Client>;
  close(): Promise<void>;
}

export const SERVERS = 'dynatrace,dt-rw:dynatrace,dt-grail:dynatrace,dt-noscope:dynatrace,dt-legacy:dynatrace,dt-crossed:dynatrace,dt-nourl:dynatrace';

export async function startDynatraceFleet(extra: NodeJS.ProcessEnv = {}): Promise<DynatraceFleet> {
  const dt = await startFakeDynatrace();
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: 'SILENT',
    MCP_SERVERS: SERVERS,
    UPSTREAM_TIMEOUT_MS: '2000',
    REQUEST_BUDGET_MS: '8000',
    DYNATRACE_URL: dt.url,
    DYNATRACE_TOKEN: dt.tokens.classic,
    DT_RW_URL: dt.url,
    DT_RW_TOKEN: 'dt0c01.WRITER.fake-writer-secret-part',
    DT_RW_ALLOW_WRITES: 'true',
    DT_GRAIL_URL: dt.url,
    DT_GRAIL_PLATFORM_URL: dt.platformUrl,
    DT_GRAIL_TOKEN: dt.tokens.platform,
    DT_GRAIL_ALLOW_WRITES: 'true',
    DT_NOSCOPE_URL: dt.url,
    DT_NOSCOPE_TOKEN: 'dt0c01.NOSCOPE.noscope-secret-part',
    DT_LEGACY_URL: dt.url,
    DT_LEGACY_TOKEN: 'legacy-token-0123456789',
    DT_CROSSED_URL: dt.url,
    DT_CROSSED_PLATFORM_URL: dt.url,
    DT_CROSSED_TOKEN: 'dt0s16.CROSSED.crossed-secret-part',
    DT_NOURL_URL: dt.url,
    DT_NOURL_TOKEN: 'dt0s16.NOURL.nourl-secret-part',
    ...extra,
  };
  const fleet = await startFleetServer({ port: 0, env });
  const clients = new Map<string, Client>();
  return {
    dt,
    fleet,
    async client(server) {
      let c = clients.get(server);
      if (!c) {
        c = await connectClient(`${fleet.url}/${server}/mcp`);
        clients.set(server, c);
      }
      return c;
    },
    async close() {
      for (const c of clients.values()) await c.close();
      await fleet.close(1000);
      await dt.close();
    },
  };
}

export interface Called {
  readonly text: string;
  readonly isError: boolean;
  readonly data: any;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Called> {
  const result = await client.callTool({ name, arguments: args });
  return { text: textOf(result), isError: result.isError === true, data: result.structuredContent };
}

/** The JSON after the first line of a list answer. */
export function rowsOf(text: string): any[] {
  return JSON.parse(text.slice(text.indexOf('\n') + 1));
}
