/**
 * X-Ray through Powertools Tracer, in the bundled Lambda handler run as Lambda runs it: the
 * subsegments the X-Ray SDK streams to the daemon address (UDP) are caught on 127.0.0.1.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { startFakeGitLab, type FakeGitLab } from '../fakes/fake-gitlab';
import { LAMBDA_BUNDLE, ensureBundle } from '../helpers/bundle';
import { restEvent } from '../helpers/events';
import { runLambdaInChild } from '../helpers/lambda-child';

interface Subsegment {
  name: string;
  annotations?: Record<string, unknown>;
  error?: boolean;
  fault?: boolean;
  trace_id?: string;
  parent_id?: string;
}

describe('tracing', () => {
  let gitlab: FakeGitLab;
  let daemon: Socket;
  const received: string[] = [];

  beforeAll(async () => {
    await ensureBundle();
    gitlab = await startFakeGitLab();
    daemon = createSocket('udp4');
    daemon.on('message', (msg) => received.push(msg.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    daemon.close();
    await gitlab.close();
  });

  it('sends one subsegment per upstream call, annotated with server, tool, method and status', async () => {
    // Prepare
    const port = (daemon.address() as AddressInfo).port;
    gitlab.queue('GET', /\/projects\/77$/, { status: 503, body: 'busy' });
    const call = (id: number, projectId: number) => restEvent({
      path: '/gitlab/mcp',
      body: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_project', arguments: { project_id: projectId } } },
    });
    // Act
    const run = await runLambdaInChild({
      codeDirectory: dirname(LAMBDA_BUNDLE),
      handler: 'index.handler',
      functionName: 'gitlab-mcp-lambda',
      timeoutSeconds: 29,
      environment: {
        SERVER_NAME: 'gitlab',
        GITLAB_API_URL: gitlab.url,
        GITLAB_TOKEN: 'glpat-traced-token',
        LOG_LEVEL: 'SILENT',
        _X_AMZN_TRACE_ID: 'Root=1-6744b0c0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      },
      events: [call(1, 42), call(2, 77)],
    });
    await new Promise((r) => setTimeout(r, 300));
    // Assess
    expect(run.answers.map((a) => a.statusCode)).toEqual([200, 200]);
    const subsegments: Subsegment[] = received.map((m) => JSON.parse(m.slice(m.indexOf('\n') + 1)));
    const upstream = subsegments.filter((s) => s.name === '## gitlab GET');
    expect(upstream.map((s) => s.annotations)).toEqual([
      { server: 'gitlab', tool: 'get_project', method: 'GET', status: 200 },
      { server: 'gitlab', tool: 'get_project', method: 'GET', status: 503 },
      { server: 'gitlab', tool: 'get_project', method: 'GET', status: 200 },
    ]);
    for (const s of upstream) {
      expect(s.trace_id).toBe('1-6744b0c0-0123456789abcdef01234567');
      expect(s.parent_id).toBe('53995c3f42cd8ad8');
    }
    expect(received.join('\n')).not.toContain('glpat-traced-token');
  });
});
