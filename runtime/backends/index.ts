/** Every backend the runtime can host, by kind. */
import type { BackendDefinition } from '../core/types';
import { gitlab } from './gitlab';

export const BACKENDS: ReadonlyMap<string, BackendDefinition> = new Map([
  [gitlab.kind, gitlab],
]);
