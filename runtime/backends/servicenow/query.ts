/**
 * Encoded queries (`sysparm_query`) built from typed filters, never from text a caller wrote.
 *
 * An encoded query is one string: conditions `<field><operator><value>` joined by `^` (AND),
 * `^OR` (OR), `^NQ` (a new query ORed with everything before it), and `ORDERBY<field>` /
 * `ORDERBYDESC<field>` clauses. ServiceNow has no quoting: a value that contains `^` ends its
 * condition, so `x^ORactive=true` turns "short description contains x" into "...or any active
 * record" and reads the whole table (the review of microsoft/Employee-Self-Service-Agent-Developer-Kit
 * PR #15 shows exactly that). Since nothing can escape it, such a value is refused, with a message
 * that says which part and why, before any request is made. So are values that ServiceNow
 * evaluates instead of comparing: `javascript:` (server-side script in a query value) and the
 * keyword-search marker `123TEXTQUERY321`.
 */
import { Refusal } from '../../kit';

/** The operators a typed filter may use (ServiceNow's spelling; `IN` takes a list). */
export type Operator = '=' | '!=' | 'LIKE' | 'NOT LIKE' | 'STARTSWITH' | 'ENDSWITH' | 'IN' | 'NOT IN' | '<' | '<=' | '>' | '>=' | 'ISEMPTY' | 'ISNOTEMPTY';

export const OPERATORS: readonly Operator[] = ['=', '!=', 'LIKE', 'NOT LIKE', 'STARTSWITH', 'ENDSWITH', 'IN', 'NOT IN', '<', '<=', '>', '>=', 'ISEMPTY', 'ISNOTEMPTY'];

/** One condition; `value` is absent only for `ISEMPTY` / `ISNOTEMPTY`. */
export interface Condition {
  readonly field: string;
  readonly op: Operator;
  readonly value?: string | number | boolean | readonly (string | number)[];
  /** The tool argument the value came from, named in a refusal (default: the field). */
  readonly what?: string;
}

/** One sort clause. */
export interface Order {
  readonly field: string;
  readonly desc?: boolean;
}

/** Newest change first, then sys_id: a total order, so pages do not shift or repeat under writes. */
export const NEWEST_FIRST: readonly Order[] = [{ field: 'sys_updated_on', desc: true }, { field: 'sys_id' }];

/** A field name, dot-walked or not (`caller_id.user_name`, `u_custom`); ServiceNow's own names are lower-case. */
const FIELD = /^[a-z][a-z0-9_]{0,79}(\.[a-z][a-z0-9_]{0,79}){0,3}$/;

/** What may not be in a value, the first match named in the refusal. */
const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\r\n]/, 'a line break, which ends the condition'],
  [/\^NQ/, '"^NQ", which starts a new query ORed with this one'],
  [/\^OR/, '"^OR", which ORs another condition into the query'],
  [/\^/, '"^", which joins another condition to the query'],
  [/ORDERBY/i, '"ORDERBY", which ServiceNow reads as a sort clause'],
  [/javascript:/i, '"javascript:", which ServiceNow runs as a script instead of comparing'],
  [/123TEXTQUERY321/i, '"123TEXTQUERY321", ServiceNow\'s keyword-search marker'],
];

/** Why `value` cannot be a query value, or `undefined` when it can. */
export function valueProblem(value: string, what: string): string | undefined {
  for (const [pattern, why] of FORBIDDEN) {
    if (pattern.test(value)) {
      return `${what} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} contains ${why}; `
        + 'ServiceNow query values cannot be quoted, so the value is refused (search for a part of it without that)';
    }
  }
  return undefined;
}

/**
 * `value` as it may stand in an encoded query; throws a `Refusal` naming `what` otherwise.
 *
 * @example
 * queryValue('mail server', 'contains');     // 'mail server'
 * queryValue('x^ORactive=true', 'contains'); // throws: contains "x^ORactive=true" contains "^OR", ...
 */
export function queryValue(value: string, what: string): string {
  const problem = valueProblem(value, what);
  if (problem) throw new Refusal(problem);
  return value;
}

/** `name` as a field of a query; a `Refusal` naming `what` otherwise. */
export function queryField(name: string, what: string): string {
  if (!FIELD.test(name)) {
    throw new Refusal(`${what} ${JSON.stringify(name)} is not a ServiceNow field name (lower-case letters, digits and underscores, dot-walked like caller_id.user_name)`);
  }
  return name;
}

/** The pseudo-field of keyword search: `123TEXTQUERY321=<terms>` searches the table's text index. */
const TEXT_SEARCH = '123TEXTQUERY321';

function condition(c: Condition): string {
  const field = c.field === TEXT_SEARCH ? c.field : queryField(c.field, 'field');
  const what = c.what ?? field;
  if (c.op === 'ISEMPTY' || c.op === 'ISNOTEMPTY') return `${field}${c.op}`;
  if (c.value === undefined) throw new Refusal(`${what} (${c.op}) needs a value`);
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const list = Array.isArray(c.value) ? c.value : [c.value as string];
    if (list.length === 0) throw new Refusal(`${what} (${c.op}) needs at least one value`);
    // A comma separates the values of IN, so one value cannot hold one.
    const values = list.map((v) => {
      const s = queryValue(String(v), what);
      if (s.includes(',')) throw new Refusal(`${what} ${JSON.stringify(s)} contains ",", which separates the values of ${c.op}; give each value on its own`);
      return s;
    });
    return `${field}${c.op}${values.join(',')}`;
  }
  return `${field}${c.op}${queryValue(String(c.value), what)}`;
}

/** Conditions ANDed together; a list inside is ORed (`a^ORb`), which ServiceNow binds tighter than `^`. */
export type Conditions = ReadonlyArray<Condition | readonly Condition[] | undefined>;

/**
 * The encoded query of `conditions` (ANDed; `undefined` entries skipped; an inner list ORed) and
 * `order`.
 *
 * @example
 * encodedQuery([{ field: 'active', op: '=', value: true }, { field: 'short_description', op: 'LIKE', value: 'mail' }], NEWEST_FIRST);
 * // 'active=true^short_descriptionLIKEmail^ORDERBYDESCsys_updated_on^ORDERBYsys_id'
 * encodedQuery([[{ field: 'name', op: 'LIKE', value: 'ann' }, { field: 'email', op: 'LIKE', value: 'ann' }]]);
 * // 'nameLIKEann^ORemailLIKEann'
 */
export function encodedQuery(conditions: Conditions, order: readonly Order[] = []): string {
  const parts: string[] = [];
  for (const c of conditions) {
    if (c === undefined) continue;
    if (Array.isArray(c)) {
      if (c.length > 0) parts.push((c as readonly Condition[]).map(condition).join('^OR'));
    } else {
      parts.push(condition(c as Condition));
    }
  }
  for (const o of order) parts.push(`${o.desc ? 'ORDERBYDESC' : 'ORDERBY'}${queryField(o.field, 'sort field')}`);
  return parts.join('^');
}

/**
 * The keyword-search condition (`123TEXTQUERY321=<terms>`): ServiceNow's text index, over every
 * indexed field of the table.
 */
export function keywords(terms: string | undefined, what = 'keywords'): Condition | undefined {
  return terms === undefined ? undefined : { field: TEXT_SEARCH, op: '=', value: terms, what };
}
