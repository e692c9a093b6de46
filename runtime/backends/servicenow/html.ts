/**
 * HTML to plain text, for knowledge articles (`kb_knowledge.text` is HTML) and HTML journal
 * entries (`[code]...[/code]` notes): a model reads the words, not the markup, and a hidden
 * element (`<script>`, `<style>`, a comment) does not reach it at all. Linear in the input: every
 * step scans forward with `indexOf` or a regex without nested quantifiers.
 */

const BLOCKS = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'table', 'ul', 'ol', 'hr']);
const HIDDEN = ['script', 'style', 'template', 'noscript'];
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'', nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', rsquo: '\'', lsquo: '\'', rdquo: '"', ldquo: '"' };

/** Drops `<tag ...>...</tag>` for hidden tags and `<!-- ... -->`, scanning forward only. */
function dropHidden(html: string): string {
  let out = '';
  let i = 0;
  const lower = html.toLowerCase();
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    if (lower.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const tag = HIDDEN.find((t) => lower.startsWith(`<${t}`, lt) && !/[a-z0-9]/.test(lower[lt + 1 + t.length] ?? ''));
    if (tag) {
      const end = lower.indexOf(`</${tag}`, lt);
      const close = end < 0 ? -1 : html.indexOf('>', end);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    out += '<';
    i = lt + 1;
  }
  return out;
}

function decodeEntity(entity: string): string {
  if (entity.startsWith('#x') || entity.startsWith('#X')) {
    const n = parseInt(entity.slice(2), 16);
    return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
  }
  if (entity.startsWith('#')) {
    const n = parseInt(entity.slice(1), 10);
    return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
  }
  return ENTITIES[entity.toLowerCase()] ?? `&${entity};`;
}

/**
 * The text of an HTML fragment: block elements become line breaks, list items get `- `, other
 * tags go, entities are decoded, runs of blank lines collapse.
 *
 * @example
 * htmlToText('<p>Restart the <b>mail</b> service.</p><ul><li>Check&nbsp;logs</li></ul><script>x()</script>');
 * // 'Restart the mail service.\n- Check logs'
 */
export function htmlToText(html: string): string {
  const text = dropHidden(html)
    // `[^<>]*`: a scan for the end of a tag stops at the next `<`, so unclosed tags stay linear.
    .replace(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>/g, (_m, name: string) => {
      const t = name.toLowerCase();
      if (t === 'li') return _m.startsWith('</') ? '' : '\n- ';
      if (t === 'td' || t === 'th') return _m.startsWith('</') ? '\t' : '';
      return BLOCKS.has(t) ? '\n' : '';
    })
    .replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (_m, e: string) => decodeEntity(e))
    .replace(/\r\n?/g, '\n')
    // Per line with trim(): a regex anchored after a run of spaces would rescan the run from each of its characters.
    .split('\n').map((line) => line.replace(/[ \t\u00a0]{2,}/g, ' ').trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n');
  return text.trim();
}
