/**
 * The transport between the HTTP pipeline and a long-lived SDK `Server`, on the SDK's public
 * `Transport` interface.
 *
 * The SDK's stateless pattern builds a `WebStandardStreamableHTTPServerTransport` (and connects a
 * server to it) for every request: a `Request`, a `Response` with a stream body read back, two
 * abort controllers, and a close that builds an error with a stack trace. Here one transport per
 * hosted server lives as long as the process. The pipeline keeps the HTTP rules of Streamable HTTP
 * (methods, media types, protocol version, notifications → 202, JSON answers); this transport only
 * hands parsed messages to the server and gives each request its answer back.
 *
 * Requests of concurrent HTTP requests may carry the same JSON-RPC id (every client starts at 0 or
 * 1), so each is handed over under an id of its own and answered under the caller's.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Answer = JSONRPCMessage & { id: string | number };

export class DirectTransport implements Transport {
  public onmessage?: (message: JSONRPCMessage) => void;
  public onclose?: () => void;
  public onerror?: (error: Error) => void;

  private nextId = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();

  public async start(): Promise<void> {
    // Nothing to open: messages arrive through `request` and `notify`.
  }

  public async close(): Promise<void> {
    this.waiting.clear();
    this.onclose?.();
  }

  /**
   * The server's messages. Answers go to their waiting request; anything else (a progress or log
   * notification, a request to the client) has no channel in a stateless JSON answer and is
   * dropped, as the SDK's transport does in JSON response mode.
   */
  public async send(message: JSONRPCMessage): Promise<void> {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'number' || !('result' in message || 'error' in message)) return;
    const answer = this.waiting.get(id);
    if (!answer) return; // abandoned at its deadline
    this.waiting.delete(id);
    answer(message as Answer);
  }

  /** Hands a notification to the server. */
  public notify(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }

  /**
   * Hands a request to the server under an id of its own (`onId` learns it before the server does)
   * and resolves with the answer, under the request's own id.
   */
  public request(message: JSONRPCMessage & { id: string | number }, onId?: (id: number) => void): Promise<Answer> {
    const id = this.nextId++;
    return new Promise<Answer>((resolve) => {
      this.waiting.set(id, (answer) => resolve({ ...answer, id: message.id }));
      onId?.(id);
      this.onmessage?.({ ...message, id });
    });
  }

  /** Stops waiting for the answer to `id` (its HTTP request has been answered otherwise). */
  public abandon(id: number): void {
    this.waiting.delete(id);
  }

  /** Requests waiting for their answer. */
  public get pending(): number {
    return this.waiting.size;
  }
}
