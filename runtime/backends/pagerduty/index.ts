/**
 * PagerDuty: its tools are written on the kit (runtime/kit) from the contract `PAGERDUTY_BACKEND`
 * (src/contract/kinds/pagerduty.ts), which `McpServer.pagerduty()` renders.
 */
import { PAGERDUTY_BACKEND } from '../../../src/contract';
import { auth, defineBackend, describeFailures } from '../../kit';

export const pagerduty = defineBackend(PAGERDUTY_BACKEND, {
  tools: [],
  auth: auth.none(),
  describeFailure: describeFailures({ displayName: 'PagerDuty', hints: {} }),
});
