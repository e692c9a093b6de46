/**
 * The pieces of the Atlassian backend that need no upstream: markdown to ADF and back, ADF to
 * Confluence storage, and the JQL/CQL builders (quoting, the allow-lists, refusals).
 */
import { adfToMarkdown, adfToStorage, inline, isAdf, lossyNodes, markdownToAdf, type AdfNode } from '../../../../runtime/backends/atlassian/adf';
import { buildCql, buildJql, quoted } from '../../../../runtime/backends/atlassian/query';

const p = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const t = (text: string, ...marks: string[]): AdfNode => (marks.length ? { type: 'text', text, marks: marks.map((type) => ({ type })) } : { type: 'text', text });

describe('markdownToAdf', () => {
  it('makes paragraphs with hard breaks, headings, rules and quotes', () => {
    expect(markdownToAdf('# Title\n\nline one\nline two\n\n---\n\n> quoted\n> on')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 1 }, content: [t('Title')] },
        p(t('line one'), { type: 'hardBreak' }, t('line two')),
        { type: 'rule' },
        { type: 'blockquote', content: [p(t('quoted'), { type: 'hardBreak' }, t('on'))] },
      ],
    });
  });

  it('makes nested bullet lists and ordered lists that start where the markdown does', () => {
    const doc = markdownToAdf('- a\n  - a1\n- b\n\n3. three\n4. four');
    expect(doc.content).toEqual([
      {
        type: 'bulletList',
        content: [
          { type: 'listItem', content: [p(t('a')), { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('a1'))] }] }] },
          { type: 'listItem', content: [p(t('b'))] },
        ],
      },
      { type: 'orderedList', attrs: { order: 3 }, content: [{ type: 'listItem', content: [p(t('three'))] }, { type: 'listItem', content: [p(t('four'))] }] },
    ]);
  });

  it('keeps code blocks verbatim with their language, and pipe tables as tables', () => {
    const doc = markdownToAdf('```ts\nconst a = **1**;\n```\n\n| h1 | h2 |\n|:--|--:|\n| x | y \\| z |');
    expect(doc.content[0]).toEqual({ type: 'codeBlock', attrs: { language: 'ts' }, content: [t('const a = **1**;')] });
    expect(doc.content[1]).toEqual({
      type: 'table',
      content: [
        { type: 'tableRow', content: [{ type: 'tableHeader', content: [p(t('h1'))] }, { type: 'tableHeader', content: [p(t('h2'))] }] },
        { type: 'tableRow', content: [{ type: 'tableCell', content: [p(t('x'))] }, { type: 'tableCell', content: [p(t('y | z'))] }] },
      ],
    });
  });

  it('reads inline marks, links and bare URLs; snake_case and stray stars stay text', () => {
    expect(inline('**bold** *em* _em_ ~~gone~~ `a*b` snake_case_name 2 * 3')).toEqual([
      t('bold', 'strong'), t(' '), t('em', 'em'), t(' '), t('em', 'em'), t(' '), t('gone', 'strike'), t(' '), t('a*b', 'code'), t(' snake_case_name 2 * 3'),
    ]);
    expect(inline('see [the **docs**](https://x.io/a) or https://example.com/p.')).toEqual([
      t('see '),
      { type: 'text', text: 'the ', marks: [{ type: 'link', attrs: { href: 'https://x.io/a' } }] },
      { type: 'text', text: 'docs', marks: [{ type: 'link', attrs: { href: 'https://x.io/a' } }, { type: 'strong' }] },
      t(' or '),
      { type: 'text', text: 'https://example.com/p', marks: [{ type: 'link', attrs: { href: 'https://example.com/p' } }] },
      t('.'),
    ]);
  });

  it('never makes a link of an unsafe scheme, and keeps escaped characters literal', () => {
    expect(inline('[click](javascript:alert(1))')).toEqual([t('[click](javascript:alert(1))')]);
    expect(inline('\\*not em\\* and \\[x\\]')).toEqual([t('*not em* and [x]')]);
  });

  it('bounds its nesting: a deeply nested text is still converted, as text past the limit', () => {
    const deep = `${'> '.repeat(40)}deep`;
    expect(() => markdownToAdf(deep)).not.toThrow();
    expect(adfToMarkdown(markdownToAdf(deep))).toContain('deep');
    expect(() => inline('*'.repeat(5000))).not.toThrow();
  });

  it('stays linear on unclosed delimiters, brackets and autolinks (a 100,000-character body of them converts)', () => {
    for (const text of ['*a '.repeat(33_000), '~~a '.repeat(25_000), '`a '.repeat(33_000), '[x'.repeat(50_000), '<http://'.repeat(12_000), '**a *b _c ~~d [e '.repeat(6_000)]) {
      const doc = markdownToAdf(text);
      expect(adfToMarkdown(doc).length).toBeGreaterThan(text.length / 2);
    }
  });
});

