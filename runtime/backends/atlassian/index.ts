/**
 * Atlassian: its tools are written on the kit (runtime/kit) from the contract `ATLASSIAN_BACKEND`
 * (src/contract/kinds/atlassian.ts), which `McpServer.atlassian()` renders.
 */
import { ATLASSIAN_BACKEND } from '../../../src/contract';
import { auth, defineBackend, describeFailures } from '../../kit';

export const atlassian = defineBackend(ATLASSIAN_BACKEND, {
  tools: [],
  auth: auth.none(),
  describeFailure: describeFailures({ displayName: 'Atlassian', hints: {} }),
});
