/**
 * The PagerDuty tool tests' set-up, once: a fake PagerDuty and the node server in front of it,
 * with servers that differ in their key and their From user. Every server of `MCP_SERVERS` points
 * at the fake unless `env` gives its URL.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../../runtime/entrypoints/server';
import { environmentPrefix, parseServerList } from '../../../../src/contract';
import { FAKE_PAGERDUTY_KEYS, startFakePagerDuty, type FakePagerDuty } from '../../../fakes/fake-pagerduty';
import { connectClient, textOf } from '../../../helpers/mcp-client';

export interface PagerDutyFleet {
  readonly pagerduty: FakePagerDuty;
  readonly fleet: FleetServer;
  /** An SDK client of one server (cached; closed by `close`). */
  client(server: string): Promise<Client>;
  /** Calls a tool of a server: its result, text and whether it is an error. */
  call(server: string, name: string, args?: Record<string, unknown>): Promise<{ result: Awaited<ReturnType<Client['callTool']>>; text: string; isError: boolean }>;
  close(): Promise<void>;
}

/**
 * The servers: `pagerduty` (Alice's user key, read-only), `pd-rw` (her key, writes on), `pd-acct`
 * (an account key, writes on, no From), `pd-from` (an account key, writes on, From bob@example.com),
 * `pd-ro` (a read-only account key, writes on), `pd-stranger` (an account key, From nobody),
 * `pd-revoked` (a revoked key).
 */
export const SERVERS = 'pagerduty,pd-rw:pagerduty,pd-acct:pagerduty,pd-from:pagerduty,pd-ro:pagerduty,pd-stranger:pagerduty,pd-revoked:pagerduty';

export async function startPagerDutyFleet(env: NodeJS.ProcessEnv = {}): Promise<PagerDutyFleet> {
  const pagerduty = await startFakePagerDuty();
  const servers = env.MCP_SERVERS ?? SERVERS;
  const urls = parseServerList(servers).map(({ name }) => [`${environmentPrefix(name)}_API_URL`, pagerduty.url]);
  const fleet = await startFleetServer({
    port: 0,
    env: {
      LOG_LEVEL: 'SILENT',
      MCP_SERVERS: servers,
      ...Object.fromEntries(urls),
      PAGERDUTY_TOKEN: FAKE_PAGERDUTY_KEYS.user,
      PD_RW_TOKEN: FAKE_PAGERDUTY_KEYS.user,
      PD_RW_ALLOW_WRITES: 'true',
      PD_ACCT_TOKEN: FAKE_PAGERDUTY_KEYS.account,
      PD_ACCT_ALLOW_WRITES: 'true',
      PD_FROM_TOKEN: FAKE_PAGERDUTY_KEYS.account,
      PD_FROM_ALLOW_WRITES: 'true',
      PD_FROM_FROM_EMAIL: 'bob@example.com',
      PD_RO_TOKEN: FAKE_PAGERDUTY_KEYS.readOnly,
      PD_RO_ALLOW_WRITES: 'true',
      PD_RO_FROM_EMAIL: 'bob@example.com',
      PD_STRANGER_TOKEN: FAKE_PAGERDUTY_KEYS.account,
      PD_STRANGER_ALLOW_WRITES: 'true',
      PD_STRANGER_FROM_EMAIL: 'nobody@example.com',
      PD_REVOKED_TOKEN: FAKE_PAGERDUTY_KEYS.revoked,
      UPSTREAM_TIMEOUT_MS: '2000',
      REQUEST_BUDGET_MS: '8000',
      ...env,
    },
  });
  const clients = new Map<string, Client>();
  const client = async (server: string) => {
    let c = clients.get(server);
    if (!c) {
      c = await connectClient(`${fleet.url}/${server}/mcp`);
      clients.set(server, c);
    }
    return c;
  };
  return {
    pagerduty,
    fleet,
    client,
    async call(server, name, args = {}) {
      const result = await (await client(server)).callTool({ name, arguments: args });
      return { result, text: textOf(result), isError: result.isError === true };
    },
    async close() {
      for (const c of clients.values()) await c.close();
      await fleet.close(1000);
      await pagerduty.close();
    },
  };
}

/** The JSON after the first line of a list answer (the first line is the paging sentence). */
export function rowsOf(text: string): any[] {
  return JSON.parse(text.slice(text.indexOf('\n') + 1));
}
