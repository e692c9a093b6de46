/** Each variable format of the contract: one encoder, one decoder, and they agree. */
import {
  checkUpstreamUrl,
  parseSecretRef,
  parseServerList,
  parseToolList,
  redactUrl,
  renderSecretRef,
  renderServerList,
  renderToolList,
  type SecretRef,
  type ServerListEntry,
} from '../../src/contract';

describe('MCP_SERVERS: renderServerList / parseServerList', () => {
  it.each<[ServerListEntry[], string]>([
    [[{ name: 'gitlab', kind: 'gitlab' }], 'gitlab'],
    [[{ name: 'gitlab', kind: 'gitlab' }, { name: 'gl-internal', kind: 'gitlab' }], 'gitlab,gl-internal:gitlab'],
    [[{ name: 'a', kind: 'gitlab' }, { name: 'b-2', kind: 'pagerduty' }, { name: 'pagerduty', kind: 'pagerduty' }], 'a:gitlab,b-2:pagerduty,pagerduty'],
  ])('round-trips %j as %j', (entries, rendered) => {
    // Act
    const value = renderServerList(entries);
    // Assess
    expect(value).toBe(rendered);
    expect(parseServerList(value)).toEqual(entries);
  });

  it('reads what people write by hand: blanks and empty items are ignored', () => {
    expect(parseServerList(' gitlab , gl-internal : gitlab ,, ')).toEqual([{ name: 'gitlab', kind: 'gitlab' }, { name: 'gl-internal', kind: 'gitlab' }]);
    expect(parseServerList('')).toEqual([]);
  });
});

describe('<PREFIX>_<CREDENTIAL>_SECRET_ARN: renderSecretRef / parseSecretRef', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-AbCdEf';
  it.each<[SecretRef, string]>([
    [{ secretId: arn }, arn],
    [{ secretId: arn, jsonField: 'token' }, `${arn}#token`],
    [{ secretId: arn, jsonField: 'client.secret' }, `${arn}#client.secret`],
  ])('round-trips %j', (ref, rendered) => {
    expect(renderSecretRef(ref)).toBe(rendered);
    expect(parseSecretRef(rendered)).toStrictEqual(ref);
  });

  it('reads an empty field as no field', () => {
    expect(parseSecretRef(`${arn}#`)).toStrictEqual({ secretId: arn });
  });
});

describe('<PREFIX>_TOOLS_ALLOW / _TOOLS_DENY: renderToolList / parseToolList', () => {
  it('round-trips a list of tool names', () => {
    const names = ['list_issues', 'get_issue', 'create_issue_note'];
    expect(parseToolList(renderToolList(names))).toEqual(names);
    expect(parseToolList(' list_issues , ,get_issue ')).toEqual(['list_issues', 'get_issue']);
  });
});

describe('upstream URLs: checkUpstreamUrl / redactUrl', () => {
  it.each([
    ['https://gitlab.com/api/v4'],
    ['http://127.0.0.1:8080/api/v4'],
  ])('accepts %s', (value) => {
    expect(checkUpstreamUrl(value)).toBeUndefined();
  });

  it.each([
    ['gitlab.com/api/v4', 'invalid', 'must be an absolute http(s) URL, got: "gitlab.com/api/v4"'],
    ['ftp://oauth2:glpat-secret@gitlab.example.com', 'scheme', 'must be an http(s) URL, got: "ftp://***@gitlab.example.com"'],
    ['https://oauth2:glpat-secret@gitlab.example.com/api/v4', 'credentials', 'must not contain credentials (user:password@)'],
    ['https://gitlab.example.com/api/v4?private_token=glpat-secret', 'query', 'must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"'],
    ['https://gitlab.example.com/api/v4#glpat-secret', 'query', 'must not have a query or fragment, got: "https://gitlab.example.com/api/v4#***"'],
    ['https://gitlab.example.com/api/v4?', 'query', 'must not have a query or fragment, got: "https://gitlab.example.com/api/v4?***"'],
  ])('refuses %s (%s) and never quotes the secret part', (value, kind, message) => {
    const problem = checkUpstreamUrl(value);
    expect(problem).toEqual({ kind, message });
    expect(problem?.message).not.toContain('glpat-secret');
  });

  it('redactUrl strips userinfo, query and fragment, also from strings that are not URLs', () => {
    expect(redactUrl('https://oauth2:glpat-x@gitlab.example.com/api/v4?private_token=glpat-x#top')).toBe('https://***@gitlab.example.com/api/v4?***');
    expect(redactUrl('oauth2:glpat-x?y@gitlab.example.com/api')).toBe('***@gitlab.example.com/api');
    expect(redactUrl('not a url?token=x')).toBe('not a url?***');
    expect(redactUrl('https://gitlab.example.com/api/v4')).toBe('https://gitlab.example.com/api/v4');
    expect(redactUrl('https://gitlab.example.com/a@b')).toBe('https://gitlab.example.com/a@b');
  });
});
