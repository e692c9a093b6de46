/** Every backend the runtime can host, by kind. */
import { atlassian } from './atlassian';
import { dynatrace } from './dynatrace';
import { gitlab } from './gitlab';
import { pagerduty } from './pagerduty';
import { servicenow } from './servicenow';
import type { BackendDefinition } from '../core/types';

export const BACKENDS: ReadonlyMap<string, BackendDefinition> = new Map(
  [gitlab, atlassian, pagerduty, dynatrace, servicenow].map((backend) => [backend.kind, backend]),
);
