/** The server-name rule and the variable prefix, as both sides apply them. */
import { RESERVED_SERVER_NAMES, SERVER_NAME_PATTERN, environmentPrefix } from '../../src/contract';

describe('server names', () => {
  it.each([['gitlab', true], ['gl-internal-2', true], ['a'.repeat(63), true], ['a'.repeat(64), false], ['GitLab', false], ['2gl', false], ['gl_x', false]])(
    '%s matches the rule: %s', (name, ok) => {
      expect(SERVER_NAME_PATTERN.test(name)).toBe(ok);
    });

  it('keeps the runtime\'s own routes', () => {
    expect(RESERVED_SERVER_NAMES).toEqual(['health', 'mcp']);
  });

  it('derives the prefix of a server\'s variables', () => {
    expect(environmentPrefix('gl-internal-2')).toBe('GL_INTERNAL_2');
  });
});
