/**
 * The MCP SDK's values the runtime uses, in one module that `mcp.ts` requires on first use: the
 * SDK builds hundreds of zod schemas when it loads, which a cold start answering `tools/list`
 * from the listing computed at build time (runtime/build.ts) does not need.
 */
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from './types';

export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export { getParseErrorMessage } from '@modelcontextprotocol/sdk/server/zod-compat.js';
export {
  CallToolRequestSchema, DEFAULT_NEGOTIATED_PROTOCOL_VERSION, JSONRPCMessageSchema, ListToolsRequestSchema, SUPPORTED_PROTOCOL_VERSIONS,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

/** The tools/list entries of `tools`, in their order: what the listing is, at build time or on first use. */
export function listingOf(tools: readonly ToolDefinition[]): Tool[] {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: toJsonSchemaCompat(t.inputSchema, { strictUnions: true, pipeStrategy: 'input' }) as Tool['inputSchema'],
    ...(t.outputSchema ? { outputSchema: toJsonSchemaCompat(t.outputSchema, { strictUnions: true, pipeStrategy: 'output' }) as Tool['outputSchema'] } : {}),
    annotations: { title: t.title, ...t.annotations },
  }));
}
