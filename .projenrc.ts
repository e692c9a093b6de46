import { awscdk, javascript } from 'projen';

// Runtime libraries: bundled by esbuild into assets/, never part of the jsii API.
const runtimeDeps = [
  '@modelcontextprotocol/sdk@^1.32.2',
  'zod@^4.1.0',
  '@aws-lambda-powertools/logger@^2.36.0',
  '@aws-lambda-powertools/tracer@^2.36.0',
  '@aws-lambda-powertools/parameters@^2.35.0',
  '@aws-sdk/client-secrets-manager@^3.1000.0',
  // Bearer JWT validation (signatures, JWKS with key rotation) when AUTH_MODE=oauth; loaded lazily.
  'jose@^6.1.0',
];

// The build fails when the tests cover less than this share (%) of src/ and runtime/.
const COVERAGE_FLOOR = 85;

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'mcp-server-fleet',
  description: 'AWS CDK constructs that run fleets of remote MCP (Model Context Protocol) servers on Lambda and Fargate',
  keywords: ['aws-cdk', 'cdk', 'mcp', 'model-context-protocol', 'lambda', 'fargate', 'gitlab'],
  author: 'mcp-server-fleet contributors',
  authorAddress: 'maintainers@mcp-server-fleet.dev',
  repositoryUrl: 'https://github.com/mcp-server-fleet/mcp-server-fleet.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // 2.257.0 is what cdk-nag 3 needs; keeping the floor there lets Python users pair the
  // wheel with any aws-cdk-lib 2.x release PyPI carries from that version on.
  cdkVersion: '2.257.0',
  jsiiVersion: '~6.0.0',

  publishToPypi: {
    distName: 'mcp-server-fleet',
    module: 'mcp_server_fleet',
  },

  devDeps: [
    ...runtimeDeps,
    'esbuild@^0.28.0',
    '@types/aws-lambda@^8.10.0',
    'cdk-nag@^3.0.2',
    // The HTTP benchmark's load generator, run in a process of its own (benchmarks/http.ts).
    'autocannon@^9.0.0',
    // Renders the GitHub Actions blueprint (projenrc/deploy-workflow.ts) and parses it in its test.
    'yaml@^2.9.0',
  ],

  // The dev tsconfig type-checks everything that is not the published library.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['src/**/*.ts', 'runtime/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'benchmarks/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts'],
    exclude: ['lib', 'dist', 'assets', 'cdk.out', '**/cdk.out', 'examples/python/.venv'],
    compilerOptions: {
      lib: ['es2022', 'dom'],
      // ts-jest transpiles each file on its own (fast); `tsc -p tsconfig.dev.json` type-checks before the tests.
      isolatedModules: true,
    },
  },
  typecheckTests: true,
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'runtime', 'examples', 'benchmarks', 'projenrc', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },
  jestOptions: {
    coverageText: false,
    // The test task (the whole suite) collects coverage and holds it to the floor; `npx jest <file>`
    // runs one file without it.
    extraCliOptions: ['--coverage'],
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      // jose is ESM only: jest's CommonJS loader gets it through esbuild (test/helpers/esm-to-cjs.js).
      transformIgnorePatterns: ['/node_modules/(?!jose/)'],
      transform: { '^.+/node_modules/jose/.+\\.js$': new javascript.Transform('<rootDir>/test/helpers/esm-to-cjs.js') },
      // Coverage of the library and of the runtime as the tests import it (code that only runs in a
      // child process, from the bundle, is not counted); the build fails below these floors.
      collectCoverage: false,
      collectCoverageFrom: ['src/**/*.ts', 'runtime/**/*.ts', '!runtime/build.ts'],
      coverageReporters: ['text-summary', 'lcov'],
      coverageThreshold: { statements: COVERAGE_FLOOR, branches: COVERAGE_FLOOR, functions: COVERAGE_FLOOR, lines: COVERAGE_FLOOR },
    },
  },

  bin: { 'mcp-fleet': 'assets/server/index.js' },
  gitignore: ['/assets/', 'cdk.out/', '/.bench/', '/examples/python/.venv/', '__pycache__/', '/.jsii.tabl.json'],
  npmignoreEnabled: true,
});

// The SDK publishes its modules through a wildcard `exports` map that tsc resolves and the eslint
// import resolver does not; tsc (the test task's first step) checks those imports.
project.eslint?.addRules({ 'import/no-unresolved': ['error', { ignore: ['^@modelcontextprotocol/sdk/'] }] });

