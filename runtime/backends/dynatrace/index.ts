/**
 * Dynatrace: its tools are written on the kit (runtime/kit) from the contract `DYNATRACE_BACKEND`
 * (src/contract/kinds/dynatrace.ts), which `McpServer.dynatrace()` renders.
 */
import { DYNATRACE_BACKEND } from '../../../src/contract';
import { auth, defineBackend, describeFailures } from '../../kit';

export const dynatrace = defineBackend(DYNATRACE_BACKEND, {
  tools: [],
  auth: auth.none(),
  describeFailure: describeFailures({ displayName: 'Dynatrace', hints: {} }),
});
