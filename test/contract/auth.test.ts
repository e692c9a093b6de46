/** The inbound authentication variables: the comma lists round-trip. */
import { AUTH_MODES, parseAuthList, renderAuthList } from '../../src/contract';

describe('AUTH_* comma lists: renderAuthList / parseAuthList', () => {
  it.each<[string[], string]>([
    [['mcp:read'], 'mcp:read'],
    [['mcp:read', 'mcp:write'], 'mcp:read,mcp:write'],
    [['https://fleet.example.com/gitlab/mcp', 'api://fleet'], 'https://fleet.example.com/gitlab/mcp,api://fleet'],
  ])('round-trips %j as %j', (values, rendered) => {
    // Act
    const value = renderAuthList(values);
    // Assess
    expect(value).toBe(rendered);
    expect(parseAuthList(value)).toEqual(values);
  });

  it('ignores blanks and empty items, and reads an absent variable as no items', () => {
    expect(parseAuthList(' mcp:read ,, mcp:write , ')).toEqual(['mcp:read', 'mcp:write']);
    expect(parseAuthList('')).toEqual([]);
    expect(parseAuthList(undefined)).toEqual([]);
  });

  it('names the three modes', () => {
    expect(AUTH_MODES).toEqual(['none', 'oauth', 'gateway']);
  });
});
