/**
 * The contract (src/contract/backends.ts) and the runtime agree: every backend the runtime hosts
 * has a contract entry, its variables are the contract's, and its tools are exactly the contract's
 * names with the same read/write split (the constructs validate `allowTools`/`denyTools` with them).
 */
import { allBackends } from '../../../runtime/backends';
import { contractMismatches } from '../../../runtime/kit';
import { BACKEND_CONTRACTS, toolNames } from '../../../src/contract';

const BACKENDS = allBackends();

describe('backend contracts', () => {
  it('name the same kinds as the runtime hosts', () => {
    expect([...BACKENDS.keys()].sort()).toEqual(Object.keys(BACKEND_CONTRACTS).sort());
  });

  it.each([...BACKENDS.keys()])('%s: variables and tools are the contract\'s', (kind) => {
    const backend = BACKENDS.get(kind)!;
    const contract = BACKEND_CONTRACTS[kind];
    expect({ urlEnv: backend.urlEnv, defaultUrl: backend.defaultUrl, credentials: backend.credentials, displayName: backend.displayName })
      .toEqual({ urlEnv: contract.urlEnv, defaultUrl: contract.defaultUrl, credentials: contract.credentials, displayName: contract.displayName });
    expect(backend.tools.filter((t) => !t.mutating).map((t) => t.name)).toEqual(contract.tools.read);
    expect(backend.tools.filter((t) => t.mutating).map((t) => t.name)).toEqual(contract.tools.write);
    expect(backend.tools.map((t) => t.name).sort()).toEqual(toolNames(contract).sort());
  });

  it('contractMismatches names each difference', () => {
    const contract = { ...BACKEND_CONTRACTS.gitlab, tools: { read: ['get_project', 'gone'], write: ['create_issue'] } };
    const tools = BACKENDS.get('gitlab')!.tools.filter((t) => ['get_project', 'create_issue', 'search'].includes(t.name));
    expect(contractMismatches(contract, tools)).toEqual(['read tool search is not in the contract\'s read list', 'contract tool gone has no definition']);
  });

  it('contractMismatches names a tool gate on an undeclared setting or on a tool that does not write', () => {
    const gitlab = BACKEND_CONTRACTS.gitlab;
    const contract = { ...gitlab, toolGates: [{ setting: 'NOT_A_SETTING', tools: ['get_project', 'create_issue'], what: 'x', option: 'y' }] };
    expect(contractMismatches(contract, BACKENDS.get('gitlab')!.tools)).toEqual([
      'tool gate NOT_A_SETTING is not one of the contract\'s settings',
      'gated tool get_project is not in the contract\'s write list',
    ]);
  });
});
