/**
 * Confluence writes (off unless `<PREFIX>_ALLOW_WRITES=true`): create a page, add a footer
 * comment; and, in the opt-in tier of edits in place (`<PREFIX>_ALLOW_EDITS=true`), append to a
 * page. Markdown becomes storage XHTML (through ADF, `adf.ts`), its text escaped; an update sends
 * the stored body with the new part after it and `version.number + 1`, never a body rebuilt from
 * the markdown a read showed.
 */
import { z } from 'zod';
import { Refusal, answer, nested, writeTool, type Row } from '../../../kit';
import { adfToStorage, markdownToAdf } from '../adf';
import { markdown, pageId, spaceKey, summarizePage } from '../shapes';
import { checkPage, confluence, ensurePageAllowed, pagePath, spaceId } from '../site';

const storage = (md: string) => ({ representation: 'storage', value: adfToStorage(markdownToAdf(md)) });
const NEEDS = 'Needs writes enabled for this server and the account\'s permission in the space.';

const PAGE_WRITTEN = z.object({ id: z.string(), title: z.unknown(), version: z.unknown(), url: z.unknown().optional() });

function written(p: Row) {
  const s = summarizePage(p);
  return { id: String(p.id), title: s.title, version: s.version, ...(s.url ? { url: s.url } : {}) };
}

const createPage = writeTool({
  name: 'confluence_create_page',
  title: 'Create a Confluence page',
  description: `Create a Confluence page (a postmortem, a runbook...) in a space, optionally below a parent page; the body is markdown, stored as Confluence storage format. ${NEEDS}`,
  input: {
    space: spaceKey,
    title: z.string().trim().min(1).max(255),
    body: markdown('The page\'s body'),
    parent_id: pageId.optional().describe('The page to create it below (default: the space\'s top level)'),
  },
  output: PAGE_WRITTEN,
  async run(a, ctx) {
    const id = await spaceId(ctx, a.space);
    if (a.parent_id) {
      const parent = (await confluence(ctx, { path: pagePath(a.parent_id) })).data;
      await checkPage(ctx, parent, `parent page ${a.parent_id}`);
      if (String(parent.spaceId) !== id) throw new Refusal(`parent page ${a.parent_id} is not in space ${a.space}`);
    }
    const res = await confluence(ctx, {
      method: 'POST',
      path: '/wiki/api/v2/pages',
      body: { spaceId: id, status: 'current', title: a.title, ...(a.parent_id ? { parentId: a.parent_id } : {}), body: storage(a.body) },
    });
    const page = written(res.data);
    return answer.message(`Created page ${page.id} "${String(page.title)}" in ${a.space}${page.url ? `: ${String(page.url)}` : ''}`, page);
  },
});

const addComment = writeTool({
  name: 'confluence_add_comment',
  title: 'Comment on a Confluence page',
  description: `Add a footer comment (markdown) to a Confluence page, or a reply to one of its footer comments. ${NEEDS}`,
  input: {
    page_id: pageId,
    body: markdown('The comment'),
    reply_to: z.string().regex(/^\d{1,20}$/, 'reply_to must be a comment id (digits)').optional().describe('A footer comment id of the page, to reply to it'),
  },
  output: z.object({ id: z.string(), page_id: z.string() }),
  async run(a, ctx) {
    await ensurePageAllowed(ctx, a.page_id);
    if (a.reply_to) {
      // The reply names only its parent comment: the parent must belong to this page.
      const parent = (await confluence(ctx, { path: `/wiki/api/v2/footer-comments/${a.reply_to}` })).data;
      if (String(parent.pageId) !== a.page_id) throw new Refusal(`comment ${a.reply_to} is not a footer comment of page ${a.page_id}`);
    }
    const target = a.reply_to ? { parentCommentId: a.reply_to } : { pageId: a.page_id };
    const res = await confluence(ctx, { method: 'POST', path: '/wiki/api/v2/footer-comments', body: { ...target, body: storage(a.body) } });
    return answer.message(`Added comment ${String(res.data.id)} to page ${a.page_id}.`, { id: String(res.data.id), page_id: a.page_id });
  },
});

const updatePage = writeTool({
  name: 'confluence_update_page',
  title: 'Append to a Confluence page',
  description: 'Append markdown to the end of a Confluence page (an update, a timeline entry), optionally renaming it: the stored body is kept as it is and the new part added after it, '
    + 'as a new version. expected_version refuses the change when someone saved a newer version since you read it. '
    + 'In the opt-in tier of edits in place: needs writes and edits (ALLOW_EDITS) enabled for this server.',
  input: {
    page_id: pageId,
    append: markdown('The text to add at the end of the page'),
    title: z.string().trim().min(1).max(255).optional().describe('A new title (default: unchanged)'),
    expected_version: z.number().int().positive().optional().describe('The version you read (confluence_get_page shows it)'),
    version_message: z.string().trim().min(1).max(255).optional().describe('The change note of the new version'),
  },
  output: PAGE_WRITTEN,
  destructive: true,
  async run(a, ctx) {
    const page = (await confluence(ctx, { path: pagePath(a.page_id), query: { 'body-format': 'storage' } })).data;
    await checkPage(ctx, page);
    const version = Number(nested(page.version, 'number'));
    if (!Number.isInteger(version)) throw new Refusal(`Confluence did not say which version page ${a.page_id} is at; not updating it`);
    if (a.expected_version !== undefined && a.expected_version !== version) {
      throw new Refusal(`page ${a.page_id} is at version ${version}, not ${a.expected_version}: someone saved it since; read it again (confluence_get_page) before appending`);
    }
    const stored = nested(nested(page.body, 'storage'), 'value');
    if (typeof stored !== 'string') throw new Refusal(`Confluence did not return the stored body of page ${a.page_id}; not updating it (an update replaces the whole body)`);
    const res = await confluence(ctx, {
      method: 'PUT',
      path: pagePath(a.page_id),
      body: {
        id: a.page_id,
        status: 'current',
        title: a.title ?? page.title,
        body: { representation: 'storage', value: stored + storage(a.append).value },
        version: { number: version + 1, ...(a.version_message ? { message: a.version_message } : {}) },
      },
    });
    const out = written(res.data);
    return answer.message(`Appended to page ${out.id} "${String(out.title)}", now version ${String(out.version)}.`, out);
  },
});

export const confluenceWriteTools = [createPage, addComment, updatePage];
