/**
 * ServiceNow's write tools: absent unless writes are enabled, refused where they are off, and
 * each one's REST request where they are on. Work notes and customer-visible comments are two
 * tools, and neither writes the other's field.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, startServiceNowFleet, type ServiceNowFleet } from './fleet';
import { SERVICENOW_BACKEND } from '../../../../src/contract';
import { SN_PASSWORD, SN_USERNAME, sid, type FakeServiceNow } from '../../../fakes/fake-servicenow';
import { connectClient, textOf } from '../../../helpers/mcp-client';

const WRITE_TOOLS = SERVICENOW_BACKEND.tools.write;
const BASIC = `Basic ${Buffer.from(`${SN_USERNAME}:${SN_PASSWORD}`).toString('base64')}`;

describe('ServiceNow write tools', () => {
  let setup: ServiceNowFleet;
  let sn: FakeServiceNow;
  let writer: Client;

  beforeAll(async () => {
    setup = await startServiceNowFleet({
      MCP_SERVERS: 'servicenow,sn-rw:servicenow',
      SERVICENOW_USERNAME: SN_USERNAME,
      SERVICENOW_PASSWORD: SN_PASSWORD,
      SN_RW_USERNAME: SN_USERNAME,
      SN_RW_PASSWORD: SN_PASSWORD,
      SN_RW_ALLOW_WRITES: 'true',
    });
    sn = setup.sn;
    writer = await setup.connect('sn-rw');
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    sn.requests.length = 0;
  });

  it('are absent from tools/list unless writes are enabled, and annotated as writes where they are', async () => {
    const ro = await setup.connect('servicenow');
    const roNames = (await ro.listTools()).tools.map((t) => t.name);
    const rwTools = (await writer.listTools()).tools;
    expect(WRITE_TOOLS).toHaveLength(8);
    for (const name of WRITE_TOOLS) expect(roNames).not.toContain(name);
    expect(roNames.sort()).toEqual([...SERVICENOW_BACKEND.tools.read].sort());
    expect(rwTools.map((t) => t.name).sort()).toEqual([...SERVICENOW_BACKEND.tools.read, ...WRITE_TOOLS].sort());
    for (const t of rwTools.filter((x) => WRITE_TOOLS.includes(x.name))) {
      expect(t.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    }
    expect(rwTools.find((t) => t.name === 'sn_add_customer_comment')!.description).toContain('VISIBLE TO THE CALLER');
  });

  it('cannot be called where writes are off, and say how to turn them on, without a request', async () => {
    const ro = await connectClient(`${setup.fleet.url}/servicenow/mcp`);
    const result = await ro.callTool({ name: 'sn_add_work_note', arguments: { table: 'incident', record: 'INC0010001', text: 'x' } });
    await ro.close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Tool sn_add_work_note disabled: writes are off for server servicenow (set SERVICENOW_ALLOW_WRITES=true to enable them)');
    expect(sn.requests).toHaveLength(0);
  });

  describe('journal', () => {
    it('sn_add_work_note writes work_notes only (internal), after finding the record by number', async () => {
      const { text, data } = await call(writer, 'sn_add_work_note', { table: 'incident', record: 'INC0010002', text: 'Rebooted the concentrator' });
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/now/table/incident', `PATCH /api/now/table/incident/${sid('incident:2')}`]);
      expect(sn.requests[0].query).toMatchObject({ sysparm_query: 'number=INC0010002', sysparm_fields: 'sys_id,number', sysparm_limit: '1' });
      expect(sn.requests[1].body).toEqual({ work_notes: 'Rebooted the concentrator' });
      expect(sn.requests[1].query).toEqual({ sysparm_fields: 'sys_id,number', sysparm_exclude_reference_link: 'true' });
      expect(sn.requests[1].headers.authorization).toBe(BASIC);
      expect(text).toBe('Added an internal work note to incident INC0010002.');
      expect(data).toEqual({ sys_id: sid('incident:2'), number: 'INC0010002', table: 'incident', field: 'work_notes', visibility: 'internal' });
      expect(sn.table('sys_journal_field').at(-1)).toMatchObject({ element: 'work_notes', element_id: sid('incident:2') });
    });

    it('sn_add_customer_comment writes comments only (customer-visible), by sys_id without a look-up', async () => {
      const { data } = await call(writer, 'sn_add_customer_comment', { table: 'change_request', record: sid('change:1'), text: 'Scheduled for Tuesday night' });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'PATCH', path: `/api/now/table/change_request/${sid('change:1')}`, body: { comments: 'Scheduled for Tuesday night' } });
      expect(data).toMatchObject({ field: 'comments', visibility: 'customer-visible', number: 'CHG0030001' });
    });

    it('a note has no visibility argument to get wrong, and a number of another table is refused', async () => {
      const extra = await call(writer, 'sn_add_work_note', { table: 'incident', record: 'INC0010001', text: 'x', visibility: 'customer' });
      const wrong = await call(writer, 'sn_add_work_note', { table: 'problem', record: 'INC0010001', text: 'x' });
      expect(extra.isError).toBe(true);
      expect(wrong).toMatchObject({ isError: true, text: 'record INC0010001 is not a problem number (those start with PRB); give the problem number or its sys_id' });
      expect(sn.requests).toHaveLength(0);
    });
  });

  describe('incidents', () => {
    it('sn_create_incident posts the fields and answers with the new number', async () => {
      const args = { short_description: 'Disk full on crm-db', description: 'df says 100%', urgency: 1, impact: 2, caller_id: sid('user:alice'), assignment_group: sid('group:Database'), cmdb_ci: sid('ci:crm-db') };
      const { text, data } = await call(writer, 'sn_create_incident', args);
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'POST', path: '/api/now/table/incident', body: args });
      expect(sn.requests[0].query).toMatchObject({ sysparm_display_value: 'all', sysparm_exclude_reference_link: 'true' });
      expect(text.split('\n')[0]).toMatch(/^Created incident INC\d+ \(sys_id [0-9a-f]{32}\)\.$/);
      expect(data.item).toMatchObject({ short_description: 'Disk full on crm-db', assignment_group: { value: sid('group:Database'), display_value: 'Database' } });
    });

    it('sn_update_incident resolves with close_code and close_notes, sending the state code', async () => {
      const { text, data } = await call(writer, 'sn_update_incident', { incident: 'INC0010002', state: 'resolved', close_code: 'Solution provided', close_notes: 'Firmware upgraded' });
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/now/table/incident', `PATCH /api/now/table/incident/${sid('incident:2')}`]);
      expect(sn.requests[1].body).toEqual({ state: '6', close_code: 'Solution provided', close_notes: 'Firmware upgraded' });
      expect(text.split('\n')[0]).toBe('Updated incident INC0010002: close_code, close_notes, state.');
      expect(data.item.state).toEqual({ value: '6', display_value: 'Resolved' });
    });

    it('sn_update_incident refuses what the data policy would, before any request', async () => {
      const noNotes = await call(writer, 'sn_update_incident', { incident: 'INC0010002', state: 'closed', close_code: 'Solution provided' });
      const noReason = await call(writer, 'sn_update_incident', { incident: 'INC0010002', state: 'on_hold' });
      const nothing = await call(writer, 'sn_update_incident', { incident: 'INC0010002' });
      expect(noNotes).toMatchObject({ isError: true, text: 'state closed needs close_code and close_notes (the resolution), got close_notes missing' });
      expect(noReason.text).toBe('state on_hold needs hold_reason (awaiting_caller, awaiting_problem, awaiting_vendor or awaiting_change)');
      expect(nothing.text).toBe('give at least one field to change (state, assignment, urgency, impact, close_code/close_notes)');
      expect(sn.requests).toHaveLength(0);
    });

    it('sn_update_incident puts an incident on hold with its reason code', async () => {
      await call(writer, 'sn_update_incident', { incident: sid('incident:3'), state: 'on_hold', hold_reason: 'awaiting_vendor' });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'PATCH', path: `/api/now/table/incident/${sid('incident:3')}`, body: { state: '3', hold_reason: '4' } });
    });
  });

  describe('changes', () => {
    it('sn_create_change creates a normal change through the Change Management API', async () => {
      const { text, data } = await call(writer, 'sn_create_change', { type: 'normal', short_description: 'Upgrade crm-db', backout_plan: 'Restore backup', start_date: '2026-12-01 22:00:00' });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'POST', path: '/api/sn_chg_rest/change/normal', body: { short_description: 'Upgrade crm-db', backout_plan: 'Restore backup', start_date: '2026-12-01 22:00:00' } });
      expect(text.split('\n')[0]).toMatch(/^Created normal change CHG\d+ \(sys_id [0-9a-f]{32}\)\.$/);
      expect(data.item).toMatchObject({ type: { value: 'normal', display_value: 'Normal' }, state: { value: '-5', display_value: 'New' } });
    });

    it('sn_create_change creates a standard change from its template, and refuses one without', async () => {
      const tpl = sid('template:tls');
      const ok = await call(writer, 'sn_create_change', { type: 'standard', template: tpl });
      const missing = await call(writer, 'sn_create_change', { type: 'standard' });
      const stray = await call(writer, 'sn_create_change', { type: 'emergency', template: tpl, short_description: 'x' });
      const untitled = await call(writer, 'sn_create_change', { type: 'emergency' });
      expect(ok.isError).toBe(false);
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'POST', path: `/api/sn_chg_rest/change/standard/${tpl}`, body: {} });
      expect(missing.text).toBe('a standard change needs template: the sys_id of a published standard change template');
      expect(stray.text).toBe('template goes with type standard only, got type emergency');
      expect(untitled.text).toBe('an emergency change needs short_description');
    });

    it('sn_update_change moves the state only along the next states, naming what blocks a move', async () => {
      const id = sid('change:1');
      const blocked = await call(writer, 'sn_update_change', { change: 'CHG0030001', state: 'authorize' });
      expect(blocked).toMatchObject({ isError: true, text: 'change CHG0030001 cannot move to authorize now: A risk assessment must be completed; it may move to: canceled' });
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/sn_chg_rest/change', `GET /api/sn_chg_rest/change/${id}/nextstates`]);
      const skip = await call(writer, 'sn_update_change', { change: id, state: 'implement' });
      expect(skip.text).toBe('change ' + id + ' cannot move to implement now; it may move to: canceled');
      sn.requests.length = 0;
      const moved = await call(writer, 'sn_update_change', { change: id, state: 'canceled', close_notes: 'Superseded' });
      expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/sn_chg_rest/change/${id}/nextstates`, `PATCH /api/sn_chg_rest/change/${id}`]);
      expect(sn.requests[1].body).toEqual({ close_notes: 'Superseded', state: '4' });
      expect(moved.data.item.state).toEqual({ value: '4', display_value: 'Canceled' });
    });

    it('sn_update_change changes fields without a state check, and refuses closing without a close code', async () => {
      const id = sid('change:2');
      await call(writer, 'sn_update_change', { change: id, implementation_plan: 'Rotate, then verify', assigned_to: sid('user:alice') });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'PATCH', path: `/api/sn_chg_rest/change/${id}`, body: { implementation_plan: 'Rotate, then verify', assigned_to: sid('user:alice') } });
      const closing = await call(writer, 'sn_update_change', { change: id, state: 'closed' });
      expect(closing.text).toBe('state closed needs close_code and close_notes');
      expect(sn.requests).toHaveLength(1);
    });

    it('sn_decide_change_approval approves through …/approvals; a rejection needs comments', async () => {
      const id = sid('change:1');
      const noWhy = await call(writer, 'sn_decide_change_approval', { change: id, decision: 'rejected' });
      expect(noWhy).toMatchObject({ isError: true, text: 'a rejection needs comments (why it is rejected)' });
      expect(sn.requests).toHaveLength(0);
      const { text } = await call(writer, 'sn_decide_change_approval', { change: id, decision: 'approved', comments: 'Low risk' });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'PATCH', path: `/api/sn_chg_rest/change/${id}/approvals`, body: { state: 'approved', comments: 'Low risk' } });
      expect(text.split('\n')[0]).toBe('Change CHG0030001: approved; approval now {"value":"approved","display_value":"Approved"}.');
    });

    it('sn_decide_change_approval words ServiceNow\'s refusal when the user has no pending approval', async () => {
      const { isError, text } = await call(writer, 'sn_decide_change_approval', { change: sid('change:3'), decision: 'approved' });
      expect(isError).toBe(true);
      expect(text).toBe(`ServiceNow answered 403 for PATCH /api/sn_chg_rest/change/${sid('change:3')}/approvals: Operation Failed: `
        + 'The current user has no pending approval for this change request (the integration user lacks a role or an ACL to change the Change Management API '
        + '(reads: itil, change_manager or sn_change_read; writes: itil or change_manager); ask the instance\'s admin to grant it)');
    });

    it('sn_calculate_change_risk patches …/risk and reports the result', async () => {
      const id = sid('change:2');
      const { text } = await call(writer, 'sn_calculate_change_risk', { change: id });
      expect(sn.requests).toHaveLength(1);
      expect(sn.requests[0]).toMatchObject({ method: 'PATCH', path: `/api/sn_chg_rest/change/${id}/risk` });
      expect(text.split('\n')[0]).toBe('Risk of change CHG0030002: {"value":"2","display_value":"High"}, impact {"value":"2","display_value":"2 - Medium"}.');
    });
  });
});
