/**
 * Atlassian Document Format (ADF), the JSON that Jira v3 descriptions and comments and Confluence
 * `atlas_doc_format` bodies are written in: a plain string there renders literally, so writes
 * convert markdown to ADF (`markdownToAdf`), and reads render ADF as markdown (`adfToMarkdown`).
 *
 * Reading is lossy on purpose (mentions become `@Name`, media a placeholder, panels a quote):
 * `lossyNodes` names what was simplified, and no tool writes a rich field back from what it read
 * (writes append to the stored ADF or storage body instead, see atlassian-mcp-server#60).
 * `adfToStorage` renders the ADF that `markdownToAdf` makes as Confluence storage XHTML, so one
 * markdown parser serves Jira and Confluence.
 */

/** One ADF node. */
export interface AdfNode {
  readonly type: string;
  readonly attrs?: Record<string, unknown>;
  readonly content?: AdfNode[];
  readonly text?: string;
  readonly marks?: AdfMark[];
}

export interface AdfMark {
  readonly type: string;
  readonly attrs?: Record<string, unknown>;
}

export interface AdfDoc extends AdfNode {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: AdfNode[];
}

/** Whether `value` looks like an ADF document (`{ type: 'doc', content: [...] }`). */
export function isAdf(value: unknown): value is AdfDoc {
  return !!value && typeof value === 'object' && (value as AdfNode).type === 'doc' && Array.isArray((value as AdfNode).content);
}

// ---- markdown -> ADF ---------------------------------------------------------------------------

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|(?:\s*:?-+:?\s*\|)+\s*$/;

/** Bounds the nesting of quotes and lists (a text that nests deeper is kept as text). */
const MAX_DEPTH = 12;

/**
 * ADF for a markdown text: paragraphs (a line break inside one is kept as a hard break), headings,
 * bullet and ordered lists (nested by indentation), fenced code blocks with a language, quotes,
 * rules, pipe tables, and inline bold, italic, strike-through, code, links and bare URLs. Anything
 * else stays text, never raw markup.
 *
 * @example
 * markdownToAdf('**Cause**: a full disk');
 * // { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [
 * //   { type: 'text', text: 'Cause', marks: [{ type: 'strong' }] }, { type: 'text', text: ': a full disk' }] }] }
 */
export function markdownToAdf(markdown: string): AdfDoc {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  return { type: 'doc', version: 1, content: blocks(lines, 0) };
}

function blocks(lines: string[], depth: number): AdfNode[] {
  const out: AdfNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      const text = body.join('\n');
      out.push({ type: 'codeBlock', ...(fence[2] ? { attrs: { language: fence[2] } } : {}), content: text ? [{ type: 'text', text }] : [] });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ type: 'heading', attrs: { level: heading[1].length }, content: inline(heading[2]) });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push({ type: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) quoted.push(QUOTE.exec(lines[i++])![1]);
      out.push({ type: 'blockquote', content: blocks(quoted, depth + 1) });
      continue;
    }
    if (LIST_ITEM.test(line) && depth < MAX_DEPTH) {
      const [node, next] = list(lines, i, depth);
      out.push(node);
      i = next;
      continue;
    }
    if (TABLE_ROW.test(line) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      const rows: string[][] = [cells(line)];
      i += 2;
      while (i < lines.length && TABLE_ROW.test(lines[i])) rows.push(cells(lines[i++]));
      out.push(table(rows));
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !startsBlock(lines[i])) para.push(lines[i++].trim());
    if (para.length === 0) para.push(lines[i++].trim());
    const content: AdfNode[] = [];
    para.forEach((text, n) => {
      if (n > 0) content.push({ type: 'hardBreak' });
      content.push(...inline(text));
    });
    out.push({ type: 'paragraph', content });
  }
  return out;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

