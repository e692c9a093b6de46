/**
 * The GitLab tool tests' set-up, once: a fake GitLab and the node server in front of it. Every
 * server of `MCP_SERVERS` (or `SERVER_NAME`) points at the fake unless `env` gives its URL.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFleetServer, type FleetServer } from '../../../../runtime/entrypoints/server';
import { environmentPrefix, parseServerList } from '../../../../src/contract';
import { startFakeGitLab, type FakeGitLab } from '../../../fakes/fake-gitlab';
import { connectClient } from '../../../helpers/mcp-client';

export interface GitLabFleet {
  readonly gitlab: FakeGitLab;
  readonly fleet: FleetServer;
  /** An SDK client of one server (closed by `close`). */
  connect(server: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startGitLabFleet(env: NodeJS.ProcessEnv): Promise<GitLabFleet> {
  const gitlab = await startFakeGitLab();
  const urls = parseServerList(env.MCP_SERVERS ?? env.SERVER_NAME ?? '').map(({ name }) => [`${environmentPrefix(name)}_API_URL`, gitlab.url]);
  const fleet = await startFleetServer({ port: 0, env: { LOG_LEVEL: 'SILENT', ...Object.fromEntries(urls), ...env } });
  const clients: Client[] = [];
  return {
    gitlab,
    fleet,
    async connect(server) {
      const client = await connectClient(`${fleet.url}/${server}/mcp`);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await fleet.close(1000);
      await gitlab.close();
    },
  };
}
