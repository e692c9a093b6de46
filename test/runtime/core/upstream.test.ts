/**
 * The upstream client's behaviour, specified once for every backend, against the generic fake
 * HTTP API: what it sends (auth, query), when it gives up (time budget), what it retries,
 * what it never does (follow a redirect), how much it reads, and that no answer it hands on
 * carries a credential.
 */
import { getEventListeners } from 'node:events';
import type { ServerConfig } from '../../../runtime/core/config';
import type { CredentialStore } from '../../../runtime/core/credentials';
import type { BackendDefinition, Credentials, UpstreamFailure } from '../../../runtime/core/types';
import {
  MAX_CONCURRENT_UPSTREAM, MAX_ERROR_BODY_BYTES, MAX_JSON_BYTES, MAX_JSON_ROWS, MAX_TEXT_BYTES, Redactor, UpstreamError, createUpstreamClient,
  defaultConcurrency, retryHint, setUpstreamConcurrency, withUpstreamSlot, type SlotHold,
} from '../../../runtime/core/upstream';
import { startFakeHttpApi, type FakeHttpApi } from '../../fakes/fake-http-api';

const TOKEN = 'acme-s3cr3t-t0ken-0123456789';
const ROTATED = 'acme-r0tat3d-t0ken-9876543210';
/** How the test backend quotes an error body: its first 200 characters, like GitLab's 300/500. */
const QUOTE_CHARS = 200;

/** A backend with nothing but what the client uses: a bearer header and a failure sentence that cuts the body. */
const acme: BackendDefinition = {
  kind: 'acme',
  displayName: 'Acme',
  urlEnv: 'API_URL',
  credentials: [{ env: 'TOKEN', optional: false, description: 'Acme API token' }],
  settings: [],
  tools: [],
  authHeaders: (creds): Record<string, string> => (creds.TOKEN ? { authorization: `Bearer ${creds.TOKEN}` } : {}),
  describeFailure: (f: UpstreamFailure) => {
    const detail = typeof f.body === 'string' ? f.body : (f.body as { message?: string } | null)?.message ?? JSON.stringify(f.body);
    return `Acme answered ${f.status} for ${f.method} ${f.path}: ${String(detail).slice(0, QUOTE_CHARS)}`;
  },
};

const ACME_CONTRACT = { ...acme, tools: { read: [], write: [] } };

/** A credential store that hands out `creds` and, when refreshable, `rotated` on refresh. */
function store(creds: Credentials, rotated?: Credentials): CredentialStore & { refreshes: number } {
  const s = {
    refreshes: 0,
    get: async () => creds,
    refreshable: () => rotated !== undefined,
    refresh: async () => {
      s.refreshes++;
      return rotated ?? creds;
    },
  };
  return s as unknown as CredentialStore & { refreshes: number };
}

