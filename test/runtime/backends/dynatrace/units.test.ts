/**
 * The Dynatrace backend's pure pieces: token kinds from their prefixes, the platform URL derived
 * from the environment URL, timeframes, and the quoting of selector and DQL values.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, startDynatraceFleet, type DynatraceFleet } from './fleet';
import { absoluteTime, derivePlatformUrl, dqlString, dynatrace, selectorValue, tokenFormat } from '../../../../runtime/backends/dynatrace';

describe('Dynatrace token kinds', () => {
  it.each([
    ['dt0c01.ABC.def', 'classic', 'dt0c01 (classic access token)'],
    ['dt0s16.ABC.def', 'platform', 'dt0s16 (platform token)'],
    ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'platform', 'JWT (OAuth access token)'],
    ['abcdefABCDEF0123456789', 'classic', 'unrecognised (sent as a classic access token)'],
  ])('%s is a %s token', (token, kind, format) => {
    expect(tokenFormat(token)).toEqual({ kind, format });
  });

  it('sends Api-Token for a classic token and Bearer for a platform one; traits name the kind, never the token', async () => {
    const ctx = { baseUrl: 'https://abc.live.dynatrace.com' };
    expect(await dynatrace.authHeaders({ TOKEN: 'dt0c01.A.b' }, ctx)).toEqual({ Authorization: 'Api-Token dt0c01.A.b' });
    expect(await dynatrace.authHeaders({ TOKEN: 'dt0s16.A.b' }, ctx)).toEqual({ Authorization: 'Bearer dt0s16.A.b' });
    expect(await dynatrace.authHeaders({}, ctx)).toEqual({});
    expect(dynatrace.traits!({ TOKEN: 'dt0s16.A.secret' })).toEqual({ tokenKind: 'platform', tokenFormat: 'dt0s16 (platform token)' });
    expect(JSON.stringify(dynatrace.traits!({ TOKEN: 'dt0c01.A.secret' }))).not.toContain('secret');
  });
});

describe('Dynatrace platform URL', () => {
  it.each([
    ['https://abc12345.live.dynatrace.com', 'https://abc12345.apps.dynatrace.com'],
    ['https://abc12345.live.dynatrace.com/', 'https://abc12345.apps.dynatrace.com'],
    ['https://abc12345.sprint.live.dynatracelabs.com', 'https://abc12345.sprint.apps.dynatracelabs.com'],
    ['https://abc12345.apps.dynatrace.com', 'https://abc12345.apps.dynatrace.com'],
    ['https://managed.example.com/e/abc12345', undefined],
    ['http://127.0.0.1:8080', undefined],
    [undefined, undefined],
  ])('%s -> %s', (url, platform) => {
    expect(derivePlatformUrl(url)).toBe(platform);
  });

  describe('without PLATFORM_URL and nothing to derive it from', () => {
    let setup: DynatraceFleet;
    let client: Client;
    beforeAll(async () => {
      setup = await startDynatraceFleet();
      client = await setup.client('dt-nourl');
    });
    afterAll(() => setup.close());

    it('a Grail tool says which variable to set, and calls nothing', async () => {
      const { isError, text } = await callTool(client, 'execute_dql', { query: 'fetch logs' });
      expect(isError).toBe(true);
      expect(text).toBe(`the platform (apps) URL of this Dynatrace environment is unknown: the server's URL (${setup.dt.url}) has no ".live." to turn into ".apps."; `
        + 'set DT_NOURL_PLATFORM_URL (e.g. https://<environment-id>.apps.dynatrace.com). Dynatrace Managed has no platform: use a classic access token there');
      expect(setup.dt.requests).toHaveLength(0);
      expect(setup.dt.platform.requests).toHaveLength(0);
    });

    it('get_environment_info reports the unknown platform URL as its failed probe', async () => {
      const { isError, data } = await callTool(client, 'get_environment_info');
      expect(isError).toBe(false);
      expect(data).toMatchObject({ token_kind: 'platform', environment_url: setup.dt.url, probe: { ok: false, error: expect.stringContaining('set DT_NOURL_PLATFORM_URL') } });
      expect(data).not.toHaveProperty('platform_url');
    });
  });
});

describe('Dynatrace values in queries', () => {
  it('quotes selector values, escaping " and ~ with ~', () => {
    expect(selectorValue('checkout')).toBe('"checkout"');
    expect(selectorValue('a"b~c')).toBe('"a~"b~~c"');
    expect(() => selectorValue('a\nb', 'name')).toThrow('name contains a control character');
  });

  it('quotes DQL strings, escaping \\ and "', () => {
    expect(dqlString('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(() => dqlString('a\u0000', 'text')).toThrow('text contains a control character');
  });

  it('turns relative timeframes into absolute ones for Grail', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(absoluteTime('now', now)).toBe('2026-11-20T10:00:00.000Z');
    expect(absoluteTime('now-2h', now)).toBe('2026-11-20T08:00:00.000Z');
    expect(absoluteTime('now-7d', now)).toBe('2026-11-13T10:00:00.000Z');
    expect(absoluteTime('2026-11-20T10:00:00+02:00', now)).toBe('2026-11-20T08:00:00.000Z');
  });
});
