/**
 * Per-request facts (request id, deadline, abort signal, caller), passed explicitly from the
 * pipeline to the tool call: no AsyncLocalStorage, whose promise hooks slow every promise.
 */

export interface RequestScope {
  readonly requestId: string;
  /** Epoch ms by which the answer must be sent. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** Who is calling (`sub:<jwt subject>`, `iam:<arn>`, `api-key:<id>`), for log lines; never a credential. */
  readonly caller?: string;
}
