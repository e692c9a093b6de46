/** The encoded-query builder and the HTML-to-text conversion, directly. */
import { encodedQuery, htmlToText, queryValue } from '../../../../runtime/backends/servicenow';
import { NEWEST_FIRST, keywords } from '../../../../runtime/backends/servicenow/query';
import { Refusal } from '../../../../runtime/kit';

describe('encodedQuery', () => {
  it('ANDs conditions, ORs inner lists, and appends the sort clauses', () => {
    expect(encodedQuery([
      { field: 'active', op: '=', value: true },
      [{ field: 'name', op: 'LIKE', value: 'ann' }, { field: 'email', op: 'STARTSWITH', value: 'ann' }],
      { field: 'priority', op: 'IN', value: [1, 2] },
      { field: 'cmdb_ci', op: 'ISEMPTY' },
      undefined,
      keywords('mail relay'),
    ], NEWEST_FIRST)).toBe('active=true^nameLIKEann^ORemailSTARTSWITHann^priorityIN1,2^cmdb_ciISEMPTY^123TEXTQUERY321=mail relay^ORDERBYDESCsys_updated_on^ORDERBYsys_id');
    expect(encodedQuery([])).toBe('');
  });

  it.each([
    ['a^b', '"^", which joins another condition'],
    ['a^ORb', '"^OR", which ORs another condition'],
    ['a^NQb', '"^NQ", which starts a new query'],
    ['a\nb', 'a line break'],
    ['a\rb', 'a line break'],
    ['ORDERBYnumber', '"ORDERBY", which ServiceNow reads as a sort clause'],
    ['orderbydescnumber', '"ORDERBY"'],
    ['JavaScript:gs.getUserID()', '"javascript:"'],
    ['123TEXTQUERY321=x', '"123TEXTQUERY321"'],
  ])('refuses the value %j (%s), naming the argument', (value, why) => {
    expect(() => queryValue(value, 'contains')).toThrow(Refusal);
    expect(() => queryValue(value, 'contains')).toThrow(`contains ${JSON.stringify(value)} contains ${why}`);
  });

  it('keeps ordinary values as they are, an @ or = included', () => {
    for (const v of ['alice@example.com', 'a=b', 'Service Desk', '10.0.0.25', 'ünïcode ✓', 'x OR y']) expect(queryValue(v, 'v')).toBe(v);
  });

  it('refuses field names that are not ServiceNow names and commas in IN values', () => {
    expect(() => encodedQuery([{ field: 'Active', op: '=', value: 1 }])).toThrow('field "Active" is not a ServiceNow field name');
    expect(() => encodedQuery([{ field: 'a.b.c.d.e', op: '=', value: 1 }])).toThrow('is not a ServiceNow field name');
    expect(() => encodedQuery([], [{ field: 'x^y' }])).toThrow('sort field "x^y" is not a ServiceNow field name');
    expect(() => encodedQuery([{ field: 'number', op: 'IN', value: ['a,b'], what: 'numbers' }])).toThrow('numbers "a,b" contains ",", which separates the values of IN');
    expect(() => encodedQuery([{ field: 'number', op: 'IN', value: [] }])).toThrow('number (IN) needs at least one value');
    expect(() => encodedQuery([{ field: 'number', op: '=' }])).toThrow('number (=) needs a value');
  });

  it('cuts a long refused value in the message', () => {
    const long = `${'x'.repeat(100)}^ORactive=true`;
    expect(() => queryValue(long, 'q')).toThrow(`q "${'x'.repeat(80)}…" contains "^OR"`);
  });
});

describe('htmlToText', () => {
  it('keeps the words: blocks as lines, list items marked, entities decoded, hidden parts dropped', () => {
    expect(htmlToText('<h1>Title</h1><p>One&nbsp;&amp; <b>two</b>&#33; &#x263A;</p><ul><li>a</li><li>b</li></ul><!-- hidden --><style>p{}</style><SCRIPT src=x>evil()</SCRIPT>end'))
      .toBe('Title\n\nOne & two! ☺\n\n- a\n- b\nend');
    expect(htmlToText('a<br/>b<br>c')).toBe('a\nb\nc');
    expect(htmlToText('<table><tr><td>k</td><td>v</td></tr></table>')).toBe('k\tv');
  });

  it('leaves a lone < and unknown entities, and ends unclosed hidden parts at the end', () => {
    expect(htmlToText('1 < 2 &bogus; x')).toBe('1 < 2 &bogus; x');
    expect(htmlToText('keep<script>never closed')).toBe('keep');
    expect(htmlToText('keep<!-- never closed')).toBe('keep');
  });

  it('is linear on hostile input (many unclosed openings)', () => {
    expect(htmlToText('<a '.repeat(100_000))).toBe('<a '.repeat(100_000).trim());
    expect(htmlToText('<script'.repeat(20_000))).toBe('');
    expect(htmlToText(`${' '.repeat(200_000)}x${'\t '.repeat(100_000)}`)).toBe('x');
    expect(htmlToText('<!--'.repeat(20_000))).toBe('');
  });
});
