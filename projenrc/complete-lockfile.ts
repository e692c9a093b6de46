/**
 * Adds the lockfile entries npm leaves out when a registry mirror does not carry every
 * platform build of an optional native dependency (e.g. `@unrs/resolver-binding-darwin-arm64`).
 *
 * `npm install` writes no entry for an optional package whose manifest it cannot fetch, and
 * `npm ci` then refuses the lockfile as out of sync with package.json. An entry with the
 * package's version, `os`, `cpu` and `libc` (read from its name, the napi-rs naming scheme)
 * lets `npm ci` see the package, find it does not fit this platform, and skip it, exactly as
 * it does with a lockfile written against the public registry.
 *
 * Run with `npx projen lockfile` after changing dependencies; it changes nothing when the
 * lockfile is already complete.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  license?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const OS: Record<string, string> = {
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  win32: 'win32',
  openharmony: 'openharmony',
  netbsd: 'netbsd',
  openbsd: 'openbsd',
  sunos: 'sunos',
  aix: 'aix',
};
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32', 'mips64el'];

/** `os`/`cpu`/`libc` of a napi-rs style platform package, or undefined when the name says nothing. */
export function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> | undefined {
  const parts = name.split('/').pop()!.split('-');
  const os = parts.map((p) => OS[p]).find(Boolean);
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os && !cpu) return undefined;
  const libc = os === 'linux' ? (parts.some((p) => p.startsWith('musl')) ? ['musl'] : parts.some((p) => p.startsWith('gnu')) ? ['glibc'] : undefined) : undefined;
  return { ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc } : {}), ...(os ? { os: [os] } : {}) };
}

export function completeLockfile(lock: { packages: Record<string, LockEntry> }): string[] {
  const added: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const parent = key === '' ? '' : `${key}/`;
      const nested = `${parent}node_modules/${dep}`;
      const hoisted = `node_modules/${dep}`;
      if (lock.packages[nested] || lock.packages[hoisted]) continue;
      const platform = platformOf(dep);
      if (!platform) continue;
      lock.packages[hoisted] = {
        version,
        ...(platform.cpu ? { cpu: platform.cpu } : {}),
        ...(entry.dev ? { dev: true } : {}),
        ...(platform.libc ? { libc: platform.libc } : {}),
        optional: true,
        ...(platform.os ? { os: platform.os } : {}),
      };
      added.push(`${dep}@${version}`);
    }
  }
  // npm keeps packages sorted by path; keep the diff small.
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  return added;
}

if (require.main === module) {
  const file = process.argv[2] ?? 'package-lock.json';
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  const added = completeLockfile(lock);
  if (added.length > 0) writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  console.log(added.length === 0 ? `${file} is complete` : `${file}: added ${added.length} optional platform entries (${added.join(', ')})`);
}
