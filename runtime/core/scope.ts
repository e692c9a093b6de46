/** Per-request facts (request id, deadline, abort signal) carried through async calls. */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  readonly requestId: string;
  /** Epoch ms by which the answer must be sent. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** Who is calling (`sub:<jwt subject>`, `iam:<arn>`, `api-key:<id>`), for log lines; never a credential. */
  readonly caller?: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** The current request's id, for log lines. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}
