/**
 * The Atlassian tool tests' set-up, once: a fake Atlassian site (with its API gateway) and the
 * node server in front of it. Every server of `MCP_SERVERS` points at the fake (its URL, and its
 * gateway for CLOUD_ID calls) unless `env` says otherwise.
 */
import { startFakeAtlassian, type FakeAtlassian } from '../../../fakes/fake-atlassian';
import { startBackendFleet, type BackendFleet } from '../fleet';

export { callTool } from '../fleet';

export interface AtlassianFleet extends BackendFleet<FakeAtlassian> {
  readonly site: FakeAtlassian;
}

export const EMAIL = 'ann@example.com';
export const TOKEN = 'ATATT3xFfGF0-classic-token-0001';
export const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;

export async function startAtlassianFleet(env: NodeJS.ProcessEnv): Promise<AtlassianFleet> {
  const fleet = await startBackendFleet(env, {
    start: startFakeAtlassian,
    perServer: (site) => ({ URL: site.url, GATEWAY_URL: site.gatewayUrl, EMAIL, TOKEN }),
  });
  return { ...fleet, site: fleet.fake };
}
