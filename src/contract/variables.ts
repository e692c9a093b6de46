/**
 * How the constructs write the runtime's variables and how the runtime reads them: each format
 * has one encoder (`render*`, used by `src/`) and one decoder (`parse*`, used by `runtime/`), and a
 * round-trip test (`test/contract/variables.test.ts`) holds them together.
 *
 *   SERVER_NAME / SERVER_KIND          one server (SERVER_KIND only when the name is not the kind)
 *   MCP_SERVERS                        several: `name` or `name:kind`, comma-separated
 *   <PREFIX>_<URL>                     the upstream base URL (`GITLAB_API_URL`; see backends.ts)
 *   <PREFIX>_<CREDENTIAL>              a credential given directly (ECS secrets, local use)
 *   <PREFIX>_<CREDENTIAL>_SECRET_ARN   a credential in Secrets Manager: `arn` or `arn#jsonField`
 *   <PREFIX>_ALLOW_WRITES              `true` registers the server's write tools
 *   <PREFIX>_TOOLS_ALLOW               only these tools (comma-separated names)
 *   <PREFIX>_TOOLS_DENY                every tool but these (never together with _TOOLS_ALLOW)
 */

/** `<PREFIX>_<CREDENTIAL>` + this: the Secrets Manager ARN of a credential (`arn...#field` selects a JSON field). */
export const SECRET_ARN_SUFFIX = '_SECRET_ARN';

/** `<PREFIX>` + this: `true` registers the server's mutating tools. */
export const ALLOW_WRITES_SUFFIX = '_ALLOW_WRITES';

/** `<PREFIX>` + this: a comma-separated list of the only tools the server offers (the write switch still applies). */
export const TOOLS_ALLOW_SUFFIX = '_TOOLS_ALLOW';

/** `<PREFIX>` + this: a comma-separated list of tools the server does not offer. */
export const TOOLS_DENY_SUFFIX = '_TOOLS_DENY';

/** One entry of `MCP_SERVERS`. */
export interface ServerListEntry {
  readonly name: string;
  readonly kind: string;
}

/**
 * The value of `MCP_SERVERS`: `name` where the name is the kind, else `name:kind`.
 *
 * @example
 * renderServerList([{ name: 'gitlab', kind: 'gitlab' }, { name: 'gl-internal', kind: 'gitlab' }]);
 * // 'gitlab,gl-internal:gitlab'
 */
export function renderServerList(entries: readonly ServerListEntry[]): string {
  return entries.map((e) => (e.name === e.kind ? e.name : `${e.name}:${e.kind}`)).join(',');
}

/**
 * Reads `MCP_SERVERS`. Blanks around items and empty items are ignored; names and kinds are
 * checked by the caller (the runtime's configuration names the variable in its messages).
 *
 * @example
 * parseServerList(' gitlab, gl-internal:gitlab ');
 * // [{ name: 'gitlab', kind: 'gitlab' }, { name: 'gl-internal', kind: 'gitlab' }]
 */
export function parseServerList(value: string): ServerListEntry[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const [name, kind] = item.split(':').map((s) => s.trim());
    return { name, kind: kind || name };
  });
}

/** A credential's place in Secrets Manager: the secret and, for a JSON secret, the field. */
export interface SecretRef {
  readonly secretId: string;
  readonly jsonField?: string;
}

/**
 * The value of `<PREFIX>_<CREDENTIAL>_SECRET_ARN`. Works on CDK tokens too (plain concatenation).
 *
 * @example
 * renderSecretRef({ secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-AbCdEf', jsonField: 'token' });
 * // 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-AbCdEf#token'
 */
export function renderSecretRef(ref: SecretRef): string {
  return ref.jsonField ? `${ref.secretId}#${ref.jsonField}` : ref.secretId;
}

/**
 * Reads `<PREFIX>_<CREDENTIAL>_SECRET_ARN`: `arn` or `arn#field` (an empty field is no field).
 * ARNs never contain `#`, so the first one separates the field.
 */
export function parseSecretRef(value: string): SecretRef {
  const hash = value.indexOf('#');
  if (hash < 0) return { secretId: value };
  const field = value.slice(hash + 1);
  return field === '' ? { secretId: value.slice(0, hash) } : { secretId: value.slice(0, hash), jsonField: field };
}

/**
 * The value of `<PREFIX>_TOOLS_ALLOW` / `<PREFIX>_TOOLS_DENY`.
 *
 * @example
 * renderToolList(['list_issues', 'get_issue']); // 'list_issues,get_issue'
 */
export function renderToolList(names: readonly string[]): string {
  return renderList(names);
}

/** Reads `<PREFIX>_TOOLS_ALLOW` / `<PREFIX>_TOOLS_DENY`: comma-separated names, blanks ignored. */
export function parseToolList(value: string): string[] {
  return parseList(value);
}

/**
 * A list setting (`format: 'list'` in a backend's contract, e.g. `<PREFIX>_JIRA_PROJECTS`):
 * comma-separated values. Values must not contain commas (the constructs check).
 *
 * @example
 * renderList(['OPS', 'PLAT']); // 'OPS,PLAT'
 */
export function renderList(values: readonly string[]): string {
  return values.join(',');
}

/** Reads a list setting: comma-separated values, each trimmed, blanks ignored. */
export function parseList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * A URL-like value as it may be shown in a message: userinfo becomes `***@`, and a query or a
 * fragment becomes `?***` / `#***`. Text only, no parsing (the value may not be a URL at all), and
 * on the safe side: an `@` anywhere before the first `/` of the authority takes everything before
 * it (`https://user:pa?ss@host` hides `pa` too), and a query or fragment runs to the end.
 *
 * @example
 * redactUrl('https://oauth2:glpat-x@gitlab.example.com/api/v4?private_token=glpat-x#top');
 * // 'https://***@gitlab.example.com/api/v4?***'
 */
export function redactUrl(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  let rest = value.slice(scheme.length);
  const slash = rest.indexOf('/');
  const authorityEnd = slash < 0 ? rest.length : slash;
  const at = rest.lastIndexOf('@', authorityEnd);
  if (at >= 0 && at < authorityEnd) rest = `***${rest.slice(at)}`;
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = `${rest.slice(0, cut)}${rest[cut]}***`;
  return scheme + rest;
}

/** What is wrong with an upstream URL; `message` follows the variable or property name. */
export interface UpstreamUrlProblem {
  /** `invalid`: not a URL; `scheme`: not http(s); `credentials`: userinfo in it; `query`: a query or fragment. */
  readonly kind: 'invalid' | 'scheme' | 'credentials' | 'query';
  /** E.g. `must be an absolute http(s) URL, got: "gitlab.com/api/v4"`; quotes the value redacted only. */
  readonly message: string;
}

/**
 * Checks an upstream base URL the way both sides refuse it: absolute http(s), no credentials, no
 * query or fragment (credentials in a URL land in the template in plain text, and in logs).
 *
 * @example
 * checkUpstreamUrl('https://gitlab.example.com/api/v4'); // undefined
 * checkUpstreamUrl('https://gitlab.example.com/api/v4?private_token=x')?.message;
 * // 'must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"'
 */
export function checkUpstreamUrl(value: string): UpstreamUrlProblem | undefined {
  const shown = JSON.stringify(redactUrl(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: 'invalid', message: `must be an absolute http(s) URL, got: ${shown}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'scheme', message: `must be an http(s) URL, got: ${shown}` };
  if (url.username || url.password) return { kind: 'credentials', message: 'must not contain credentials (user:password@)' };
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    return { kind: 'query', message: `must not have a query or fragment, got: ${shown}` };
  }
  return undefined;
}
