/**
 * The PagerDuty tool tests' set-up, once: a fake PagerDuty and the node server in front of it,
 * with servers that differ in their key and their From user. Every server of `MCP_SERVERS` points
 * at the fake unless `env` gives its URL.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { FAKE_PAGERDUTY_KEYS, startFakePagerDuty, type FakePagerDuty } from '../../../fakes/fake-pagerduty';
import { callTool, startBackendFleet, type BackendFleet } from '../fleet';

export { rowsOf } from '../fleet';

export interface PagerDutyFleet extends BackendFleet<FakePagerDuty> {
  readonly pagerduty: FakePagerDuty;
  /** Calls a tool of a server: its result, text and whether it is an error. */
  call(server: string, name: string, args?: Record<string, unknown>): Promise<{ result: Awaited<ReturnType<Client['callTool']>>; text: string; isError: boolean }>;
}

/**
 * The servers: `pagerduty` (Alice's user key, read-only), `pd-rw` (her key, writes on), `pd-acct`
 * (an account key, writes on, no From), `pd-from` (an account key, writes on, From bob@example.com),
 * `pd-ro` (a read-only account key, writes on), `pd-stranger` (an account key, From nobody),
 * `pd-revoked` (a revoked key).
 */
export const SERVERS = 'pagerduty,pd-rw:pagerduty,pd-acct:pagerduty,pd-from:pagerduty,pd-ro:pagerduty,pd-stranger:pagerduty,pd-revoked:pagerduty';

export async function startPagerDutyFleet(env: NodeJS.ProcessEnv = {}): Promise<PagerDutyFleet> {
  const fleet = await startBackendFleet(env, {
    start: startFakePagerDuty,
    perServer: (pagerduty) => ({ API_URL: pagerduty.url }),
    base: () => ({
      MCP_SERVERS: SERVERS,
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
    }),
  });
  return {
    ...fleet,
    pagerduty: fleet.fake,
    async call(server, name, args = {}) {
      return callTool(await fleet.client(server), name, args);
    },
  };
}

/**
 * Inside a `describe`: the fleet of `SERVERS` (and `env`), started before the tests and closed
 * after them, with the fake reset before each test.
 */
export function usePagerDutyFleet(env: NodeJS.ProcessEnv = {}): PagerDutyFleet {
  let setup: PagerDutyFleet;
  beforeAll(async () => {
    setup = await startPagerDutyFleet({ MCP_SERVERS: SERVERS, ...env });
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.pagerduty.reset());
  return {
    get pagerduty() {
      return setup.pagerduty;
    },
    get fake() {
      return setup.fake;
    },
    get fleet() {
      return setup.fleet;
    },
    connect: (server) => setup.connect(server),
    client: (server) => setup.client(server),
    call: (server, name, args) => setup.call(server, name, args),
    close: () => setup.close(),
  };
}
