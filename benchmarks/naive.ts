/**
 * The naive baseline the runtime is measured against: the SDK's documented stateless pattern
 * with the same GitLab tools (input and output schemas) — a new McpServer, every tool registered,
 * and a new transport for every request. Bundled by the benchmark exactly like the real runtime.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { gitlab } from '../runtime/backends/gitlab';
import { loadConfig } from '../runtime/core/config';
import { CredentialStore } from '../runtime/core/credentials';
import { createUpstreamClient } from '../runtime/core/upstream';

const config = loadConfig({ SERVER_NAME: 'gitlab', ...process.env }, new Map([['gitlab', gitlab]]));
const server = config.servers[0];
const credentials = new CredentialStore(300);

function buildServer(): McpServer {
  const mcp = new McpServer({ name: 'gitlab-mcp-server', version: '1.0.0' });
  for (const tool of gitlab.tools) {
    if (tool.mutating && !server.allowWrites) continue;
    const meta = {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema.shape,
      outputSchema: tool.outputSchema?.shape,
      annotations: tool.annotations,
    };
    mcp.registerTool(tool.name, meta, (args: unknown) =>
      tool.handler(args, {
        upstream: createUpstreamClient({ server, credentials, deadline: Date.now() + 29_000, attemptTimeoutMs: 10_000, tool: tool.name }),
        serverName: server.name,
        signal: new AbortController().signal,
        settings: server.settings,
        remember: (_key, compute) => compute(),
        traits: async () => ({}),
      }));
  }
  return mcp;
}

async function answer(request: Request): Promise<Response> {
  const mcp = buildServer();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await mcp.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await transport.close();
    await mcp.close();
  }
}

/** Lambda-style entry: the REST v1 event shape. */
export async function handler(event: { httpMethod: string; path: string; headers: Record<string, string>; body: string | null }) {
  const res = await answer(new Request(`https://api.example.com${event.path}`, { method: event.httpMethod, headers: event.headers, body: event.body }));
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => { headers[k] = v; });
  return { statusCode: res.status, headers, body: await res.text() };
}

/** Node http entry, printing its URL. */
export function serve(port = 0): void {
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const out = await answer(new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      }));
      const headers: Record<string, string> = {};
      out.headers.forEach((v, k) => { headers[k] = v; });
      res.writeHead(out.status, headers);
      res.end(Buffer.from(await out.arrayBuffer()));
    });
  });
  http.listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${(http.address() as AddressInfo).port}\n`));
}

if (require.main === module && process.argv[2] === 'serve') serve();
