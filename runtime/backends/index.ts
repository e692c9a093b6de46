/** Every backend the runtime can host, by kind. */
import { gitlab } from './gitlab';
import type { BackendDefinition } from '../core/types';

export const BACKENDS: ReadonlyMap<string, BackendDefinition> = new Map([
  [gitlab.kind, gitlab],
]);
