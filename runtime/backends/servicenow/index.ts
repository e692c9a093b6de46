/**
 * ServiceNow: its tools are written on the kit (runtime/kit) from the contract `SERVICENOW_BACKEND`
 * (src/contract/kinds/servicenow.ts), which `McpServer.servicenow()` renders.
 */
import { SERVICENOW_BACKEND } from '../../../src/contract';
import { auth, defineBackend, describeFailures } from '../../kit';

export const servicenow = defineBackend(SERVICENOW_BACKEND, {
  tools: [],
  auth: auth.none(),
  describeFailure: describeFailures({ displayName: 'ServiceNow', hints: {} }),
});
