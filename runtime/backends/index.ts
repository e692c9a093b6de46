/**
 * Every backend the runtime can host, by kind. `BACKEND_SOURCES` gives each as its contract and a
 * loader, so a process builds the tools (and their zod schemas) of the kinds it hosts only, when
 * it first needs them; `BACKENDS` is every definition, loaded (for tests and tooling).
 */
import { ATLASSIAN_BACKEND, DYNATRACE_BACKEND, GITLAB_BACKEND, PAGERDUTY_BACKEND, SERVICENOW_BACKEND } from '../../src/contract';
import type { BackendDefinition, BackendSource } from '../core/types';

/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function is what makes esbuild evaluate the module lazily */
export const BACKEND_SOURCES: ReadonlyMap<string, BackendSource> = new Map<string, BackendSource>([
  [GITLAB_BACKEND.kind, { contract: GITLAB_BACKEND, load: () => (require('./gitlab') as typeof import('./gitlab')).gitlab }],
  [ATLASSIAN_BACKEND.kind, { contract: ATLASSIAN_BACKEND, load: () => (require('./atlassian') as typeof import('./atlassian')).atlassian }],
  [PAGERDUTY_BACKEND.kind, { contract: PAGERDUTY_BACKEND, load: () => (require('./pagerduty') as typeof import('./pagerduty')).pagerduty }],
  [DYNATRACE_BACKEND.kind, { contract: DYNATRACE_BACKEND, load: () => (require('./dynatrace') as typeof import('./dynatrace')).dynatrace }],
  [SERVICENOW_BACKEND.kind, { contract: SERVICENOW_BACKEND, load: () => (require('./servicenow') as typeof import('./servicenow')).servicenow }],
]);
/* eslint-enable @typescript-eslint/no-require-imports */

let all: ReadonlyMap<string, BackendDefinition> | undefined;

/** Every backend's definition, by kind (loads them all). */
export function allBackends(): ReadonlyMap<string, BackendDefinition> {
  all ??= new Map([...BACKEND_SOURCES].map(([kind, source]) => [kind, 'load' in source ? source.load() : source]));
  return all;
}
