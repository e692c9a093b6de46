/**
 * The tools/list entries the bundle answers from (`assets/<dir>/tools-<kind>.json`, written by
 * runtime/build.ts) are what the source computes from the tool definitions, and a server narrows
 * them to the tools it offers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allBackends } from '../../runtime/backends';
import { listingOf } from '../../runtime/core/sdk';
import { ASSETS, LAMBDA_BUNDLE, ensureBundle } from '../helpers/bundle';

const saved = { ...process.env };
beforeAll(() => ensureBundle());
afterAll(() => {
  for (const key of ['SERVER_NAME', 'GITLAB_TOOLS_DENY', 'LOG_LEVEL']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('the bundle\'s tools/list entries', () => {
  it.each([...allBackends().keys()])('%s: equal the listing computed from the definitions, in both bundles', (kind) => {
    const expected = JSON.parse(JSON.stringify(listingOf(allBackends().get(kind)!.tools)));
    for (const dir of ['lambda', 'server']) {
      expect(JSON.parse(readFileSync(join(ASSETS, dir, `tools-${kind}.json`), 'utf8'))).toEqual(expected);
    }
  });

  it('are narrowed to the tools a server offers (writes off, a deny list)', async () => {
    // Prepare: the bundled Lambda handler, a GitLab server without writes and without one read tool
    process.env.SERVER_NAME = 'gitlab';
    process.env.GITLAB_TOOLS_DENY = 'get_job_log';
    process.env.LOG_LEVEL = 'silent';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(LAMBDA_BUNDLE) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }> };
    const event = {
      httpMethod: 'POST',
      path: '/gitlab',
      resource: '/gitlab',
      isBase64Encoded: false,
      requestContext: { requestId: 'listing' },
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    };
    // Act
    const res = await handler(event, { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'listing', functionName: 'test' });
    // Assess
    const names = (JSON.parse(res.body) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
    const gitlab = allBackends().get('gitlab')!;
    expect(names).toEqual(gitlab.tools.filter((t) => !t.mutating && t.name !== 'get_job_log').map((t) => t.name));
  });
});
