/**
 * The GitLab tool tests' set-up, once: a fake GitLab and the node server in front of it. Every
 * server of `MCP_SERVERS` (or `SERVER_NAME`) points at the fake unless `env` gives its URL.
 */
import { startFakeGitLab, type FakeGitLab } from '../../../fakes/fake-gitlab';
import { startBackendFleet, type BackendFleet } from '../fleet';

export interface GitLabFleet extends BackendFleet<FakeGitLab> {
  readonly gitlab: FakeGitLab;
}

export async function startGitLabFleet(env: NodeJS.ProcessEnv): Promise<GitLabFleet> {
  const fleet = await startBackendFleet(env, { start: startFakeGitLab, perServer: (gitlab) => ({ API_URL: gitlab.url }) });
  return { ...fleet, gitlab: fleet.fake };
}
