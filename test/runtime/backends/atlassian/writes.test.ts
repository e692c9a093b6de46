/**
 * Atlassian's write tools: absent unless writes are enabled, the edits in place absent (and
 * refused) unless `ALLOW_EDITS` is set too, and each one's REST requests asserted against the fake (markdown sent
 * as ADF or storage XHTML, transitions looked up, the stored description appended to, the page
 * version incremented, the allow-lists checked before anything is written).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EMAIL, TOKEN, basic, callTool, startAtlassianFleet, type AtlassianFleet } from './fleet';
import { ATLASSIAN_BACKEND, ATLASSIAN_EDIT_TOOLS } from '../../../../src/contract';
import type { FakeAtlassian } from '../../../fakes/fake-atlassian';

const WRITE_TOOLS = ATLASSIAN_BACKEND.tools.write;

describe('Atlassian write tools', () => {
  let setup: AtlassianFleet;
  let site: FakeAtlassian;
  let ro: Client;
  let rw: Client;
  let editor: Client;
  let fenced: Client;

  beforeAll(async () => {
    setup = await startAtlassianFleet({
      MCP_SERVERS: 'atlassian,rw:atlassian,editor:atlassian,fenced:atlassian',
      RW_ALLOW_WRITES: 'true',
      EDITOR_ALLOW_WRITES: 'true',
      EDITOR_ALLOW_EDITS: 'true',
      FENCED_ALLOW_WRITES: 'true',
      FENCED_ALLOW_EDITS: 'true',
      FENCED_JIRA_PROJECTS: 'OPS',
      FENCED_CONFLUENCE_SPACES: 'ENG',
    });
    site = setup.site;
    ro = await setup.connect('atlassian');
    rw = await setup.connect('rw');
    editor = await setup.connect('editor');
    fenced = await setup.connect('fenced');
  });
  afterAll(() => setup.close());
  beforeEach(() => site.reset());

  const call = (via: Client, name: string, args: Record<string, unknown>) => callTool(via, name, args);
  const paths = () => site.requests.map((r) => `${r.method} ${r.path}`);

  describe('the write switch', () => {
    it('write tools are absent from tools/list unless writes are enabled, and annotated as writes', async () => {
      const roNames = (await ro.listTools()).tools.map((t) => t.name);
      const rwNames = (await rw.listTools()).tools.map((t) => t.name);
      const editorTools = (await editor.listTools()).tools;
      for (const name of WRITE_TOOLS) expect(roNames).not.toContain(name);
      expect(roNames).toEqual(ATLASSIAN_BACKEND.tools.read);
      // Writes on: every write but the edits in place; writes and edits on: every tool.
      expect(rwNames).toEqual([...ATLASSIAN_BACKEND.tools.read, ...WRITE_TOOLS.filter((n) => !ATLASSIAN_EDIT_TOOLS.includes(n))]);
      expect(editorTools.map((t) => t.name)).toEqual([...ATLASSIAN_BACKEND.tools.read, ...WRITE_TOOLS]);
      for (const t of editorTools.filter((x) => WRITE_TOOLS.includes(x.name))) {
        expect(t.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
      }
      expect(editorTools.find((t) => t.name === 'jira_update_issue')!.annotations).toMatchObject({ destructiveHint: true });
    });

    it('a write where writes are off is refused without a call, saying how to enable it', async () => {
      const { text, isError } = await call(ro, 'jira_add_comment', { issue_key: 'OPS-1', body: 'hi' });
      expect(isError).toBe(true);
      expect(text).toBe('Tool jira_add_comment disabled: writes are off for server atlassian (set ATLASSIAN_ALLOW_WRITES=true to enable them)');
      expect(site.requests).toHaveLength(0);
    });

    it('the edits in place are refused unless ALLOW_EDITS is set too, without a call, saying how to enable them', async () => {
      const args: Record<string, Record<string, unknown>> = {
        jira_update_issue: { issue_key: 'OPS-1', summary: 'x' },
        jira_link_issues: { link_type: 'Blocks', inward_issue: 'OPS-1', outward_issue: 'OPS-2' },
        confluence_update_page: { page_id: '1001', append: 'x' },
      };
      for (const tool of ATLASSIAN_EDIT_TOOLS) {
        const { text, isError } = await call(rw, tool, args[tool]);
        expect(isError).toBe(true);
        expect(text).toBe(`Tool ${tool} disabled: it edits existing content in place, which server rw does not allow (set RW_ALLOW_EDITS=true, or \`allowEdits: true\` on McpServer.atlassian, to enable it)`);
      }
      expect(site.requests).toHaveLength(0);
    });
  });

  describe('Jira', () => {
    it('jira_create_issue checks the issue type against the create metadata, then posts the fields with the description as ADF', async () => {
      const { text, data, isError } = await call(rw, 'jira_create_issue', {
        project: 'ops',
        issue_type: 'incident',
        summary: 'Disk full on db-1',
        description: '## Impact\n\n**Checkout** is down.\n\n- restart\n- `df -h`',
        labels: ['sev2'],
        priority: 'High',
        assignee: '5b10ac8d82e05b22cc7d4ef5',
        parent: 'OPS-1',
        due_date: '2026-12-01',
        components: ['db'],
        custom_fields: { customfield_10010: { value: 'SEV-2' } },
      });
      expect(isError).toBe(false);
      expect(paths()).toEqual(['GET /rest/api/3/issue/createmeta/OPS/issuetypes', 'POST /rest/api/3/issue']);
      expect(site.requests[1].headers.authorization).toBe(basic(EMAIL, TOKEN));
      expect(site.requests[1].body).toEqual({
        fields: {
          customfield_10010: { value: 'SEV-2' },
          project: { key: 'OPS' },
          issuetype: { id: '10003' },
          summary: 'Disk full on db-1',
          description: {
            type: 'doc',
            version: 1,
            content: [
              { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] },
              { type: 'paragraph', content: [{ type: 'text', text: 'Checkout', marks: [{ type: 'strong' }] }, { type: 'text', text: ' is down.' }] },
              {
                type: 'bulletList',
                content: [
                  { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'restart' }] }] },
                  { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'df -h', marks: [{ type: 'code' }] }] }] },
                ],
              },
            ],
          },
          labels: ['sev2'],
          priority: { name: 'High' },
          assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' },
          parent: { key: 'OPS-1' },
          duedate: '2026-12-01',
          components: [{ name: 'db' }],
        },
      });
      expect(data).toEqual({ key: 'OPS-100', id: expect.any(String), url: `${site.origin}/browse/OPS-100` });
      expect(text).toBe(`Created OPS-100: ${site.origin}/browse/OPS-100`);
    });

    it('jira_create_issue refuses an unknown issue type (naming the project\'s), a label with a space, and a project outside the allow-list', async () => {
      const type = await call(rw, 'jira_create_issue', { project: 'OPS', issue_type: 'Epic', summary: 'x' });
      expect(type).toMatchObject({ isError: true, text: 'project OPS has no issue type "Epic"; its types: Bug, Task, Incident, Sub-task' });
      expect(paths()).toEqual(['GET /rest/api/3/issue/createmeta/OPS/issuetypes']);
      site.reset();
      expect((await call(rw, 'jira_create_issue', { project: 'OPS', issue_type: 'Bug', summary: 'x', labels: ['two words'] })).text).toBe('labels cannot contain spaces, got: "two words"');
      expect((await call(fenced, 'jira_create_issue', { project: 'SEC', issue_type: 'Bug', summary: 'x' })).text).toBe('project "SEC" is not one this server may use; its Jira projects: OPS');
      expect(site.requests).toHaveLength(0);
    });

    it('jira_add_comment posts the markdown as ADF, with a visibility restriction', async () => {
      const { text } = await call(rw, 'jira_add_comment', { issue_key: 'OPS-1', body: 'Rolled back in [!12](https://gitlab.example.com/mr/12).', visibility: { type: 'role', value: 'Developers' } });
      expect(site.requests[0]).toMatchObject({ method: 'POST', path: '/rest/api/3/issue/OPS-1/comment' });
      expect(site.requests[0].body).toEqual({
        body: {
          type: 'doc',
          version: 1,
          content: [{
            type: 'paragraph',
            content: [{ type: 'text', text: 'Rolled back in ' }, { type: 'text', text: '!12', marks: [{ type: 'link', attrs: { href: 'https://gitlab.example.com/mr/12' } }] }, { type: 'text', text: '.' }],
          }],
        },
        visibility: { type: 'role', value: 'Developers' },
      });
      expect(text).toMatch(/^Added comment \d+ to OPS-1\.$/);
    });

    it('jira_add_comment internal: true is a Service Management internal note', async () => {
      const { data } = await call(rw, 'jira_add_comment', { issue_key: 'SEC-1', body: 'Agents only', internal: true });
      expect(site.requests[0]).toMatchObject({ method: 'POST', path: '/rest/servicedeskapi/request/SEC-1/comment', body: { body: 'Agents only', public: false } });
      expect(data).toEqual({ id: '32001', issue_key: 'SEC-1', internal: true });
      const both = await call(rw, 'jira_add_comment', { issue_key: 'SEC-1', body: 'x', internal: true, visibility: { type: 'group', value: 'admins' } });
      expect(both.text).toBe('give internal or visibility, not both: an internal note is already visible to agents only');
    });

    it('with an allow-list, a write checks the issue\'s project before writing, and never writes to a moved issue', async () => {
      await call(fenced, 'jira_add_comment', { issue_key: 'OPS-1', body: 'ok' });
      expect(site.requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['GET', '/rest/api/3/issue/OPS-1', { fields: 'project' }],
        ['POST', '/rest/api/3/issue/OPS-1/comment', {}],
      ]);
      site.reset();
      const moved = await call(fenced, 'jira_add_comment', { issue_key: 'OPS-9', body: 'no' });
      expect(moved).toMatchObject({ isError: true, text: 'issue OPS-9 is not in the Jira projects this server may use (OPS)' });
      expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-9']);
      site.reset();
      expect((await call(fenced, 'jira_transition_issue', { issue_key: 'SEC-1', transition: 'Close' })).isError).toBe(true);
      expect(site.requests).toHaveLength(0);
    });

    it('jira_transition_issue looks the transition up by name (or target status), then posts its id with a resolution and a comment', async () => {
      const { text, data } = await call(rw, 'jira_transition_issue', { issue_key: 'OPS-3', transition: 'close', resolution: 'Fixed', comment: 'Keys rotated.' });
      // then, with no read naming the issue's id, it is looked up for the next searches (see reconcile.test.ts)
      expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-3/transitions', 'POST /rest/api/3/issue/OPS-3/transitions', 'GET /rest/api/3/issue/OPS-3']);
      expect(site.requests[1].body).toEqual({
        transition: { id: '31' },
        fields: { resolution: { name: 'Fixed' } },
        update: { comment: [{ add: { body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Keys rotated.' }] }] } } }] },
      });
      expect(text).toBe('Moved OPS-3 to Done (transition 31 "Close").');
      expect(data).toEqual({ issue_key: 'OPS-3', transition_id: '31', to_status: 'Done' });
      site.reset();
      const byStatus = await call(rw, 'jira_transition_issue', { issue_key: 'OPS-1', transition: 'To Do' });
      expect(site.requests[1].body).toEqual({ transition: { id: '11' } });
      expect(byStatus.isError).toBe(false);
    });

    it('jira_transition_issue refuses a transition the workflow does not offer, listing those it does', async () => {
      const { text, isError } = await call(rw, 'jira_transition_issue', { issue_key: 'OPS-2', transition: 'Reopen' });
      expect(isError).toBe(true);
      expect(text).toBe('OPS-2 has no transition "Reopen" from its current status; it can take: To Do (id 11) -> To Do; Start progress (id 21) -> In Progress');
      expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-2/transitions']);
    });

    it('jira_update_issue puts the changed fields and label operations', async () => {
      const { text } = await call(editor, 'jira_update_issue', { issue_key: 'OPS-3', summary: 'Rotate the API keys (Q4)', priority: 'High', assignee: 'none', due_date: '2026-12-24', labels_add: ['security'], labels_remove: ['old'] });
      expect(site.requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['PUT', '/rest/api/3/issue/OPS-3', { notifyUsers: 'true' }],
        ['GET', '/rest/api/3/issue/OPS-3', { fields: 'project' }], // the id, for the next searches
      ]);
      expect(site.requests[0].body).toEqual({
        fields: { summary: 'Rotate the API keys (Q4)', priority: { name: 'High' }, assignee: null, duedate: '2026-12-24' },
        update: { labels: [{ add: 'security' }, { remove: 'old' }] },
      });
      expect(text).toBe('Updated OPS-3: summary, priority, assignee, due_date, labels_add, labels_remove.');
      expect((await call(editor, 'jira_update_issue', { issue_key: 'OPS-3' })).text).toMatch(/^nothing to change/);
    });

    it('jira_update_issue appends to the stored ADF description, keeping what markdown cannot carry (mention, panel, media)', async () => {
      const read = async () => (await (await fetch(`${site.url}/rest/api/3/issue/OPS-1?fields=description`, { headers: { authorization: basic(EMAIL, TOKEN) } })).json()).fields.description;
      const before = await read();
      site.reset();
      await call(editor, 'jira_update_issue', { issue_key: 'OPS-1', description_append: '**Update:** rolled back.' });
      expect(site.requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['GET', '/rest/api/3/issue/OPS-1', { fields: 'description' }],
        ['PUT', '/rest/api/3/issue/OPS-1', { notifyUsers: 'true' }],
      ]);
      const sent = (site.requests[1].body as { fields: { description: { content: unknown[] } } }).fields.description;
      // the stored document as Jira had it (mention, panel, media intact), plus one paragraph
      const appended = { type: 'paragraph', content: [{ type: 'text', text: 'Update:', marks: [{ type: 'strong' }] }, { type: 'text', text: ' rolled back.' }] };
      expect(sent).toEqual({ ...before, content: [...before.content, appended] });
      expect(JSON.stringify(sent)).toContain('"type":"mention"');
      expect(await read()).toEqual(sent);
      const tools = (await editor.listTools()).tools;
      expect(tools.find((t) => t.name === 'jira_update_issue')!.inputSchema.properties).not.toHaveProperty('description');
    });

    it('jira_link_issues posts the link (Jira answers 201 with no body)', async () => {
      const { text, isError } = await call(editor, 'jira_link_issues', { link_type: 'Blocks', inward_issue: 'OPS-1', outward_issue: 'plat-1', comment: 'See the upgrade.' });
      expect(isError).toBe(false);
      expect(site.requests[0]).toMatchObject({ method: 'POST', path: '/rest/api/3/issueLink' });
      expect(site.requests[0].body).toMatchObject({ type: { name: 'Blocks' }, inwardIssue: { key: 'OPS-1' }, outwardIssue: { key: 'PLAT-1' }, comment: { body: { type: 'doc' } } });
      expect(site.requests[0].response?.status).toBe(201);
      expect(text).toBe('Linked OPS-1 and PLAT-1 (Blocks).');
      site.reset();
      expect((await call(fenced, 'jira_link_issues', { link_type: 'Blocks', inward_issue: 'OPS-1', outward_issue: 'PLAT-1' })).text).toBe('issue PLAT-1 is not in the Jira projects this server may use (OPS)');
      expect(paths()).toEqual(['GET /rest/api/3/issue/OPS-1']);
    });

    it('a 400 with field errors is explained; a write answered 503 is not retried', async () => {
      site.queue('POST', '/rest/api/3/issue', { status: 400, body: { errorMessages: [], errors: { customfield_10010: 'Severity is required.' } } });
      const invalid = await call(rw, 'jira_create_issue', { project: 'OPS', issue_type: 'Bug', summary: 'x' });
      expect(invalid.text).toBe('Atlassian answered 400 for POST /rest/api/3/issue: customfield_10010 Severity is required. (Atlassian refused the request; the message says which value)');
      site.reset();
      site.queue('POST', /\/comment$/, { status: 503, headers: { 'retry-after': '0' }, body: 'busy' });
      const busy = await call(rw, 'jira_add_comment', { issue_key: 'OPS-1', body: 'x' });
      expect(busy.isError).toBe(true);
      expect(site.requests).toHaveLength(1);
    });
  });

  describe('Confluence', () => {
    it('confluence_create_page finds the space id by key, then posts the markdown as storage XHTML (its markup escaped)', async () => {
      const { text, data } = await call(rw, 'confluence_create_page', { space: 'ENG', title: 'Postmortem: disk full', body: '# Timeline\n\n- 10:00 <b>alert</b> & page\n\n```sh\necho "]]>"\n```', parent_id: '1001' });
      expect(paths()).toEqual(['GET /wiki/api/v2/spaces', 'GET /wiki/api/v2/pages/1001', 'POST /wiki/api/v2/pages']);
      expect(site.requests[0].query).toEqual({ keys: 'ENG', limit: '250' });
      expect(site.requests[2].body).toEqual({
        spaceId: '98305',
        status: 'current',
        title: 'Postmortem: disk full',
        parentId: '1001',
        body: {
          representation: 'storage',
          value: '<h1>Timeline</h1><ul><li><p>10:00 &lt;b&gt;alert&lt;/b&gt; &amp; page</p></li></ul>'
            + '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">sh</ac:parameter><ac:plain-text-body><![CDATA[echo "]]]]><![CDATA[>"]]></ac:plain-text-body></ac:structured-macro>',
        },
      });
      expect(data).toMatchObject({ id: '9000', title: 'Postmortem: disk full', version: 1, url: `${site.origin}/wiki/spaces/ENG/pages/9000` });
      expect(text).toBe(`Created page 9000 "Postmortem: disk full" in ENG: ${site.origin}/wiki/spaces/ENG/pages/9000`);
    });

    it('confluence_create_page refuses a space outside the allow-list, a parent in another space, and an unknown space', async () => {
      expect((await call(fenced, 'confluence_create_page', { space: 'OPS', title: 't', body: 'b' })).text).toBe('space "OPS" is not one this server may use; its Confluence spaces: ENG');
      expect(site.requests).toHaveLength(0);
      expect((await call(rw, 'confluence_create_page', { space: 'ENG', title: 't', body: 'b', parent_id: '1004' })).text).toBe('parent page 1004 is not in space ENG');
      expect((await call(rw, 'confluence_create_page', { space: 'NOPE', title: 't', body: 'b' })).text).toBe('Confluence has no space with key "NOPE" that this account can see (confluence_list_spaces lists them)');
      expect(paths().filter((p) => p.startsWith('POST'))).toEqual([]);
    });

    it('confluence_add_comment posts a footer comment in storage format, or a reply to one of the page\'s comments', async () => {
      const { text } = await call(rw, 'confluence_add_comment', { page_id: '1001', body: 'Step 3 *fixed*.' });
      expect(site.requests[0]).toMatchObject({ method: 'POST', path: '/wiki/api/v2/footer-comments', body: { pageId: '1001', body: { representation: 'storage', value: '<p>Step 3 <em>fixed</em>.</p>' } } });
      expect(text).toBe('Added comment 5100 to page 1001.');
      site.reset();
      await call(rw, 'confluence_add_comment', { page_id: '1001', body: 'Thanks', reply_to: '5001' });
      expect(paths()).toEqual(['GET /wiki/api/v2/footer-comments/5001', 'POST /wiki/api/v2/footer-comments']);
      expect(site.requests[1].body).toEqual({ parentCommentId: '5001', body: { representation: 'storage', value: '<p>Thanks</p>' } });
      expect((await call(rw, 'confluence_add_comment', { page_id: '1004', body: 'x', reply_to: '5001' })).text).toBe('comment 5001 is not a footer comment of page 1004');
      site.reset();
      expect((await call(fenced, 'confluence_add_comment', { page_id: '1003', body: 'x' })).text).toBe('page 1003 is not in the Confluence spaces this server may use (ENG)');
      expect(paths().filter((p) => p.startsWith('POST'))).toEqual([]);
    });

    it('confluence_update_page appends to the stored body and sends version + 1', async () => {
      const { text, data } = await call(editor, 'confluence_update_page', { page_id: '1004', append: '## 2026-11-20\n\nPaged twice.', expected_version: 2, version_message: 'timeline' });
      expect(paths()).toEqual(['GET /wiki/api/v2/pages/1004', 'PUT /wiki/api/v2/pages/1004']);
      expect(site.requests[0].query).toEqual({ 'body-format': 'storage' });
      expect(site.requests[1].body).toEqual({
        id: '1004',
        status: 'current',
        title: 'On-call handbook',
        body: { representation: 'storage', value: '<p>Be kind.</p><h2>2026-11-20</h2><p>Paged twice.</p>' },
        version: { number: 3, message: 'timeline' },
      });
      expect(text).toBe('Appended to page 1004 "On-call handbook", now version 3.');
      expect(data).toMatchObject({ id: '1004', version: 3 });
    });

    it('confluence_update_page refuses a stale expected_version, and explains Confluence\'s conflict', async () => {
      const stale = await call(editor, 'confluence_update_page', { page_id: '1001', append: 'x', expected_version: 1 });
      expect(stale.text).toBe('page 1001 is at version 3, not 1: someone saved it since; read it again (confluence_get_page) before appending');
      expect(paths()).toEqual(['GET /wiki/api/v2/pages/1001']);
      site.reset();
      site.queue('PUT', '/wiki/api/v2/pages/1001', { status: 409, body: { errors: [{ status: 409, code: 'CONFLICT', title: 'Version must be incremented on update. Current version is: 4', detail: null }] } });
      const conflict = await call(editor, 'confluence_update_page', { page_id: '1001', append: 'x' });
      expect(conflict.text).toBe('Atlassian answered 409 for PUT /wiki/api/v2/pages/1001: Version must be incremented on update. Current version is: 4 '
        + '(it conflicts with the current state (for a page: someone saved a newer version; read it again))');
      site.reset();
      expect((await call(fenced, 'confluence_update_page', { page_id: '1003', append: 'x' })).text).toBe('page 1003 is not in the Confluence spaces this server may use (ENG)');
      expect(paths().filter((p) => p.startsWith('PUT'))).toEqual([]);
    });
  });
});