describe('Class: UpstreamClient', () => {
  let api: FakeHttpApi;
  let elsewhere: FakeHttpApi;

  beforeAll(async () => {
    api = await startFakeHttpApi({
      basePath: '/v1',
      routes: [
        { method: 'GET', path: '/v1/items', handle: () => ({ body: [{ id: 1 }] }) },
        { method: 'POST', path: '/v1/items', handle: (req) => ({ status: 201, body: { id: 2, sent: req.body } }) },
      ],
    });
    elsewhere = await startFakeHttpApi();
  });
  afterAll(async () => {
    await api.close();
    await elsewhere.close();
  });
  beforeEach(() => {
    api.reset();
    elsewhere.reset();
  });

  /** A client for `api` with a budget of `budgetMs` and fast backoff (no test waits on real backoff). */
  interface ClientOptions {
    creds?: Credentials;
    rotated?: Credentials;
    budgetMs?: number;
    attemptTimeoutMs?: number;
    baseUrl?: string;
    held?: SlotHold;
    signal?: AbortSignal;
  }
  function client(opts: ClientOptions = {}) {
    const credentials = store(opts.creds ?? { TOKEN }, opts.rotated);
    const server: ServerConfig = {
      name: 'acme', kind: 'acme', contract: ACME_CONTRACT, backend: acme, prefix: 'ACME', baseUrl: opts.baseUrl ?? api.url, allowWrites: true, credentials: [], settings: {}, missing: [],
    };
    const upstream = createUpstreamClient({
      server,
      credentials,
      deadline: Date.now() + (opts.budgetMs ?? 10_000),
      attemptTimeoutMs: opts.attemptTimeoutMs ?? 5_000,
      backoffBaseMs: 1,
      held: opts.held,
      signal: opts.signal,
    });
    return { upstream, credentials };
  }

  async function failure(p: Promise<unknown>): Promise<UpstreamError> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }

  describe('Method: request (what is sent)', () => {
    it('sends the backend\'s auth header, a user agent, and JSON for a body', async () => {
      // Act
      const res = await client().upstream.request({ method: 'POST', path: '/items', body: { name: 'x' } });
      // Assess
      expect(res.status).toBe(201);
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0].headers).toMatchObject({ 'authorization': `Bearer ${TOKEN}`, 'user-agent': 'mcp-server-fleet', 'content-type': 'application/json', 'accept': 'application/json' });
      expect(api.requests[0].body).toEqual({ name: 'x' });
    });

    it('repeats a query key for an array value (statuses[]=a&statuses[]=b) and leaves out empty values', async () => {
      // Act
      await client().upstream.request({ path: '/items', query: { 'statuses[]': ['open', 'closed'], 'page': 2, 'empty': '', 'none': undefined, 'flag': true } });
      // Assess
      expect(api.requests[0].queryAll).toEqual({ 'statuses[]': ['open', 'closed'], 'page': ['2'], 'flag': ['true'] });
      expect(api.requests[0].rawQuery).toBe('statuses%5B%5D=open&statuses%5B%5D=closed&page=2&flag=true');
    });

    it('refuses a path with a "." or ".." segment before calling', async () => {
      const err = await failure(client().upstream.request({ path: '/items/%2e%2e/admin' }));
      expect(err.message).toMatch(/a path segment is "\." or "\.\."/);
      expect(api.requests).toHaveLength(0);
    });

    it('sends a request\'s extra headers, but never lets them replace the authentication header', async () => {
      // Act
      await client().upstream.request({ path: '/items', headers: { From: 'ops@example.com', Authorization: 'Bearer other' } });
      // Assess
      expect(api.requests[0].headers).toMatchObject({ from: 'ops@example.com', authorization: `Bearer ${TOKEN}` });
    });

    it('calls another base URL when a request names one, with the same authentication', async () => {
      // Act
      await client().upstream.request({ baseUrl: `${elsewhere.url}/ex/jira/c-1/`, path: '/items' }).catch(() => undefined);
      // Assess
      expect(api.requests).toHaveLength(0);
      expect(elsewhere.requests[0]).toMatchObject({ method: 'GET', path: '/ex/jira/c-1/items' });
      expect(elsewhere.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('refuses another base URL with credentials or a query, and quotes it redacted', async () => {
      const err = await failure(client().upstream.request({ baseUrl: 'https://bot:pw@example.com/api', path: '/items' }));
      expect(err.message).toMatch(/must not contain credentials/);
      expect(err.message).not.toContain('pw');
      const query = await failure(client().upstream.request({ baseUrl: 'https://example.com/api?key=s3cret', path: '/items' }));
      expect(query.message).toMatch(/must not have a query/);
      expect(query.message).not.toContain('s3cret');
      expect(elsewhere.requests).toHaveLength(0);
    });
  });

  describe('Method: request (time budget)', () => {
    it('gives up within the request\'s budget, not the per-attempt timeout, and does not retry a timeout', async () => {
      // Prepare: an answer slower than the budget; the attempt timeout alone would wait a minute
      api.queue('GET', '/v1/slow', { delayMs: 5_000, body: {} });
      // Act
      const err = await failure(client({ budgetMs: 1_500, attemptTimeoutMs: 60_000 }).upstream.request({ path: '/slow' }));
      // Assess: the timeout it reports is the budget less the time kept to answer (1.5 s - 0.5 s)
      const seconds = Number(/within ([\d.]+) s/.exec(err.message)?.[1]);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(1);
      expect(api.requests).toHaveLength(1);
    });

    it('stops waiting as soon as the caller\'s request is abandoned (its signal aborts)', async () => {
      // Prepare: an answer that takes 5 s, and a caller that goes away after 100 ms
      api.queue('GET', '/v1/slow', { delayMs: 5_000, body: {} });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 100);
      const started = Date.now();
      // Act
      const err = await failure(client({ signal: caller.signal }).upstream.request({ path: '/slow' }));
      // Assess
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(err.message).toMatch(/did not answer GET \/slow/);
    });

    it('leaves nothing listening on the caller\'s signal once a call has ended, answered or failed', async () => {
      // Prepare
      const caller = new AbortController();
      const { upstream } = client({ signal: caller.signal });
      api.queue('GET', '/v1/gone', { status: 404, body: { message: '404 Not Found' } });
      // Act
      await upstream.request({ path: '/items' });
      await upstream.request({ path: '/gone' }).catch(() => undefined);
      // Assess: each attempt's listener is removed when it ends
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    });

    it('does not call at all when the budget is already spent', async () => {
      const err = await failure(client({ budgetMs: 100 }).upstream.request({ path: '/items' }));
      expect(err.message).toMatch(/did not answer GET \/items within the request's time budget/);
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('Method: request (retries)', () => {
    it.each([429, 502, 503, 504])('retries a read answered %i', async (status) => {
      // Prepare
      api.queue('GET', '/v1/items', [{ status }, { status }]);
      // Act
      const res = await client().upstream.request({ path: '/items' });
      // Assess
      expect(res.data).toEqual([{ id: 1 }]);
      expect(api.requests).toHaveLength(3);
    });

    it('stops after three retries and says so', async () => {
      api.queue('GET', '/v1/items', Array.from({ length: 5 }, () => ({ status: 503, body: { message: 'down' } })));
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toBe('Acme answered 503 for GET /items: down (still failing after 3 retries)');
      expect(api.requests).toHaveLength(4);
    });

    it.each([500, 501, 400, 404])('does not retry a read answered %i', async (status) => {
      api.queue('GET', '/v1/items', { status, body: { message: 'no' } });
      await failure(client().upstream.request({ path: '/items' }));
      expect(api.requests).toHaveLength(1);
    });

    it.each([502, 503, 504])('does not retry a write answered %i (it may have been applied)', async (status) => {
      api.queue('POST', '/v1/items', { status, body: { message: 'gateway' } });
      const err = await failure(client().upstream.request({ method: 'POST', path: '/items', body: {} }));
      expect(err.message).toMatch(new RegExp(`^Acme answered ${status} for POST /items: gateway`));
      expect(api.requests).toHaveLength(1);
    });

    it('retries a write answered 429 (refused before it was applied)', async () => {
      api.queue('POST', '/v1/items', { status: 429 });
      const res = await client().upstream.request({ method: 'POST', path: '/items', body: { n: 1 } });
      expect(res.status).toBe(201);
      expect(api.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    });

    it('honours a Retry-After that fits the budget', async () => {
      api.queue('GET', '/v1/items', { status: 429, headers: { 'retry-after': '0' } });
      const res = await client().upstream.request({ path: '/items' });
      expect(res.status).toBe(200);
      expect(api.requests).toHaveLength(2);
    });

    it('does not retry when Retry-After asks for longer than the budget, and passes the hint on', async () => {
      api.queue('GET', '/v1/items', { status: 429, headers: { 'retry-after': '3600' }, body: { message: 'slow down' } });
      const err = await failure(client({ budgetMs: 5_000 }).upstream.request({ path: '/items' }));
      expect(err.message).toBe('Acme answered 429 for GET /items: slow down (still failing after 0 retries; the API asks to retry after 3600 s)');
      expect(api.requests).toHaveLength(1);
    });

    it('waits for the rate-limit window a 429 names when it gives no Retry-After (PagerDuty\'s ratelimit-reset)', async () => {
      // Prepare: the window resets in 1 s; backoff alone would retry within milliseconds, inside it
      api.queue('GET', '/v1/items', { status: 429, headers: { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' } });
      const started = Date.now();
      // Act
      const res = await client().upstream.request({ path: '/items' });
      // Assess
      expect(res.status).toBe(200);
      expect(api.requests).toHaveLength(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });

    it('passes on the rate-limit window of a 429 that does not fit the budget', async () => {
      api.queue('GET', '/v1/items', { status: 429, headers: { 'ratelimit-reset': '50' }, body: { message: 'rate limited' } });
      const err = await failure(client({ budgetMs: 5_000 }).upstream.request({ path: '/items' }));
      expect(err.message).toBe('Acme answered 429 for GET /items: rate limited (still failing after 0 retries; the API asks to retry after 50 s)');
      expect(api.requests).toHaveLength(1);
    });

    describe('Function: retryHint', () => {
      const now = Date.parse('2026-12-02T10:00:00Z');
      const hint = (headers: Record<string, string>, status = 429) => retryHint(new Headers(headers), status, now);
      it.each<[string, Record<string, string>, number | undefined]>([
        ['Retry-After seconds, before any reset header', { 'retry-after': '7', 'ratelimit-reset': '30' }, 7_000],
        ['seconds until the reset (PagerDuty, IETF draft)', { 'ratelimit-reset': '30' }, 30_000],
        ['a Unix time in seconds (GitLab)', { 'ratelimit-reset': String(now / 1000 + 12) }, 12_000],
        ['a Unix time in milliseconds', { 'x-ratelimit-reset': String(now + 4_000) }, 4_000],
        ['a Unix time in microseconds (Dynatrace)', { 'x-ratelimit-reset': String((now + 9_000) * 1000) }, 9_000],
        ['an ISO 8601 date (Jira)', { 'x-ratelimit-reset': '2026-12-02T10:01:00Z' }, 60_000],
        ['a reset already past', { 'ratelimit-reset': String(now / 1000 - 5) }, 0],
        ['a reset a week away, capped at a day', { 'ratelimit-reset': String(7 * 86_400) }, 86_400_000],
        ['nothing readable', { 'ratelimit-reset': 'soon' }, undefined],
        ['no header', {}, undefined],
      ])('%s', (_what, headers, expected) => {
        expect(hint(headers)).toBe(expected);
      });
      it('reads a reset header for a 429 only (a 503 waits on Retry-After or backs off)', () => {
        expect(hint({ 'ratelimit-reset': '30' }, 503)).toBeUndefined();
        expect(hint({ 'retry-after': '2' }, 503)).toBe(2_000);
      });
    });

    it('re-reads the credential once after a 401 and retries with the rotated one', async () => {
      // Prepare
      api.queue('GET', '/v1/items', { status: 401, body: { message: 'expired' } });
      const { upstream, credentials } = client({ rotated: { TOKEN: ROTATED } });
      // Act
      const res = await upstream.request({ path: '/items' });
      // Assess
      expect(res.status).toBe(200);
      expect(credentials.refreshes).toBe(1);
      expect(api.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${ROTATED}`]);
    });

    it('refreshes at most once per call: a second 401 is the answer', async () => {
      api.queue('GET', '/v1/items', [{ status: 401, body: { message: 'no' } }, { status: 401, body: { message: 'still no' } }]);
      const { upstream, credentials } = client({ rotated: { TOKEN: ROTATED } });
      const err = await failure(upstream.request({ path: '/items' }));
      expect(err.message).toBe('Acme answered 401 for GET /items: still no');
      expect(credentials.refreshes).toBe(1);
      expect(api.requests).toHaveLength(2);
    });

    it('does not retry a 401 when the re-read credential is the same', async () => {
      api.queue('GET', '/v1/items', { status: 401, body: { message: 'no' } });
      const { upstream, credentials } = client({ rotated: { TOKEN } });
      await failure(upstream.request({ path: '/items' }));
      expect(credentials.refreshes).toBe(1);
      expect(api.requests).toHaveLength(1);
    });
  });

  describe('Method: request (redirects)', () => {
    it.each([301, 302, 307, 308])('never follows a %i: the credential stays with the configured host', async (status) => {
      // Prepare
      api.queue('GET', '/v1/items', { status, redirect: `${elsewhere.origin}/steal` });
      // Act
      const err = await failure(client().upstream.request({ path: '/items' }));
      // Assess
      expect(err.message).toMatch(new RegExp(`^Acme answered ${status} for GET /items \\(a redirect to ${elsewhere.origin}/steal\\); redirects are not followed`));
      expect(elsewhere.requests).toHaveLength(0);
      expect(api.requests).toHaveLength(1);
    });
  });

  describe('Method: request (how much is read)', () => {
    /** 16 MB in 64 KB chunks: far more than any socket buffer, so an early stop shows in what the fake sent. */
    const HUGE = { chunk: 64 * 1024, repeat: 256 };

    it('refuses a JSON answer over the JSON limit and stops reading it', async () => {
      api.queue('GET', '/v1/items', { body: Buffer.from('['.padEnd(HUGE.chunk, ' ')), headers: { 'content-type': 'application/json' }, repeat: HUGE.repeat });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toBe(`Acme's answer to GET /items is over ${MAX_JSON_BYTES / 1024 / 1024} MB, more than an answer can use; ask for less (fewer results per page, a narrower query)`);
      expect(api.requests[0].response?.complete).toBe(false);
    });

    it('reads a JSON answer just under the limit', async () => {
      const rows = Array.from({ length: MAX_JSON_ROWS }, (_, i) => String(i).padEnd(Math.floor(MAX_JSON_BYTES / MAX_JSON_ROWS) - 4, '.'));
      const body = JSON.stringify(rows);
      expect(body.length).toBeLessThanOrEqual(MAX_JSON_BYTES);
      api.queue('GET', '/v1/items', { body: Buffer.from(body), headers: { 'content-type': 'application/json' } });
      const res = await client().upstream.request<number[]>({ path: '/items' });
      expect(res.data).toHaveLength(rows.length);
    });

    it('keeps the start of a long text answer and stops reading it', async () => {
      // Prepare
      api.queue('GET', '/v1/readme', { body: 'a'.repeat(HUGE.chunk), repeat: HUGE.repeat });
      // Act
      const res = await client().upstream.request<string>({ path: '/readme', responseType: 'text' });
      // Assess
      expect(res.data).toBe('a'.repeat(MAX_TEXT_BYTES));
      expect(res.truncated).toBe(true);
      expect(res.droppedBytes).toBe(HUGE.chunk * HUGE.repeat - MAX_TEXT_BYTES);
      expect(api.requests[0].response?.complete).toBe(false);
    });

    it('with keep: tail, reads a long text answer to its end and keeps only the last part', async () => {
      // Prepare: 16 MB of log, then the line that matters
      const last = 'ERROR: Job failed: exit code 1\n';
      const chunk = 'npm test line\n'.repeat(Math.ceil(HUGE.chunk / 14)).slice(0, HUGE.chunk - last.length) + last;
      api.queue('GET', '/v1/log', { body: chunk, repeat: HUGE.repeat });
      // Act
      const res = await client().upstream.request<string>({ path: '/log', responseType: 'text', keep: 'tail' });
      // Assess
      expect(res.data.length).toBe(MAX_TEXT_BYTES);
      expect(res.data.endsWith(last)).toBe(true);
      expect(res.bytes).toBe(HUGE.chunk * HUGE.repeat);
      expect(res.droppedBytes).toBe(HUGE.chunk * HUGE.repeat - MAX_TEXT_BYTES);
      expect(res.truncated).toBe(true);
      expect(api.requests[0].response?.complete).toBe(true);
    });

    it('never splits a UTF-8 character where it cuts', async () => {
      api.queue('GET', '/v1/log', { body: 'é€'.repeat(100_000) });
      api.queue('GET', '/v1/readme', { body: 'é€'.repeat(100_000) });
      const tail = await client().upstream.request<string>({ path: '/log', responseType: 'text', keep: 'tail' });
      const head = await client().upstream.request<string>({ path: '/readme', responseType: 'text' });
      for (const text of [tail.data, head.data]) {
        expect(text).not.toContain('\uFFFD');
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
        expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_TEXT_BYTES - 3);
      }
    });

    it('quotes at most the start of an error body', async () => {
      api.queue('GET', '/v1/items', { status: 400, body: 'x'.repeat(HUGE.chunk), repeat: HUGE.repeat });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(String(err.failure?.body).length).toBe(MAX_ERROR_BODY_BYTES);
      expect(api.requests[0].response?.complete).toBe(false);
    });

    it(`makes at most ${MAX_CONCURRENT_UPSTREAM} calls at once in a process; the others wait their turn`, async () => {
      // Prepare: record how many calls the fake holds unanswered whenever one arrives
      let most = 0;
      api.route({
        method: 'GET',
        path: '/v1/held',
        handle: () => {
          most = Math.max(most, api.requests.filter((r) => r.response === undefined).length);
          return { delayMs: 50, body: { ok: true } };
        },
      });
      // Act
      const answers = await Promise.all(Array.from({ length: 3 * MAX_CONCURRENT_UPSTREAM }, () => client().upstream.request({ path: '/held' })));
      // Assess
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(api.requests).toHaveLength(3 * MAX_CONCURRENT_UPSTREAM);
      expect(most).toBe(MAX_CONCURRENT_UPSTREAM);
    });

    it(`refuses a JSON list of more than ${MAX_JSON_ROWS} rows (more than an answer can show)`, async () => {
      api.queue('GET', '/v1/items', { body: Array.from({ length: MAX_JSON_ROWS + 1 }, (_, i) => i) });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toBe(`Acme answered GET /items with ${MAX_JSON_ROWS + 1} rows, more than an answer can show (at most ${MAX_JSON_ROWS}); ask for fewer results per page`);
    });

    describe('Function: withUpstreamSlot', () => {
      afterEach(() => setUpstreamConcurrency(MAX_CONCURRENT_UPSTREAM));

      it('runs one tool call per slot, with all its upstream calls inside it (no slot of their own)', async () => {
        // Prepare: one slot; each "tool" makes two upstream calls in a row
        setUpstreamConcurrency(1);
        let most = 0;
        api.route({
          method: 'GET',
          path: '/v1/tool',
          handle: () => {
            most = Math.max(most, api.requests.filter((r) => r.response === undefined).length);
            return { delayMs: 20, body: { ok: true } };
          },
        });
        const tool = () => withUpstreamSlot('Tool t', Date.now() + 10_000, undefined, async (held) => {
          const { upstream } = client({ held });
          await upstream.request({ path: '/tool' });
          return (await upstream.request({ path: '/tool' })).status;
        });
        // Act
        const statuses = await Promise.all([tool(), tool(), tool()]);
        // Assess: no deadlock (a held slot serves the tool's own calls), and never two tools at once
        expect(statuses).toEqual([200, 200, 200]);
        expect(api.requests).toHaveLength(6);
        expect(most).toBe(1);
      });

      it('a tool call that cannot get a slot within its budget says so', async () => {
        setUpstreamConcurrency(1);
        let release!: () => void;
        const busy = withUpstreamSlot('Tool a', Date.now() + 10_000, undefined, () => new Promise<void>((r) => { release = r; }));
        const err = await withUpstreamSlot('Tool b', Date.now() + 600, undefined, async () => 'ran').then(() => undefined, (e: Error) => e);
        release();
        await busy;
        expect(err?.message).toMatch(/^Tool b was not run: this process's 1 upstream slots stayed busy for 0\.1 s \(send fewer calls at once\)$/);
      });
    });

    it.each([
      [undefined, 8], ['', 8], ['128', 1], ['256', 1], ['511', 1], ['512', 2], ['1024', 4], ['10240', 16], ['abc', 8],
    ])('in Lambda with AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s, allows %i calls at once (one per 256 MB; 8 outside Lambda)', (memory, slots) => {
      expect(defaultConcurrency(memory)).toBe(slots);
    });

    it('a call that cannot get a slot within its budget says so', async () => {
      // Prepare: every slot held by slow calls
      api.queue('GET', '/v1/slow', Array.from({ length: MAX_CONCURRENT_UPSTREAM }, () => ({ delayMs: 1_500, body: {} })));
      const slow = Array.from({ length: MAX_CONCURRENT_UPSTREAM }, () => client({ budgetMs: 3_000 }).upstream.request({ path: '/slow' }));
      // Act
      const err = await failure(client({ budgetMs: 800 }).upstream.request({ path: '/items' }));
      await Promise.all(slow);
      // Assess
      expect(err.message).toMatch(new RegExp(`^Acme was not called for GET /items: this process's ${MAX_CONCURRENT_UPSTREAM} upstream slots stayed busy`));
      expect(api.requests.filter((r) => r.path === '/v1/items')).toHaveLength(0);
    });
  });

  describe('Method: request (empty answers)', () => {
    it('names an empty 200 instead of handing the tool nothing', async () => {
      api.queue('GET', '/v1/items', { status: 200 });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toMatch(/^Acme answered 200 with an empty body for GET \/items; a JSON answer was expected/);
    });

    it('names a JSON null 200', async () => {
      api.queue('GET', '/v1/items', { status: 200, body: null });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toMatch(/^Acme answered 200 with JSON null for GET \/items/);
    });

    it('answers null for a 204 (no content by definition)', async () => {
      api.queue('POST', '/v1/items', { status: 204 });
      const res = await client().upstream.request({ method: 'POST', path: '/items', body: {} });
      expect(res).toMatchObject({ status: 204, data: null });
    });

    it('names a body that is not JSON', async () => {
      api.queue('GET', '/v1/items', { status: 200, body: '<html>login</html>' });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(err.message).toBe('Acme answered GET /items with a body that is not JSON');
    });
  });

  describe('Method: request (credentials never come back)', () => {
    /** Everything the client handed on: data, headers, error message and the failure body. */
    async function everything(p: Promise<{ data: unknown; headers: Headers }>): Promise<string> {
      try {
        const res = await p;
        const headers: string[] = [];
        res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
        return JSON.stringify(res.data) + headers.join('\n');
      } catch (err) {
        return `${(err as Error).message}\n${JSON.stringify((err as UpstreamError).failure?.body)}`;
      }
    }
    /** No piece of the token of 6 characters or more, and a sign it was replaced. */
    function expectNoTokenIn(text: string, token = TOKEN): void {
      for (let i = 0; i + 6 <= token.length; i++) expect(text).not.toContain(token.slice(i, i + 6));
      expect(text).toContain('[REDACTED]');
    }

    it('in a successful JSON body', async () => {
      api.queue('GET', '/v1/items', { body: { echo: `token=${TOKEN}`, nested: [{ auth: `Bearer ${TOKEN}` }] } });
      expectNoTokenIn(await everything(client().upstream.request({ path: '/items' })));
    });

    it('in a successful JSON body that escapes characters of the token', async () => {
      const escaped = TOKEN.replace(/-/g, '\\u002d');
      api.queue('GET', '/v1/items', { body: Buffer.from(`{"echo":"${escaped}"}`), headers: { 'content-type': 'application/json' } });
      expectNoTokenIn(await everything(client().upstream.request({ path: '/items' })));
    });

    it('in a successful text body', async () => {
      api.queue('GET', '/v1/readme', { body: `curl -H "PRIVATE-TOKEN: ${TOKEN}"` });
      expectNoTokenIn(await everything(client().upstream.request({ path: '/readme', responseType: 'text' })));
    });

    it('in paging headers (Link, x-next-page)', async () => {
      api.queue('GET', '/v1/items', {
        body: [],
        headers: { 'link': `<${api.url}/items?page=2&private_token=${TOKEN}>; rel="next"`, 'x-next-page': `2&access_token=${encodeURIComponent(TOKEN)}` },
      });
      const res = await client().upstream.request({ path: '/items' });
      expect(res.headers.get('link')).toBe(`<${api.url}/items?page=2&private_token=[REDACTED]>; rel="next"`);
      expect(res.headers.get('x-next-page')).toBe('2&access_token=[REDACTED]');
    });

    it('in a redirect\'s Location', async () => {
      api.queue('GET', '/v1/items', { status: 302, redirect: `${elsewhere.origin}/sso/${TOKEN}/login?token=${TOKEN}` });
      const text = await everything(client().upstream.request({ path: '/items' }));
      expect(text).toMatch(/a redirect to http:\/\/127\.0\.0\.1:\d+\/sso\/\[REDACTED\]\/login\)/);
      expectNoTokenIn(text);
    });

    it('in a long error body where the token straddles the cut of the failure sentence', async () => {
      // Prepare: JSON escapes hide the token from a pass over the text; the sentence cuts inside it
      const escaped = TOKEN.replace(/-/g, '\\u002d');
      const message = `${'x'.repeat(QUOTE_CHARS - 10)}${escaped}`;
      api.queue('GET', '/v1/items', { status: 403, body: Buffer.from(`{"message":"${message}"}`), headers: { 'content-type': 'application/json' } });
      // Act
      const text = await everything(client().upstream.request({ path: '/items' }));
      // Assess
      expectNoTokenIn(text);
    });

    it('in an error body cut at the read limit inside the token', async () => {
      api.queue('GET', '/v1/items', { status: 500, body: `${'x'.repeat(MAX_ERROR_BODY_BYTES - 8)}${TOKEN}${'y'.repeat(1000)}` });
      const err = await failure(client().upstream.request({ path: '/items' }));
      expect(String(err.failure?.body)).toMatch(/x\[REDACTED\]$/);
      expectNoTokenIn(String(err.failure?.body));
    });

    it('in a text answer cut inside the token, at either end', async () => {
      api.queue('GET', '/v1/readme', { body: `${'x'.repeat(MAX_TEXT_BYTES - 8)}${TOKEN}${'y'.repeat(MAX_TEXT_BYTES)}` });
      api.queue('GET', '/v1/log', { body: `${'x'.repeat(MAX_TEXT_BYTES)}${TOKEN}${'y'.repeat(MAX_TEXT_BYTES - 8)}` });
      const head = await client().upstream.request<string>({ path: '/readme', responseType: 'text' });
      const tail = await client().upstream.request<string>({ path: '/log', responseType: 'text', keep: 'tail' });
      expect(head.data.endsWith('x[REDACTED]')).toBe(true);
      expect(tail.data.startsWith('[REDACTED]y')).toBe(true);
    });

    it('in an echo of the Authorization header of Basic credentials', async () => {
      const basic: BackendDefinition = { ...acme, authHeaders: (c) => ({ authorization: `Basic ${Buffer.from(`bot:${c.TOKEN}`).toString('base64')}` }) };
      const encoded = Buffer.from(`bot:${TOKEN}`).toString('base64');
      api.queue('GET', '/v1/items', { body: { headers: { authorization: `Basic ${encoded}` } } });
      const server: ServerConfig = { name: 'acme', kind: 'acme', contract: ACME_CONTRACT, backend: basic, prefix: 'ACME', baseUrl: api.url, allowWrites: false, credentials: [], settings: {}, missing: [] };
      const upstream = createUpstreamClient({ server, credentials: store({ TOKEN }), deadline: Date.now() + 5_000, attemptTimeoutMs: 5_000 });
      const res = await upstream.request({ path: '/items' });
      expect(JSON.stringify(res.data)).not.toContain(encoded);
      expect(JSON.stringify(res.data)).toContain('[REDACTED]');
    });
  });
});

describe('Class: Redactor', () => {
  it('leaves text alone when no credential is long enough to match safely', () => {
    expect(new Redactor(['abc', undefined, '']).text('abc abc')).toBe('abc abc');
  });

  it('replaces a credential and its URL-encoded and JSON-escaped forms', () => {
    const r = new Redactor(['a/b+c"d?e']);
    expect(r.text(`a/b+c"d?e ${encodeURIComponent('a/b+c"d?e')} a\\/b+c\\"d?e`)).toBe('[REDACTED] [REDACTED] [REDACTED]');
  });
});
