/**
 * No backend imports another: each folder of runtime/backends/ reaches only its own files, the
 * kit, the core's types and the contract (the lint zones in .projenrc.ts check the last three for
 * every file; this checks the folders against each other, whatever backends exist).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const BACKENDS_DIR = resolve(__dirname, '../../../runtime/backends');

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const kinds = readdirSync(BACKENDS_DIR).filter((name) => statSync(join(BACKENDS_DIR, name)).isDirectory());

describe('backend folders', () => {
  it('exist (at least GitLab)', () => {
    expect(kinds).toContain('gitlab');
  });

  it.each(kinds)('%s imports no other backend', (kind) => {
    const crossings: string[] = [];
    for (const file of filesBelow(join(BACKENDS_DIR, kind))) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(BACKENDS_DIR, resolve(dirname(file), spec));
        const [top] = target.split('/');
        if (!target.startsWith('..') && top !== kind && kinds.includes(top)) crossings.push(`${relative(BACKENDS_DIR, file)} -> ${spec}`);
      }
    }
    expect(crossings).toEqual([]);
  });
});