/** A list starting at `lines[start]`: its items are the lines at its marker's indentation; deeper lines belong to the item above. */
function list(lines: string[], start: number, depth: number): [AdfNode, number] {
  const first = LIST_ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: AdfNode[] = [];
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const own: string[] = [m[3]];
    i++;
    // The item's continuation: deeper-indented lines, and blank lines followed by one.
    while (i < lines.length) {
      const l = lines[i];
      const deeper = l.trim() !== '' && l.length - l.trimStart().length > indent;
      const blankThenDeeper = l.trim() === '' && i + 1 < lines.length && lines[i + 1].trim() !== '' && lines[i + 1].length - lines[i + 1].trimStart().length > indent;
      if (!deeper && !blankThenDeeper) break;
      own.push(l.trim() === '' ? '' : l.slice(Math.min(l.length - l.trimStart().length, indent + 2)));
      i++;
    }
    items.push({ type: 'listItem', content: blocks(own, depth + 1) });
    // A blank line between items of the same list does not end it.
    if (i + 1 < lines.length && lines[i]?.trim() === '' && LIST_ITEM.exec(lines[i + 1])?.[1].length === indent) i++;
  }
  const startAt = ordered ? Number.parseInt(first[2], 10) : 1;
  const node: AdfNode = ordered
    ? { type: 'orderedList', ...(startAt !== 1 ? { attrs: { order: startAt } } : {}), content: items }
    : { type: 'bulletList', content: items };
  return [node, i];
}

function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function table(rows: string[][]): AdfNode {
  const width = Math.max(...rows.map((r) => r.length));
  return {
    type: 'table',
    content: rows.map((r, n) => ({
      type: 'tableRow',
      content: Array.from({ length: width }, (_, k) => ({
        type: n === 0 ? 'tableHeader' : 'tableCell',
        content: [{ type: 'paragraph', content: inline(r[k] ?? '') }],
      })),
    })),
  };
}

