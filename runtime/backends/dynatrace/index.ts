/**
 * Dynatrace (SaaS or Managed) through whichever API its token reaches: a platform token
 * (`dt0s16.*`, Bearer) queries Grail with DQL on the platform URL; a classic access token
 * (`dt0c01.*`, `Api-Token`) calls the Environment API v2 on the environment URL. Each tool picks
 * the API from the token kind (`traits`), and a tool that exists on one API only says which token
 * it needs.
 *
 * The variables (URL, PLATFORM_URL, SCAN_LIMIT_GBYTES, the token) and the tool names are the
 * contract `DYNATRACE_BACKEND` (src/contract/kinds/dynatrace.ts), which `McpServer.dynatrace()`
 * renders. Token kinds and URLs: tokens.ts; Grail's execute/poll and caps: grail.ts; classic
 * paging: paging.ts; selectors and DQL from typed filters: selectors.ts; failures: failures.ts;
 * natural language to DQL (Davis CoPilot): tools/copilot.ts.
 */
import { describeDynatraceFailure } from './failures';
import { dynatraceAuth, dynatraceTraits } from './tokens';
import { defineBackend } from '../../kit';
import { copilotTools } from './tools/copilot';
import { dqlTools } from './tools/dql';
import { entityTools } from './tools/entities';
import { environmentTools } from './tools/environment';
import { problemTools } from './tools/problems';
import { securityTools } from './tools/security';
import { telemetryTools } from './tools/telemetry';
import { writeTools } from './tools/writes';
import { DYNATRACE_BACKEND } from '../../../src/contract';

export { describeDynatraceFailure } from './failures';
export { derivePlatformUrl, tokenFormat } from './tokens';
export { absoluteTime, dqlString, selectorValue } from './selectors';

export const dynatrace = defineBackend(DYNATRACE_BACKEND, {
  tools: [...environmentTools, ...problemTools, ...entityTools, ...telemetryTools, ...securityTools, ...dqlTools, ...copilotTools, ...writeTools],
  auth: dynatraceAuth,
  describeFailure: describeDynatraceFailure,
  traits: dynatraceTraits,
});