describe('adfToMarkdown', () => {
  it('renders what markdownToAdf makes back to the same markdown', () => {
    const md = '# Title\n\nSome **bold**, *em*, ~~strike~~, `code` and [a link](https://x.io).\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n> quote\n\n```sh\ndf -h\n```\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n---';
    expect(adfToMarkdown(markdownToAdf(md))).toBe(md);
  });

  it('simplifies what markdown has no form for, and lossyNodes names it', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        p({ type: 'mention', attrs: { id: 'abc', text: '@Ann' } }, t(' see '), { type: 'inlineCard', attrs: { url: 'https://x.io/1' } }, t(' '), { type: 'emoji', attrs: { shortName: ':fire:', text: '🔥' } },
          t(' '), { type: 'status', attrs: { text: 'BLOCKED', color: 'red' } }, t(' '), { type: 'date', attrs: { timestamp: '1763632800000' } }, { type: 'text', text: ' red', marks: [{ type: 'textColor', attrs: { color: '#f00' } }] }),
        { type: 'panel', attrs: { panelType: 'info' }, content: [p(t('FYI'))] },
        { type: 'taskList', content: [{ type: 'taskItem', attrs: { state: 'DONE' }, content: [t('done')] }, { type: 'taskItem', attrs: { state: 'TODO' }, content: [t('todo')] }] },
        { type: 'expand', attrs: { title: 'Logs' }, content: [p(t('inside'))] },
        { type: 'mediaSingle', content: [{ type: 'media', attrs: { id: 'x', type: 'file' } }] },
        { type: 'someFutureNode', content: [p(t('kept'))] },
      ],
    };
    expect(adfToMarkdown(doc)).toBe('@Ann see https://x.io/1 🔥 [BLOCKED] 2025-11-20 red\n\n> **Info:** FYI\n\n- [x] done\n- [ ] todo\n\n**Logs**\n\ninside\n\n[attachment]\n\nkept');
    expect(lossyNodes(doc)).toEqual(['date', 'emoji', 'expand', 'inlineCard', 'media', 'mediaSingle', 'mention', 'panel', 'someFutureNode', 'status', 'taskItem', 'taskList', 'textColor mark']);
    expect(lossyNodes(markdownToAdf('**plain** [x](https://x.io)'))).toEqual([]);
  });

  it('shows a string as it is and anything else as nothing; isAdf knows a document', () => {
    expect(adfToMarkdown('plain text')).toBe('plain text');
    expect(adfToMarkdown(null)).toBe('');
    expect(adfToMarkdown(42)).toBe('');
    expect(isAdf({ type: 'doc', version: 1, content: [] })).toBe(true);
    expect(isAdf({ type: 'paragraph' })).toBe(false);
  });
});

describe('adfToStorage', () => {
  it('renders storage XHTML, escaping text and attribute values', () => {
    expect(adfToStorage(markdownToAdf('## A & B\n\n[x](https://x.io/?a=1&b="2") <img src=x onerror=alert(1)>\n\n1. one\n\n> q'))).toBe(
      '<h2>A &amp; B</h2><p><a href="https://x.io/?a=1&amp;b=&quot;2&quot;">x</a> &lt;img src=x onerror=alert(1)&gt;</p><ol><li><p>one</p></li></ol><blockquote><p>q</p></blockquote>',
    );
  });

  it('puts code in the code macro, its CDATA unbreakable', () => {
    expect(adfToStorage(markdownToAdf('```\na ]]> b\n```'))).toBe('<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a ]]]]><![CDATA[> b]]></ac:plain-text-body></ac:structured-macro>');
  });
});

describe('JQL and CQL', () => {
  it('quotes with " and escapes \\ and " so a value stays one literal', () => {
    expect(quoted('OPS" OR project != "OPS', 'project')).toBe('"OPS\\" OR project != \\"OPS"');
    expect(quoted('a\\" OR x', 'text')).toBe('"a\\\\\\" OR x"');
    expect(() => quoted('a\u0000b', 'text')).toThrow('text must not contain control characters');
  });

  it('buildJql: an unrestricted search is bounded, the allow-list leads, special values are words', () => {
    expect(buildJql({}, undefined)).toBe('created >= "-365d" ORDER BY updated DESC');
    expect(buildJql({}, ['OPS'])).toBe('project in ("OPS") ORDER BY updated DESC');
    expect(buildJql({ assignee: 'none', reporter: 'me', resolved: true, order_by: 'due' }, undefined, true))
      .toBe('assignee is EMPTY AND reporter = currentUser() AND resolution is not EMPTY ORDER BY duedate DESC');
    expect(buildJql({ project: 'ops' }, ['OPS'], false)).toBe('project in ("OPS")');
    expect(() => buildJql({ project: 'SEC' }, ['OPS'])).toThrow('project "SEC" is not one this server may use; its Jira projects: OPS');
  });

  it('buildCql: types, dates and order; the allow-list leads', () => {
    expect(buildCql({}, undefined)).toBe('type in (page, blogpost) ORDER BY lastmodified DESC');
    expect(buildCql({ type: 'blogpost', title: 'Q4', updated_since: '2026-11-01', order_by: 'title' }, ['ENG', '~ann']))
      .toBe('space in ("ENG", "~ann") AND type = blogpost AND title ~ "Q4" AND lastmodified >= "2026-11-01" ORDER BY title ASC');
    expect(buildCql({ text: 'x', order_by: 'created' }, undefined)).toBe('type in (page, blogpost) AND text ~ "x" ORDER BY created DESC');
    expect(() => buildCql({ space: ['ENG', 'SEC'] }, ['ENG'])).toThrow('space "SEC" is not one this server may use; its Confluence spaces: ENG');
  });
});
