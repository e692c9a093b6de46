/** Knowledge articles: keyword search over published articles, their HTML bodies as text. */
import { z } from 'zod';
import { Refusal, UNTRUSTED_NOTE, rowSchema, textWindow, untrusted, type Row } from '../../../kit';
import { NEWEST_FIRST, encodedQuery, keywords } from '../query';
import { contextListTool } from '../records';
import { KB_FIELDS, numberOf, readableText, shown, tablePath, tableQuery, valueOf } from '../shapes';

const DEFAULT_CHARS = 2000;

function article(r: Row, maxChars: number): Row {
  const number = numberOf(r);
  const raw = valueOf(r.text);
  const body = textWindow(readableText(typeof raw === 'string' ? raw : ''), maxChars, 'head');
  const row: Row = {};
  for (const f of KB_FIELDS) if (f !== 'text' && f in r) row[f] = shown(r[f]);
  row.text = untrusted(body.text, `knowledge article ${number}`);
  if (body.omitted > 0) row.text_omitted = body.omitted;
  return row;
}

const searchKnowledge = contextListTool({
  name: 'sn_search_knowledge',
  title: 'Search knowledge articles',
  description: 'Search published knowledge articles by keywords (ServiceNow\'s text index), or get one by number; the body is given as text, '
    + `its first max_chars characters (text_omitted says how many more). ${UNTRUSTED_NOTE}`,
  input: {
    query: z.string().trim().min(1).max(200).optional().describe('Keywords, e.g. "vpn reset password"'),
    number: z.string().trim().regex(/^KB\d{4,12}$/i, 'number must be a knowledge article number like KB0010001').optional(),
    knowledge_base: z.string().trim().min(1).max(100).optional().describe('Only articles of the knowledge base with this title'),
    max_chars: z.number().int().min(200).max(20_000).optional().describe(`Characters of each article body (default ${DEFAULT_CHARS})`),
  },
  row: rowSchema([...KB_FIELDS, 'text_omitted']),
  request: (a) => {
    // Without either the tool would list the whole knowledge base.
    if (a.query === undefined && a.number === undefined) throw new Refusal('give query (keywords) or number');
    return {
      path: tablePath('kb_knowledge'),
      query: tableQuery(KB_FIELDS, encodedQuery([
        { field: 'workflow_state', op: '=', value: 'published' },
        a.number === undefined ? undefined : { field: 'number', op: '=', value: a.number.toUpperCase(), what: 'number' },
        a.knowledge_base === undefined ? undefined : { field: 'kb_knowledge_base.title', op: '=', value: a.knowledge_base, what: 'knowledge_base' },
        keywords(a.query, 'query'),
      ], NEWEST_FIRST)),
    };
  },
  map: (r, a) => article(r, a.max_chars ?? DEFAULT_CHARS),
});

export const knowledgeTools = [searchKnowledge];
