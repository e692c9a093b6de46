/**
 * The backend kit: everything a backend in `runtime/backends/<kind>/` is written with.
 *
 * - `readTool` / `writeTool` / `listTool`: tools that say once whether they read or write;
 * - `answer.*`, `output.*`: answers (text + `structuredContent`) in one budget with one truncation envelope;
 * - `paging.*`: page number, offset/limit, cursor token and `Link` header onto one contract
 *   (`has_more`, an opaque `next_cursor`, and a sentence saying how to continue);
 * - `describeFailures`: the failure sentence with per-backend hints;
 * - `auth.*`: header, template, bearer, Basic from two credentials, OAuth client credentials;
 * - `pathSegment` / `segmentString`, `pick` / `rowSchema`, `plainText` / `textWindow`: fields, paths and text;
 * - `defineBackend`: joins a backend's contract and parts.
 *
 * @example
 * // runtime/backends/<kind>/index.ts
 * export const ticketing = defineBackend(TICKETING_BACKEND, {
 *   tools: [listTickets, addComment],
 *   auth: auth.basic('USERNAME', 'PASSWORD'),
 *   describeFailure: describeFailures({ displayName: 'Ticketing', hints: { 401: 'the user name or password is wrong' } }),
 * });
 */
export * from './answer';
export * from './auth';
export * from './backend';
export * from './failures';
export * from './fields';
export * from './paging';
export * from './paths';
export * from './text';
export * from './tools';
export type { AuthContext, BackendDefinition, Credentials, ToolContext, ToolDefinition, UpstreamFailure, UpstreamRequest, UpstreamResponse } from '../core/types';