/** `[text](href "title")`, the text bounded so that a text of many `[` stays linear. */
const LINK = /^\[((?:[^\]\\]|\\.){0,500})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+"[^"]{0,500}")?\s*\)/;
const SAFE_HREF = /^(?:https?:\/\/|mailto:)[^\s]+$/i;
const BARE_URL = /^https?:\/\/[^\s<>()[\]]{0,2000}[^\s<>()[\].,;:!?'"*_~]/;

/** Inline markdown as ADF text nodes with marks. */
export function inline(text: string, marks: readonly AdfMark[] = [], depth = 0): AdfNode[] {
  const out: AdfNode[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(textNode(plain, marks));
    plain = '';
  };
  const has = (type: string) => marks.some((m) => m.type === type);
  // Where a delimiter's search for its closer failed: it fails from any later start too (linear time).
  const unclosed: Record<string, number> = {};
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_~[\]()#>|!+-]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(rest)![0];
      const end = i < (unclosed[run] ?? Infinity) ? text.indexOf(run, i + run.length) : -1;
      if (end < 0) unclosed[run] = i;
      if (end > i) {
        flush();
        // ADF allows code only with link: the code keeps a link around it, drops the rest.
        const link = marks.filter((m) => m.type === 'link');
        out.push(textNode(text.slice(i + run.length, end).replace(/^ (.*) $/, '$1'), [...link, { type: 'code' }]));
        i = end + run.length;
        continue;
      }
    }
    if (depth < MAX_DEPTH) {
      const span = delimited(text, i, unclosed);
      if (span) {
        flush();
        out.push(...inline(span.inner, has(span.mark) ? marks : [...marks, { type: span.mark }], depth + 1));
        i = span.end;
        continue;
      }
      if (c === '[' && !has('link')) {
        const m = LINK.exec(rest);
        if (m && SAFE_HREF.test(m[2])) {
          flush();
          out.push(...inline(m[1] || m[2], [...marks, { type: 'link', attrs: { href: m[2] } }], depth + 1));
          i += m[0].length;
          continue;
        }
      }
    }
    if ((c === 'h' || c === 'H') && !has('link') && (i === 0 || /[\s(]/.test(text[i - 1]))) {
      const m = BARE_URL.exec(rest);
      if (m) {
        flush();
        out.push(textNode(m[0], [...marks, { type: 'link', attrs: { href: m[0] } }]));
        i += m[0].length;
        continue;
      }
    }
    if (c === '<') {
      const m = /^<(https?:\/\/[^\s<>]{1,2000})>/.exec(rest);
      if (m && !has('link')) {
        flush();
        out.push(textNode(m[1], [...marks, { type: 'link', attrs: { href: m[1] } }]));
        i += m[0].length;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

const DELIMITERS: ReadonlyArray<[string, string]> = [['**', 'strong'], ['__', 'strong'], ['~~', 'strike'], ['*', 'em'], ['_', 'em']];

/** A `**bold**`, `*em*`, `_em_` or `~~strike~~` span starting at `i`: `_` only at word edges (snake_case stays text). */
function delimited(text: string, i: number, unclosed: Record<string, number>): { inner: string; mark: string; end: number } | undefined {
  for (const [d, mark] of DELIMITERS) {
    if (!text.startsWith(d, i) || i >= (unclosed[d] ?? Infinity)) continue;
    if (d.length === 1 && text[i + 1] === d) continue; // `**` is tried first; `***` falls through to text
    const after = text[i + d.length];
    if (after === undefined || /\s/.test(after)) continue;
    if (d[0] === '_' && i > 0 && /\w/.test(text[i - 1])) continue;
    let j = text.indexOf(d, i + d.length);
    while (j > 0) {
      const before = text[j - 1];
      const next = text[j + d.length];
      const closes = !/\s/.test(before) && before !== '\\' && (d.length === 2 || next !== d) && !(d[0] === '_' && next !== undefined && /\w/.test(next));
      if (closes) return { inner: text.slice(i + d.length, j), mark, end: j + d.length };
      j = text.indexOf(d, j + 1);
    }
    unclosed[d] = i;
  }
  return undefined;
}

function textNode(text: string, marks: readonly AdfMark[]): AdfNode {
  return marks.length > 0 ? { type: 'text', text, marks: [...marks] } : { type: 'text', text };
}

// ---- ADF -> markdown ---------------------------------------------------------------------------

/** Node types `markdownToAdf` makes (and `adfToMarkdown` renders faithfully); others are simplified when read. */
const FAITHFUL = new Set([
  'doc', 'paragraph', 'text', 'hardBreak', 'heading', 'bulletList', 'orderedList', 'listItem', 'codeBlock', 'blockquote', 'rule',
  'table', 'tableRow', 'tableHeader', 'tableCell',
]);
const FAITHFUL_MARKS = new Set(['strong', 'em', 'strike', 'code', 'link']);

/**
 * The node and mark types of `doc` that markdown cannot carry (mentions, media, panels, smart
 * links, colours...): what a reader of `adfToMarkdown(doc)` does not see exactly. Bounded depth.
 *
 * @example
 * lossyNodes({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'mention', attrs: { text: '@Ann' } }] }] }); // ['mention']
 */
export function lossyNodes(doc: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 64) return;
    const n = node as AdfNode;
    if (typeof n.type === 'string' && !FAITHFUL.has(n.type)) found.add(n.type);
    for (const m of Array.isArray(n.marks) ? n.marks : []) if (!FAITHFUL_MARKS.has(m?.type)) found.add(`${String(m?.type)} mark`);
    for (const child of Array.isArray(n.content) ? n.content : []) walk(child, depth + 1);
  };
  walk(doc, 0);
  return [...found].sort();
}

const PANEL_LABEL: Record<string, string> = { info: 'Info', note: 'Note', warning: 'Warning', error: 'Error', success: 'Success', tip: 'Tip' };

/**
 * Markdown for an ADF document (or node): readable text for a model, simplified where markdown
 * has no equivalent (see `lossyNodes`). A value that is not ADF is shown as text (a string) or
 * as nothing.
 *
 * @example
 * adfToMarkdown({ type: 'doc', version: 1, content: [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] }] });
 * // '## Impact'
 */
export function adfToMarkdown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '';
  return block(value as AdfNode, 0).replace(/\n{3,}/g, '\n\n').trim();
}

function children(node: AdfNode): AdfNode[] {
  return Array.isArray(node.content) ? node.content.filter((c) => c && typeof c === 'object') : [];
}

function blockList(nodes: AdfNode[], depth: number): string {
  return nodes.map((n) => block(n, depth)).filter((s) => s !== '').join('\n\n');
}

/** A list item's blocks: a nested list follows its paragraph on the next line, as markdown writes it. */
function itemBody(nodes: AdfNode[], depth: number): string {
  return nodes.map((n, k) => (k === 0 ? '' : /List$/.test(n.type) ? '\n' : '\n\n') + block(n, depth)).join('');
}

const indentLines = (text: string, prefix: string) => text.split('\n').map((l) => (l ? prefix + l : l)).join('\n');

function block(node: AdfNode, depth: number): string {
  if (depth > 48) return '';
  const attrs = node.attrs ?? {};
  switch (node.type) {
    case 'doc':
      return blockList(children(node), depth + 1);
    case 'paragraph':
      return inlines(children(node));
    case 'heading':
      return `${'#'.repeat(Math.min(6, Math.max(1, Number(attrs.level) || 1)))} ${inlines(children(node))}`;
    case 'bulletList':
    case 'orderedList': {
      let n = Number(attrs.order) || 1;
      return children(node).map((item) => {
        const marker = node.type === 'orderedList' ? `${n++}. ` : '- ';
        const body = item.type === 'listItem' ? itemBody(children(item), depth + 1) : block(item, depth + 1);
        return marker + indentLines(body, ' '.repeat(marker.length)).slice(marker.length);
      }).join('\n');
    }
    case 'taskList':
    case 'decisionList':
      return children(node).map((item) => {
        const mark = item.type === 'decisionItem' ? '- Decision: ' : item.attrs?.state === 'DONE' ? '- [x] ' : '- [ ] ';
        const body = item.type === 'taskList' ? block(item, depth + 1) : inlines(children(item));
        return item.type === 'taskList' ? indentLines(body, '  ') : mark + body;
      }).join('\n');
    case 'listItem':
      return blockList(children(node), depth + 1);
    case 'codeBlock':
      return `\`\`\`${typeof attrs.language === 'string' ? attrs.language : ''}\n${children(node).map((c) => c.text ?? '').join('')}\n\`\`\``;
    case 'blockquote':
      return indentLines(blockList(children(node), depth + 1), '> ');
    case 'panel': {
      const label = PANEL_LABEL[String(attrs.panelType)] ?? 'Panel';
      return indentLines(`**${label}:** ${blockList(children(node), depth + 1)}`, '> ');
    }
    case 'rule':
      return '---';
    case 'expand':
    case 'nestedExpand':
      return `**${typeof attrs.title === 'string' && attrs.title ? attrs.title : 'Details'}**\n\n${blockList(children(node), depth + 1)}`;
    case 'table':
      return tableMarkdown(node);
    case 'mediaSingle':
    case 'mediaGroup':
      return children(node).map((m) => mediaText(m)).join(' ');
    case 'media':
      return mediaText(node);
    case 'blockCard':
    case 'embedCard':
      return cardUrl(node) ?? '[card]';
    case 'extension':
    case 'bodiedExtension':
    case 'inlineExtension':
      return `[${String(attrs.extensionKey ?? 'extension')}]`;
    default:
      // Unknown blocks: their children when they have any (an inline node here is rendered inline).
      if (!Array.isArray(node.content)) return inlines([node]);
      return children(node).every(isInline) ? inlines(children(node)) : blockList(children(node), depth + 1);
  }
}

const INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status', 'placeholder', 'mediaInline', 'inlineExtension']);
const isInline = (n: AdfNode) => INLINE.has(n.type);

function mediaText(node: AdfNode): string {
  const alt = node.attrs?.alt;
  return `[attachment${typeof alt === 'string' && alt ? `: ${alt}` : ''}]`;
}

function cardUrl(node: AdfNode): string | undefined {
  const url = node.attrs?.url ?? (node.attrs?.data as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? url : undefined;
}

function tableMarkdown(node: AdfNode): string {
  const rows = children(node).filter((r) => r.type === 'tableRow').map((r) => children(r).map((cell) => blockList(children(cell), 1).replace(/\n+/g, ' ').replace(/\|/g, '\\|')));
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.length));
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, k) => r[k] ?? '').join(' | ')} |`;
  return [line(rows[0]), `|${' --- |'.repeat(width)}`, ...rows.slice(1).map(line)].join('\n');
}

function inlines(nodes: AdfNode[]): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(node: AdfNode): string {
  const attrs = node.attrs ?? {};
  switch (node.type) {
    case 'text':
      return withMarks(node.text ?? '', node.marks ?? []);
    case 'hardBreak':
      return '\n';
    case 'mention': {
      const name = typeof attrs.text === 'string' && attrs.text ? attrs.text.replace(/^@/, '') : String(attrs.id ?? 'someone');
      return `@${name}`;
    }
    case 'emoji':
      return String(attrs.text ?? attrs.shortName ?? '');
    case 'inlineCard':
      return cardUrl(node) ?? '[link]';
    case 'date': {
      const ms = Number(attrs.timestamp);
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
    }
    case 'status':
      return `[${String(attrs.text ?? '')}]`;
    case 'placeholder':
      return '';
    case 'mediaInline':
      return mediaText(node);
    default:
      return Array.isArray(node.content) ? inlines(children(node)) : '';
  }
}

function withMarks(text: string, marks: readonly AdfMark[]): string {
  let out = text;
  const types = marks.map((m) => m?.type);
  if (types.includes('code')) out = `\`${out}\``;
  if (types.includes('strike')) out = `~~${out}~~`;
  if (types.includes('em')) out = `*${out}*`;
  if (types.includes('strong')) out = `**${out}**`;
  const link = marks.find((m) => m?.type === 'link');
  const href = link?.attrs?.href;
  if (typeof href === 'string') out = href === text && out === text ? href : `[${out}](${href})`;
  return out;
}

