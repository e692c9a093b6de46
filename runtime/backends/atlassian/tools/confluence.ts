/** Confluence reads: CQL search (v1, from typed filters), pages, children, spaces and comments (v2). */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, answer, nested, output, readTool, rowSchema, truncationSchema, untrusted, type Row } from '../../../kit';
import { adfToMarkdown, lossyNodes } from '../adf';
import { confluencePages, listPage } from '../paging';
import { CQL_FILTERS, buildCql } from '../query';
import { PAGE_ROW, highlighted, pageId, spaceKey, summarizePage } from '../shapes';
import { allowedSpaces, checkPage, confluence, ensurePageAllowed, pagePath, spaceId } from '../site';

const searchPages = confluencePages(10, 50);
const SEARCH_ROW = rowSchema(['id', 'type', 'title', 'space', 'excerpt', 'last_modified', 'url']);

/** The space key of a search result (`resultGlobalContainer.displayUrl` is `/spaces/<KEY>`). */
function resultSpace(r: Row): unknown {
  const url = nested(r.resultGlobalContainer, 'displayUrl');
  const m = typeof url === 'string' ? /\/spaces\/([^/?#]+)/.exec(url) : null;
  return m ? decodeURIComponent(m[1]) : nested(r.resultGlobalContainer, 'title');
}

const search = readTool({
  name: 'confluence_search',
  title: 'Search Confluence',
  description: 'Search Confluence pages and blog posts with typed filters (text, title, space, labels, contributor, ancestor page, updated since), '
    + 'newest first or by relevance with text; the answer shows the CQL it ran. The server\'s allowed spaces, when it has any, are ANDed into every query. '
    + `confluence_get_page reads a result. ${UNTRUSTED_NOTE} ${searchPages.hint}`,
  input: { ...CQL_FILTERS, ...searchPages.input },
  output: output.list(SEARCH_ROW),
  async run(a, ctx) {
    const cql = buildCql(a, allowedSpaces(ctx));
    let base: unknown;
    return listPage(searchPages, a, 'confluence_search', async (paging) => {
      const res = await confluence(ctx, { path: '/wiki/rest/api/search', query: { cql, ...paging } });
      base = nested(res.data._links, 'base');
      return res;
    }, (r) => {
      const content = (r.content ?? {}) as Row;
      const excerpt = typeof r.excerpt === 'string' && r.excerpt.trim() ? untrusted(highlighted(r.excerpt), `excerpt of ${String(content.id ?? r.title)}`) : undefined;
      return {
        id: content.id,
        type: content.type ?? r.entityType,
        title: typeof r.title === 'string' ? r.title.replace(/@@@(?:end)?hl@@@/g, '') : content.title,
        space: resultSpace(r),
        excerpt,
        last_modified: r.lastModified,
        url: typeof base === 'string' && typeof r.url === 'string' ? base + r.url : undefined,
      };
    }, `CQL: ${cql}`);
  },
});

const DEFAULT_LINES = 400;

const PAGE_OUTPUT = z.object({
  page: PAGE_ROW,
  body_format: z.enum(['markdown', 'storage']),
  body: z.string().describe('The page\'s body (the lines asked for), framed as untrusted text'),
  body_lossy: z.array(z.string()).optional().describe('Rich content markdown cannot carry exactly (macros, mentions, media...): simplified in the body shown'),
  lines: z.object({ from: z.number().int(), to: z.number().int(), total: z.number().int() }),
  truncated: truncationSchema.optional(),
});

/** The body of a v2 page in `format`: markdown from its ADF (`atlas_doc_format`), or the storage XHTML as it is. */
function pageBody(p: Row, format: 'markdown' | 'storage'): { text: string; lossy: string[] } {
  const body = (p.body ?? {}) as Row;
  if (format === 'storage') return { text: String(nested(body.storage, 'value') ?? ''), lossy: [] };
  const raw = nested(body.atlas_doc_format, 'value');
  let doc: unknown = raw;
  if (typeof raw === 'string') {
    try {
      doc = JSON.parse(raw);
    } catch {
      doc = raw;
    }
  }
  return { text: adfToMarkdown(doc), lossy: lossyNodes(doc) };
}

const getPage = readTool({
  name: 'confluence_get_page',
  title: 'Read a Confluence page',
  description: 'Read a Confluence page by id, or by title in a space: its metadata and body, as markdown (default; rendered from the page\'s rich text, '
    + 'body_lossy names what was simplified) or as storage XHTML (exact). Long pages come in windows of lines (from_line, max_lines). '
    + `Never write a page back from this markdown: confluence_update_page appends to the stored body. ${UNTRUSTED_NOTE}`,
  input: {
    page_id: pageId.optional(),
    title: z.string().trim().min(1).max(255).optional().describe('The page\'s exact title (with space)'),
    space: spaceKey.optional().describe('The space of the titled page'),
    format: z.enum(['markdown', 'storage']).optional().describe('Default markdown'),
    from_line: z.number().int().min(1).optional().describe('First line of the body to show (default 1)'),
    max_lines: z.number().int().min(1).max(5000).optional().describe(`How many lines (default ${DEFAULT_LINES})`),
  },
  output: PAGE_OUTPUT,
  async run(a, ctx) {
    const format = a.format ?? 'markdown';
    const query = { 'body-format': format === 'markdown' ? 'atlas_doc_format' : 'storage' };
    let page: Row;
    if (a.page_id !== undefined) {
      if (a.title !== undefined || a.space !== undefined) throw new Refusal('give page_id, or title with space, not both');
      page = (await confluence(ctx, { path: pagePath(a.page_id), query })).data;
    } else {
      if (a.title === undefined || a.space === undefined) throw new Refusal('give page_id, or title together with space');
      const id = await spaceId(ctx, a.space);
      const res = await confluence<{ results?: Row[] }>(ctx, { path: '/wiki/api/v2/pages', query: { 'title': a.title, 'space-id': id, 'status': 'current', ...query } });
      const found = res.data.results?.[0];
      if (!found) throw new Refusal(`space ${a.space} has no current page titled ${JSON.stringify(a.title)} (confluence_search finds pages by part of their title)`);
      page = found;
    }
    await checkPage(ctx, page);
    const { text, lossy } = pageBody(page, format);
    const all = text.split('\n');
    const from = Math.min(a.from_line ?? 1, Math.max(all.length, 1));
    const shown = all.slice(from - 1, from - 1 + (a.max_lines ?? DEFAULT_LINES));
    const to = from - 1 + shown.length;
    const rest = all.length - to;
    const meta = summarizePage(page);
    const framed = untrusted(shown.join('\n'), `page ${String(page.id)} "${String(page.title)}"`);
    const where = `Lines ${from}-${to} of ${all.length}.${rest > 0 ? ` More: call again with from_line=${to + 1}.` : ''}`;
    return answer.message(`${String(page.title)} (page ${String(page.id)}, version ${String(meta.version)}${meta.url ? `, ${String(meta.url)}` : ''}). ${where}\n\n${framed}`, {
      page: meta,
      body_format: format,
      body: framed,
      ...(lossy.length > 0 ? { body_lossy: lossy } : {}),
      lines: { from, to, total: all.length },
      ...(rest > 0 ? { truncated: { omitted: rest, unit: 'items' as const, hint: `lines after ${to}: call again with from_line=${to + 1}` } } : {}),
    });
  },
});

const childPages = confluencePages(25, 250);

const children = readTool({
  name: 'confluence_get_page_children',
  title: 'List a Confluence page\'s children',
  description: `The pages (and whiteboards, folders...) directly below a Confluence page, in their order. ${childPages.hint}`,
  input: { page_id: pageId, ...childPages.input },
  output: output.list(rowSchema(['id', 'title', 'type', 'status', 'position'])),
  async run(a, ctx) {
    await ensurePageAllowed(ctx, a.page_id);
    return listPage(childPages, a, 'confluence_get_page_children', (query) => confluence(ctx, { path: `${pagePath(a.page_id)}/direct-children`, query }),
      (c) => ({ id: c.id, title: c.title, type: c.type, status: c.status, position: c.childPosition }));
  },
});

const spacePages = confluencePages(25, 250);

const listSpaces = readTool({
  name: 'confluence_list_spaces',
  title: 'List Confluence spaces',
  description: `List Confluence spaces (only the server's allowed ones, when it has any), by key or type. ${spacePages.hint}`,
  input: {
    keys: z.array(spaceKey).min(1).max(50).optional().describe('Only these space keys'),
    type: z.enum(['global', 'personal']).optional(),
    ...spacePages.input,
  },
  output: output.list(rowSchema(['id', 'key', 'name', 'type', 'status', 'homepage_id', 'url'])),
  async run(a, ctx) {
    const allowed = allowedSpaces(ctx);
    const keys = allowed ? (a.keys ?? allowed).filter((k) => allowed.includes(k)) : a.keys;
    if (keys && keys.length === 0) throw new Refusal(`none of ${a.keys!.join(', ')} is a space this server may use; its Confluence spaces: ${allowed!.join(', ')}`);
    let base: unknown;
    return listPage(spacePages, a, 'confluence_list_spaces', async (paging) => {
      const res = await confluence(ctx, { path: '/wiki/api/v2/spaces', query: { keys: keys?.join(','), type: a.type, ...paging } });
      base = nested(res.data._links, 'base');
      return res;
    }, (s) => ({
      id: s.id,
      key: s.key,
      name: s.name,
      type: s.type,
      status: s.status,
      homepage_id: s.homepageId,
      url: typeof base === 'string' && typeof nested(s._links, 'webui') === 'string' ? base + String(nested(s._links, 'webui')) : undefined,
    }));
  },
});

const commentPages = confluencePages(25, 100);

const comments = readTool({
  name: 'confluence_get_comments',
  title: 'Read a Confluence page\'s comments',
  description: 'The comments of a Confluence page: footer comments (default, below the page) or inline comments (on a highlighted passage, with that passage and whether it is resolved), '
    + `bodies as markdown. ${UNTRUSTED_NOTE} ${commentPages.hint}`,
  input: { page_id: pageId, kind: z.enum(['footer', 'inline']).optional().describe('Default footer'), ...commentPages.input },
  output: output.list(rowSchema(['id', 'author_id', 'created_at', 'version', 'body', 'selection', 'resolution', 'parent_comment_id'])),
  async run(a, ctx) {
    await ensurePageAllowed(ctx, a.page_id);
    const kind = a.kind ?? 'footer';
    return listPage(commentPages, a, 'confluence_get_comments', (paging) => confluence(ctx, {
      path: `${pagePath(a.page_id)}/${kind}-comments`,
      query: { 'body-format': 'atlas_doc_format', ...paging },
    }), (c) => {
      const raw = nested((c.body ?? {}) as Row, 'atlas_doc_format');
      const value = nested(raw, 'value');
      let doc: unknown = value;
      try {
        doc = typeof value === 'string' ? JSON.parse(value) : value;
      } catch { /* shown as text */ }
      const props = (c.properties ?? {}) as Row;
      return {
        id: c.id,
        author_id: nested(c.version, 'authorId'),
        created_at: nested(c.version, 'createdAt'),
        version: nested(c.version, 'number'),
        body: untrusted(adfToMarkdown(doc), `${kind} comment ${String(c.id)}`),
        selection: typeof props.inlineOriginalSelection === 'string' ? untrusted(props.inlineOriginalSelection, `passage of comment ${String(c.id)}`) : undefined,
        resolution: c.resolutionStatus,
        parent_comment_id: c.parentCommentId,
      };
    });
  },
});

export const confluenceReadTools = [search, getPage, children, listSpaces, comments];
