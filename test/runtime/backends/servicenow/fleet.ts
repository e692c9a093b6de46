/**
 * The ServiceNow tool tests' set-up, once: a fake instance and the node server in front of it.
 * Every server of `MCP_SERVERS` points at the fake unless `env` gives its URL. Connecting lists
 * the tools, so the SDK client checks every later result against its tool's outputSchema.
 */
import { startFakeServiceNow, type FakeServiceNow } from '../../../fakes/fake-servicenow';
import { callTool, startBackendFleet, type BackendFleet } from '../fleet';

export { rowsOf } from '../fleet';

export interface ServiceNowFleet extends BackendFleet<FakeServiceNow> {
  readonly sn: FakeServiceNow;
}

export async function startServiceNowFleet(env: NodeJS.ProcessEnv): Promise<ServiceNowFleet> {
  const fleet = await startBackendFleet(env, { start: startFakeServiceNow, perServer: (sn) => ({ INSTANCE_URL: sn.url }), listTools: true });
  return { ...fleet, sn: fleet.fake };
}

/** Calls a tool: its result, text, and whether it is an error. */
export const call = callTool;
