/**
 * The Dynatrace write tools: absent from tools/list and refused unless the server allows writes,
 * classic-token only (a platform token is told which token they need), and the exact Environment
 * API v2 request each one makes.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, startDynatraceFleet, type DynatraceFleet } from './fleet';

const WRITES = ['add_problem_comment', 'close_problem', 'send_event'];

describe('Dynatrace write tools', () => {
  let setup: DynatraceFleet;
  let reader: Client;
  let writer: Client;

  beforeAll(async () => {
    setup = await startDynatraceFleet();
    reader = await setup.client('dynatrace');
    writer = await setup.client('dt-rw');
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.dt.reset());

  const requests = () => setup.dt.requests;

  it('are not listed, and refused, where writes are off', async () => {
    const names = (await reader.listTools()).tools.map((t) => t.name);
    for (const w of WRITES) expect(names).not.toContain(w);
    const { isError, text } = await callTool(reader, 'add_problem_comment', { problem_id: 'P-2311123', message: 'hi' });
    expect(isError).toBe(true);
    expect(text).toBe('Tool add_problem_comment disabled: writes are off for server dynatrace (set DYNATRACE_ALLOW_WRITES=true to enable them)');
    expect(requests()).toHaveLength(0);
  });

  it('are listed with write annotations where writes are on', async () => {
    const tools = (await writer.listTools()).tools.filter((t) => WRITES.includes(t.name));
    expect(tools.map((t) => t.name).sort()).toEqual([...WRITES].sort());
    for (const t of tools) expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });

  it('add_problem_comment resolves a display id, then posts the comment (201 without a body)', async () => {
    const { isError, text, data } = await callTool(writer, 'add_problem_comment', { problem_id: 'P-2311123', message: 'Rolled back payments 2.3.1', context: 'incident bot' });
    expect(isError).toBe(false);
    expect(requests().map((r) => [r.method, r.path])).toEqual([
      ['GET', '/api/v2/problems'],
      ['POST', '/api/v2/problems/-7513698357812339401_1700000000000V2/comments'],
    ]);
    expect(requests()[1].body).toEqual({ message: 'Rolled back payments 2.3.1', context: 'incident bot' });
    expect(requests()[1].headers.authorization).toBe('Api-Token dt0c01.WRITER.fake-writer-secret-part');
    expect(text).toBe('Added a comment to problem P-2311123.');
    expect(data).toEqual({ problem_id: '-7513698357812339401_1700000000000V2' });
  });

  it('close_problem posts the closing comment', async () => {
    const { text } = await callTool(writer, 'close_problem', { problem_id: '-7513698357812339401_1700000000000V2', message: 'Fixed by 2.3.2' });
    expect(requests()).toHaveLength(1);
    expect(requests()[0]).toMatchObject({ method: 'POST', path: '/api/v2/problems/-7513698357812339401_1700000000000V2/close', body: { message: 'Fixed by 2.3.2' } });
    expect(text).toBe('Closing problem -7513698357812339401_1700000000000V2.');
  });

  it('send_event posts a deployment marker with its deployment properties and a quoted entity selector', async () => {
    const { isError, text, data } = await callTool(writer, 'send_event', {
      event_type: 'CUSTOM_DEPLOYMENT',
      title: 'Deploy payments 2.3.2',
      entity_type: 'SERVICE',
      entity_name_contains: 'pay"ments',
      deployment_name: 'payments',
      deployment_version: '2.3.2',
      ci_back_link: 'https://gitlab.example.com/platform/payments/-/pipelines/9001',
      properties: { 'git.sha': 'abc123' },
    });
    expect(isError).toBe(false);
    expect(requests()).toHaveLength(1);
    expect(requests()[0]).toMatchObject({ method: 'POST', path: '/api/v2/events/ingest' });
    expect(requests()[0].body).toEqual({
      eventType: 'CUSTOM_DEPLOYMENT',
      title: 'Deploy payments 2.3.2',
      entitySelector: 'type("SERVICE"),entityName.contains("pay~"ments")',
      properties: {
        'git.sha': 'abc123',
        'dt.event.deployment.name': 'payments',
        'dt.event.deployment.version': '2.3.2',
        'dt.event.deployment.ci_back_link': 'https://gitlab.example.com/platform/payments/-/pipelines/9001',
      },
    });
    expect(text).toBe('Sent CUSTOM_DEPLOYMENT "Deploy payments 2.3.2": 1 entity reported, 1 accepted.');
    expect(data).toEqual({ report_count: 1, results: [{ correlationId: 'b9c8d7e6a5f40312', status: 'OK' }] });
  });

  it('send_event offers only event types that annotate (no alerts), and keeps deployment fields to deployments', async () => {
    const alert = await callTool(writer, 'send_event', { event_type: 'ERROR_EVENT', title: 'x' });
    expect(alert.isError).toBe(true);
    expect(alert.text).toMatch(/^Input validation error: .*event_type/s);
    const info = await callTool(writer, 'send_event', { event_type: 'CUSTOM_INFO', title: 'x', deployment_version: '1' });
    expect(info).toMatchObject({ isError: true, text: 'deployment_name and deployment_version belong to CUSTOM_DEPLOYMENT events, not CUSTOM_INFO' });
    expect(requests()).toHaveLength(0);
  });

  it('with a platform token, the writes say they need a classic token and call nothing', async () => {
    const grail = await setup.client('dt-grail');
    for (const [tool, args] of [
      ['add_problem_comment', { problem_id: 'P-1', message: 'x' }],
      ['close_problem', { problem_id: 'P-1', message: 'x' }],
      ['send_event', { event_type: 'CUSTOM_INFO', title: 'x' }],
    ] as const) {
      const { isError, text } = await callTool(grail, tool, args);
      expect(isError).toBe(true);
      expect(text).toMatch(new RegExp(`^${tool} needs a classic access token \\(dt0c01\\.\\*\\).*configure a classic access token \\(dt0c01\\.\\*\\) with problems\\.write / events\\.ingest`));
    }
    expect(requests()).toHaveLength(0);
    expect(setup.dt.platform.requests).toHaveLength(0);
  });

  it('a comment on an unknown problem is a 404 naming it', async () => {
    const { isError, text } = await callTool(writer, 'add_problem_comment', { problem_id: '-99_1V2', message: 'x' });
    expect(isError).toBe(true);
    expect(text).toMatch(/^Dynatrace answered 404 for POST \/api\/v2\/problems\/-99_1V2\/comments: The problem -99_1V2 was not found/);
  });
});
