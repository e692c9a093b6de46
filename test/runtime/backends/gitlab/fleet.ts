/**
 * The GitLab tool tests' set-up, once: a fake GitLab and the node server in front of it. Every
 * server of `MCP_SERVERS` (or `SERVER_NAME`) points at the fake unless `env` gives its URL.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFakeGitLab, type FakeGitLab } from '../../../fakes/fake-gitlab';
import { callTool, startBackendFleet, type BackendFleet, type Called } from '../fleet';

export interface GitLabFleet extends BackendFleet<FakeGitLab> {
  readonly gitlab: FakeGitLab;
}

export async function startGitLabFleet(env: NodeJS.ProcessEnv): Promise<GitLabFleet> {
  const fleet = await startBackendFleet(env, { start: startFakeGitLab, perServer: (gitlab) => ({ API_URL: gitlab.url }) });
  return { ...fleet, gitlab: fleet.fake };
}

export interface GitLabServer {
  readonly gitlab: FakeGitLab;
  /** Its SDK client, the tools listed (so it checks every later result against its tool's outputSchema). */
  readonly client: Client;
  /** Calls a tool: its result, text, structured content and whether it is an error. */
  call(name: string, args: Record<string, unknown>): Promise<Called>;
}

/**
 * Inside a `describe`: one server `gitlab` (`SERVER_NAME=gitlab` and `env`) in front of a fake
 * GitLab, started before the tests and closed after them, with the fake's records cleared before
 * each test.
 */
export function useGitLabServer(env: NodeJS.ProcessEnv): GitLabServer {
  let setup: GitLabFleet;
  let client: Client;
  beforeAll(async () => {
    setup = await startGitLabFleet({ SERVER_NAME: 'gitlab', ...env });
    client = await setup.connect('gitlab');
    await client.listTools();
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    setup.gitlab.requests.length = 0;
  });
  return {
    get gitlab() {
      return setup.gitlab;
    },
    get client() {
      return client;
    },
    call: (name, args) => callTool(client, name, args),
  };
}