// ---- ADF -> Confluence storage -----------------------------------------------------------------

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Confluence storage XHTML for the ADF that `markdownToAdf` makes (paragraphs, headings, lists,
 * code blocks as the `code` macro, quotes, rules, tables, marks, links): text is escaped, so no
 * markup in the markdown reaches the page as markup.
 *
 * @example
 * adfToStorage(markdownToAdf('Cause: **disk** <full>')); // '<p>Cause: <strong>disk</strong> &lt;full&gt;</p>'
 */
export function adfToStorage(doc: AdfNode): string {
  return storageBlocks(children(doc), 0);
}

function storageBlocks(nodes: AdfNode[], depth: number): string {
  return nodes.map((n) => storageBlock(n, depth)).join('');
}

function storageBlock(node: AdfNode, depth: number): string {
  if (depth > 48) return '';
  const inner = () => storageBlocks(children(node), depth + 1);
  switch (node.type) {
    case 'paragraph':
      return `<p>${storageInlines(children(node))}</p>`;
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(node.attrs?.level) || 1));
      return `<h${level}>${storageInlines(children(node))}</h${level}>`;
    }
    case 'bulletList':
      return `<ul>${inner()}</ul>`;
    case 'orderedList':
      return node.attrs?.order ? `<ol start="${Number(node.attrs.order) || 1}">${inner()}</ol>` : `<ol>${inner()}</ol>`;
    case 'listItem':
      return `<li>${inner()}</li>`;
    case 'blockquote':
      return `<blockquote>${inner()}</blockquote>`;
    case 'rule':
      return '<hr />';
    case 'codeBlock': {
      const code = children(node).map((c) => c.text ?? '').join('');
      const language = typeof node.attrs?.language === 'string' && node.attrs.language ? `<ac:parameter ac:name="language">${escapeXml(node.attrs.language)}</ac:parameter>` : '';
      // CDATA cannot hold "]]>": it is split across two sections.
      return `<ac:structured-macro ac:name="code">${language}<ac:plain-text-body><![CDATA[${code.split(']]>').join(']]]]><![CDATA[>')}]]></ac:plain-text-body></ac:structured-macro>`;
    }
    case 'table':
      return `<table><tbody>${inner()}</tbody></table>`;
    case 'tableRow':
      return `<tr>${inner()}</tr>`;
    case 'tableHeader':
      return `<th>${inner()}</th>`;
    case 'tableCell':
      return `<td>${inner()}</td>`;
    default:
      return `<p>${escapeXml(adfToMarkdown(node))}</p>`;
  }
}

function storageInlines(nodes: AdfNode[]): string {
  return nodes.map((n) => {
    if (n.type === 'hardBreak') return '<br />';
    if (n.type !== 'text') return escapeXml(inlineNode(n));
    let out = escapeXml(n.text ?? '');
    const types = (n.marks ?? []).map((m) => m.type);
    if (types.includes('code')) out = `<code>${out}</code>`;
    if (types.includes('strike')) out = `<s>${out}</s>`;
    if (types.includes('em')) out = `<em>${out}</em>`;
    if (types.includes('strong')) out = `<strong>${out}</strong>`;
    const href = (n.marks ?? []).find((m) => m.type === 'link')?.attrs?.href;
    if (typeof href === 'string') out = `<a href="${escapeXml(href)}">${out}</a>`;
    return out;
  }).join('');
}
