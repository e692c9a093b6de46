/** The README's two commands are the ones CI and contributors run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');

describe('README quick start', () => {
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
  const commands = [...quickStart.matchAll(/```sh\n([^\n]+)\n```/g)].map((m) => m[1]);

  it('gives exactly two commands: the local fleet and the tests', () => {
    expect(commands).toEqual(['npm ci && npx projen serve', 'npm ci && npx projen build']);
  });

  it('is the test command .ci/run runs, word for word', () => {
    const m = /TEST_COMMAND='([^']+)'/.exec(ci);
    expect(m?.[1]).toBe(commands[1]);
  });

  it('names the local endpoint the serve command prints', () => {
    expect(quickStart).toContain('http://127.0.0.1:8080/gitlab/mcp');
  });
});