// Import zones: the contract (src/contract/) is the only code the constructs and the runtime
// share; the core never knows a backend (the composition root in runtime/entrypoints/ joins them);
// a backend is written with the kit and the core's types only. `npx projen eslint` fails on a
// boundary import (paths are relative to the repository root; `except` is relative to `from`).
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      { target: './runtime', from: './src', except: ['./contract'], message: 'The runtime may import only the contract (src/contract/) of src/.' },
      { target: './src', from: './runtime', message: 'The constructs never import the runtime: share through src/contract/.' },
      { target: './src/contract', from: ['./src', './runtime'], except: ['./contract'], message: 'The contract imports nothing.' },
      { target: './runtime/core', from: './runtime/backends', message: 'The core never imports a backend: runtime/entrypoints/compose.ts joins them.' },
      {
        target: './runtime/backends',
        from: './runtime',
        except: ['./backends', './kit', './core/types.ts'],
        message: 'A backend imports only runtime/kit/, runtime/core/types.ts and the contract.',
      },
      { target: './runtime/kit', from: './runtime/backends', message: 'The kit serves every backend and knows none.' },
    ],
  }],
});

// After changing dependencies, complete the lockfile so `npm ci` accepts it everywhere.
project.addTask('lockfile', {
  description: 'Add lockfile entries for optional platform packages the registry did not describe',
  exec: 'ts-node --project tsconfig.dev.json projenrc/complete-lockfile.ts package-lock.json',
});

// The GitHub Actions blueprint users copy is generated, never hand-typed; a test holds the file to it.
project.addTask('workflow', {
  description: 'Write the GitHub Actions deployment blueprint (examples/github/deploy-mcp-fleet.yml) from projenrc/deploy-workflow.ts',
  exec: 'ts-node --project tsconfig.dev.json projenrc/deploy-workflow.ts examples/github/deploy-mcp-fleet.yml',
});

// The runtime is bundled before jsii compiles, so tests and packages always see a fresh bundle.
const bundle = project.addTask('bundle', {
  description: 'Bundle the MCP runtime (runtime/) into assets/ with esbuild',
  exec: 'ts-node --project tsconfig.dev.json runtime/build.ts',
});
project.compileTask.prependSpawn(bundle);
// jsii writes lib/ without clearing it: a module that moved (a file that became a folder) would
// otherwise leave its old .js behind, shadowing the new one in the packages.
project.compileTask.prependExec('rm -rf lib', { name: 'Clear lib/ so no moved module survives in the packages' });

project.addTask('serve', {
  description: 'Run the local fleet (multi-server node server) on 127.0.0.1:8080',
  steps: [{ spawn: 'bundle' }, { exec: 'node assets/server/index.js serve', receiveArgs: true }],
});

project.addTask('bench', {
  description: 'Print benchmark figures: runtime (bundle bytes, cold start, warm latency, peak RSS, each against the naive SDK pattern), node server requests/s (benchmarks/http.ts) and synthesis (1, 10, 50 servers per topology)',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json benchmarks/runtime.ts', receiveArgs: true },
    { exec: 'ts-node --project tsconfig.dev.json benchmarks/http.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmarks/synth.ts' },
  ],
});
project.addTask('bench:runtime', {
  description: 'Print the runtime figures alone: bundle bytes, cold start, warm latency and peak RSS of the Lambda handler against the naive SDK pattern (`-- --call-only`: the warm GitLab tools/call against a bare handler)',
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --project tsconfig.dev.json benchmarks/runtime.ts', receiveArgs: true }],
});
project.addTask('bench:http', {
  description: 'Print the node server\'s requests/s against a bare node server and the naive SDK pattern (autocannon in its own process, rounds taking turns)',
  steps: [{ exec: 'ts-node --project tsconfig.dev.json benchmarks/http.ts', receiveArgs: true }],
});
project.addTask('bench:synth', {
  description: 'Print synthesis figures per topology and fleet size (time, resources, template and environment bytes)',
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --project tsconfig.dev.json benchmarks/synth.ts', receiveArgs: true }],
});

// The TypeScript examples in README.md and the API docs must compile against the library
// (jsii-rosetta also translates them into the Python docs of the wheel).
project.postCompileTask.exec('jsii-rosetta extract --strict', { name: 'Compile the TypeScript examples of README.md and the API docs' });

// Always build every language package, also in CI (projen skips Python when CI is set).
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package-all')!);

project.npmignore?.exclude('/runtime/', '/examples/', '/benchmarks/', '/projenrc/', '/.bench/', '/tsconfig.dev.json', '/.ci/', 'cdk.out/', '/test-reports/', '/DESIGN.md');
project.npmignore?.include('/assets/');

// The Python example installs the wheel just built into a fresh virtual environment and synthesizes
// both topologies with it (pytest, JUnit report in test-reports/python.xml).
const testPython = project.addTask('test:python', {
  description: 'Install dist/python/*.whl in examples/python/.venv and run the Python example tests',
  exec: 'bash examples/python/run-tests.sh',
  receiveArgs: true,
});
packageTask.spawn(testPython);

project.synth();
