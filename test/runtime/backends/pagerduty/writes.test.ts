/**
 * PagerDuty's write tools: absent unless writes are enabled, and where they are, each sends the
 * From user (the key's own user, or fromEmail) and the body PagerDuty expects; an account-level
 * key without fromEmail is refused with the fix, and PagerDuty's own From refusals are explained.
 */
import { usePagerDutyFleet } from './fleet';
import { FAKE_PAGERDUTY_KEYS } from '../../../fakes/fake-pagerduty';
import { connectClient, textOf } from '../../../helpers/mcp-client';

const WRITE_TOOLS = ['update_incidents', 'add_incident_note', 'create_incident', 'add_responders', 'post_status_update'];
const ACCEPT = 'application/vnd.pagerduty+json;version=2';

describe('PagerDuty write tools', () => {
  const setup = usePagerDutyFleet();

  const call = (server: string, name: string, args: Record<string, unknown>) => setup.call(server, name, args);
  const writes = () => setup.pagerduty.requests.filter((r) => r.method !== 'GET');

  describe('the write switch', () => {
    it('write tools are absent from tools/list unless writes are enabled, and annotated as writes where they are', async () => {
      const ro = (await (await setup.client('pagerduty')).listTools()).tools;
      const rw = (await (await setup.client('pd-rw')).listTools()).tools;
      for (const name of WRITE_TOOLS) expect(ro.map((t) => t.name)).not.toContain(name);
      expect(rw.map((t) => t.name)).toEqual(expect.arrayContaining(WRITE_TOOLS));
      for (const t of rw.filter((x) => WRITE_TOOLS.includes(x.name))) {
        expect(t.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
      }
      expect(ro).toHaveLength(16);
      expect(rw).toHaveLength(21);
    });

    it('a write tool cannot be called where writes are off, and nothing reaches PagerDuty', async () => {
      const client = await connectClient(`${setup.fleet.url}/pagerduty/mcp`);
      const result = await client.callTool({ name: 'update_incidents', arguments: { incident_ids: ['PINC001'], status: 'acknowledged' } });
      await client.close();
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe('Tool update_incidents disabled: writes are off for server pagerduty (set PAGERDUTY_ALLOW_WRITES=true to enable them)');
      expect(setup.pagerduty.requests).toHaveLength(0);
    });
  });

  describe('with a user-level key (From: the key\'s user, from GET /users/me once)', () => {
    it('update_incidents acknowledges through PUT /incidents with incident references and From', async () => {
      const { text, isError, result } = await call('pd-rw', 'update_incidents', { incident_ids: ['PINC001'], status: 'acknowledged' });
      expect(isError).toBe(false);
      expect(setup.pagerduty.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /users/me', 'PUT /incidents']);
      const put = writes();
      expect(put).toHaveLength(1);
      expect(put[0]).toMatchObject({ method: 'PUT', path: '/incidents', body: { incidents: [{ id: 'PINC001', type: 'incident_reference', status: 'acknowledged' }] } });
      expect(put[0].headers).toMatchObject({ from: 'alice@example.com', accept: ACCEPT, authorization: `Token token=${FAKE_PAGERDUTY_KEYS.user}` });
      expect(text).toBe('Updated 1 incident as alice@example.com: #101 acknowledged.');
      expect(result.structuredContent).toMatchObject({ from: 'alice@example.com', incidents: [{ id: 'PINC001', status: 'acknowledged', acknowledged_by: [{ id: 'PALICE1', summary: 'Alice Adams' }] }] });
    });

    it('asks GET /users/me once per process, then reuses the email', async () => {
      await call('pd-rw', 'add_incident_note', { incident_id: 'PINC002', content: 'First' });
      await call('pd-rw', 'add_incident_note', { incident_id: 'PINC002', content: 'Second' });
      expect(setup.pagerduty.requests.filter((r) => r.path === '/users/me')).toHaveLength(0); // remembered from the test before
      expect(writes().map((r) => r.headers.from)).toEqual(['alice@example.com', 'alice@example.com']);
    });

    it('update_incidents resolves several incidents with a resolution note', async () => {
      await call('pd-rw', 'update_incidents', { incident_ids: ['PINC001', 'PINC002'], status: 'resolved', resolution: 'Rolled back' });
      expect(writes()[0].body).toEqual({
        incidents: [
          { id: 'PINC001', type: 'incident_reference', status: 'resolved', resolution: 'Rolled back' },
          { id: 'PINC002', type: 'incident_reference', status: 'resolved', resolution: 'Rolled back' },
        ],
      });
    });

    it('update_incidents reassigns, changes urgency or escalates', async () => {
      await call('pd-rw', 'update_incidents', { incident_ids: ['PINC002'], urgency: 'low', assignee_user_ids: ['PBOB002'] });
      await call('pd-rw', 'update_incidents', { incident_ids: ['PINC002'], escalation_level: 2 });
      expect(writes().map((r) => r.body)).toEqual([
        { incidents: [{ id: 'PINC002', type: 'incident_reference', urgency: 'low', assignments: [{ assignee: { id: 'PBOB002', type: 'user_reference' } }] }] },
        { incidents: [{ id: 'PINC002', type: 'incident_reference', escalation_level: 2 }] },
      ]);
    });

    it('update_incidents refuses a call that changes nothing, or a resolution without resolving', async () => {
      const none = await call('pd-rw', 'update_incidents', { incident_ids: ['PINC001'] });
      expect(none.text).toBe('update_incidents needs a change: status, urgency, escalation_level or assignee_user_ids');
      const odd = await call('pd-rw', 'update_incidents', { incident_ids: ['PINC001'], status: 'acknowledged', resolution: 'x' });
      expect(odd.text).toBe('resolution goes with status "resolved", got status: "acknowledged"');
      const ids = await call('pd-rw', 'update_incidents', { incident_ids: ['PINC001', 'a b'], status: 'acknowledged' });
      expect(ids.isError).toBe(true);
      expect(ids.text).toContain('incident_ids must be a PagerDuty ID (letters and digits, e.g. PT4KHLK), got: "a b"');
      expect(writes()).toHaveLength(0);
    });

    it('add_incident_note posts { note: { content } }', async () => {
      const { text, result } = await call('pd-rw', 'add_incident_note', { incident_id: 'PINC001', content: 'Checked the dashboards' });
      expect(writes()[0]).toMatchObject({ method: 'POST', path: '/incidents/PINC001/notes', body: { note: { content: 'Checked the dashboards' } } });
      expect(text).toMatch(/^Added note PNOTE\d+ to incident PINC001 as alice@example\.com\.$/);
      expect(result.structuredContent).toMatchObject({ incident_id: 'PINC001', from: 'alice@example.com' });
    });

    it('create_incident posts the incident with a service reference and an incident body', async () => {
      const { text, isError, result } = await call('pd-rw', 'create_incident', {
        title: 'Checkout errors', service_id: 'PSVC001', urgency: 'high', details: '5xx rate at 4%', incident_key: 'checkout-5xx', priority_id: 'PPRIO01', escalation_policy_id: 'PEP0001',
      });
      expect(isError).toBe(false);
      expect(writes()[0]).toMatchObject({ method: 'POST', path: '/incidents' });
      expect(writes()[0].body).toEqual({
        incident: {
          type: 'incident',
          title: 'Checkout errors',
          service: { id: 'PSVC001', type: 'service_reference' },
          urgency: 'high',
          body: { type: 'incident_body', details: '5xx rate at 4%' },
          incident_key: 'checkout-5xx',
          priority: { id: 'PPRIO01', type: 'priority_reference' },
          escalation_policy: { id: 'PEP0001', type: 'escalation_policy_reference' },
        },
      });
      expect(writes()[0].headers.from).toBe('alice@example.com');
      expect(text.split('\n')[0]).toMatch(/^Opened incident #2\d\d as alice@example\.com: https:\/\/example\.pagerduty\.com\/incidents\/PNEW\d+$/);
      expect((result.structuredContent as { item: { title: string } }).item.title).toBe('Checkout errors');
    });

    it('create_incident with assignees instead of a policy; both are refused', async () => {
      await call('pd-rw', 'create_incident', { title: 'Disk full', service_id: 'PSVC003', assignee_user_ids: ['PBOB002'] });
      expect((writes()[0].body as { incident: unknown }).incident).toEqual({
        type: 'incident', title: 'Disk full', service: { id: 'PSVC003', type: 'service_reference' }, assignments: [{ assignee: { id: 'PBOB002', type: 'user_reference' } }],
      });
      const both = await call('pd-rw', 'create_incident', { title: 'x', service_id: 'PSVC003', assignee_user_ids: ['PBOB002'], escalation_policy_id: 'PEP0001' });
      expect(both.text).toBe('give escalation_policy_id or assignee_user_ids, not both (PagerDuty takes one)');
    });

    it('add_responders names the key\'s user as requester and the targets by type', async () => {
      const { text, result } = await call('pd-rw', 'add_responders', { incident_id: 'PINC001', message: 'Need payments help', user_ids: ['PCAROL3'], escalation_policy_ids: ['PEP0002'] });
      expect(writes()[0]).toMatchObject({ method: 'POST', path: '/incidents/PINC001/responder_requests' });
      expect(writes()[0].body).toEqual({
        requester_id: 'PALICE1',
        message: 'Need payments help',
        responder_request_targets: [
          { responder_request_target: { id: 'PCAROL3', type: 'user_reference' } },
          { responder_request_target: { id: 'PEP0002', type: 'escalation_policy_reference' } },
        ],
      });
      expect(writes()[0].headers.from).toBe('alice@example.com');
      expect(text).toBe('Requested 2 responders for incident PINC001 as alice@example.com.');
      expect((result.structuredContent as { requested: unknown[] }).requested).toHaveLength(2);
      const none = await call('pd-rw', 'add_responders', { incident_id: 'PINC001', message: 'x' });
      expect(none.text).toBe('add_responders needs user_ids or escalation_policy_ids');
    });

    it('post_status_update posts the message and subject', async () => {
      const { text } = await call('pd-rw', 'post_status_update', { incident_id: 'PINC001', message: 'Mitigated; monitoring', subject: 'Checkout update' });
      expect(writes()[0]).toMatchObject({ method: 'POST', path: '/incidents/PINC001/status_updates', body: { message: 'Mitigated; monitoring', subject: 'Checkout update' } });
      expect(writes()[0].headers.from).toBe('alice@example.com');
      expect(text).toMatch(/^Posted status update PSTAT\d+ on incident PINC001 as alice@example\.com\.$/);
    });
  });

  describe('with an account-level key', () => {
    it('without fromEmail, a write is refused with the fix, and nothing is written', async () => {
      const { text, isError } = await call('pd-acct', 'update_incidents', { incident_ids: ['PINC001'], status: 'acknowledged' });
      expect(isError).toBe(true);
      expect(text).toMatch(/^this write needs the email of the PagerDuty user it acts as \(the From header\), and the token has no user of its own: PagerDuty answered 400 for GET \/users\/me: Because this request was made using an account-level access token/);
      expect(text).toContain('set fromEmail in McpServer.pagerduty({ ... }) (the variable PD_ACCT_FROM_EMAIL) to the email of the responder the server acts as, or use a user-level API key');
      expect(text).not.toContain(FAKE_PAGERDUTY_KEYS.account);
      expect(setup.pagerduty.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /users/me']);
    });

    it('with fromEmail, writes send it as From, and responder requests look its user up once', async () => {
      await call('pd-from', 'post_status_update', { incident_id: 'PINC002', message: 'Investigating' });
      expect(writes()[0].headers).toMatchObject({ from: 'bob@example.com', authorization: `Token token=${FAKE_PAGERDUTY_KEYS.account}` });
      expect(setup.pagerduty.requests.some((r) => r.path === '/users/me')).toBe(false);
      setup.pagerduty.reset();
      await call('pd-from', 'add_responders', { incident_id: 'PINC002', message: 'Help', user_ids: ['PALICE1'] });
      await call('pd-from', 'add_responders', { incident_id: 'PINC002', message: 'More help', user_ids: ['PCAROL3'] });
      expect(setup.pagerduty.requests.filter((r) => r.path === '/users').map((r) => r.query)).toEqual([{ query: 'bob@example.com', limit: '25' }]);
      expect(writes().map((r) => (r.body as { requester_id: string }).requester_id)).toEqual(['PBOB002', 'PBOB002']);
    });

    it('PagerDuty\'s 400 (2016) for a From that is no user is explained', async () => {
      const { text, isError } = await call('pd-stranger', 'add_incident_note', { incident_id: 'PINC001', content: 'x' });
      expect(isError).toBe(true);
      expect(writes()[0].headers.from).toBe('nobody@example.com');
      expect(text).toBe('PagerDuty answered 400 for POST /incidents/PINC001/notes: Requester User Not Found: No user has the email nobody@example.com '
        + '(PagerDuty needs the email of a real PagerDuty user in the From header for this: set the server\'s fromEmail (PD_STRANGER_FROM_EMAIL) to that user\'s email)');
    });

    it('PagerDuty\'s 400 (2016) for a missing From is explained too', async () => {
      setup.pagerduty.queue('PUT', '/incidents', { status: 400, body: { error: { message: 'You must specify a user\'s email address in the "From" header to perform this action', code: 2016 } } });
      const { text } = await call('pd-from', 'update_incidents', { incident_ids: ['PINC001'], status: 'resolved' });
      expect(text).toContain('(PagerDuty needs the email of a real PagerDuty user in the From header for this: set the server\'s fromEmail (PD_FROM_FROM_EMAIL)');
    });

    it('for a From email no user has, responder requests say to fix fromEmail', async () => {
      const { text } = await call('pd-stranger', 'add_responders', { incident_id: 'PINC001', message: 'Help', user_ids: ['PALICE1'] });
      expect(text).toBe('no PagerDuty user has the email nobody@example.com (PD_STRANGER_FROM_EMAIL): set it to a user\'s login email');
      expect(writes()).toHaveLength(0);
    });

    it('a read-only key\'s write is PagerDuty\'s 403, explained', async () => {
      const { text } = await call('pd-ro', 'update_incidents', { incident_ids: ['PINC001'], status: 'acknowledged' });
      expect(text).toBe('PagerDuty answered 403 for PUT /incidents: Access Denied: Read-only API keys cannot write (the API key may not do this: a read-only key cannot write, and a user key has only its user\'s permissions)');
    });

    it('a 429 on a write is retried (PagerDuty refused it up front)', async () => {
      setup.pagerduty.queue('POST', '/incidents/PINC001/notes', { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Rate Limit Exceeded', code: 2020 } } });
      const { isError } = await call('pd-from', 'add_incident_note', { incident_id: 'PINC001', content: 'retry me' });
      expect(isError).toBe(false);
      expect(writes().map((r) => r.response?.status)).toEqual([429, 201]);
    });
  });
});
