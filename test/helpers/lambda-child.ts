/**
 * Runs a Lambda function's code the way the Node.js runtime does, in a fresh process: its code
 * folder as the working directory, only its environment (no variable of the test process leaks
 * in), the handler loaded from `<file>.<export>` once, then one invocation per event, in order,
 * each with its own context. Answers come back on a separate pipe, so the function's logs
 * (stdout, stderr) stay apart.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface LambdaAnswer {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export interface LambdaRun {
  /** One answer per event, in order. */
  readonly answers: LambdaAnswer[];
  /** Everything the function printed (its logs). */
  readonly output: string;
  /** Process start to last answer, in ms. */
  readonly durationMs: number;
  /** `process.version` of the node that ran the function, e.g. `v22.11.0`. */
  readonly nodeVersion: string;
}

export interface LambdaRunOptions {
  /** The unzipped code (the asset folder). */
  readonly codeDirectory: string;
  /** `<file>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  /** The function's variables (the template's `Environment.Variables` plus what stands in for AWS). */
  readonly environment: Record<string, string>;
  readonly events: readonly unknown[];
  readonly functionName: string;
  readonly memorySize?: number;
  /** Each invocation's `getRemainingTimeInMillis()` starts here. */
  readonly timeoutSeconds?: number;
  /** Kills the process after this long. */
  readonly deadlineMs?: number;
  /** The node binary to run the function with (default: the one running the tests). */
  readonly node?: string;
}

/** The child: reads its input on stdin, writes the answers to fd 3 and exits. */
const CHILD = `
const fs = require('node:fs');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const handler = require(input.module)[input.exportName];
if (typeof handler !== 'function') throw new Error(input.module + ' exports no function ' + input.exportName);
(async () => {
  const answers = [];
  for (const [i, event] of input.events.entries()) {
    const end = Date.now() + input.timeoutMs;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: input.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + input.functionName,
      memoryLimitInMB: String(input.memorySize),
      awsRequestId: 'e2e-' + (i + 1),
      logGroupName: '/aws/lambda/' + input.functionName,
      logStreamName: 'e2e',
      getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
      done() {}, fail() {}, succeed() {},
    };
    answers.push(await handler(event, context));
  }
  fs.writeSync(3, JSON.stringify({ answers, nodeVersion: process.version }));
  // Lambda freezes the process rather than ending it: let datagrams already queued (X-Ray) go out.
  setTimeout(() => process.exit(0), 100);
})().catch((err) => {
  process.stderr.write('invocation failed: ' + (err && err.stack || err) + '\\n');
  process.exit(1);
});
`;

export function runLambdaInChild(opts: LambdaRunOptions): Promise<LambdaRun> {
  const dot = opts.handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler must be <file>.<export>, got: ${opts.handler}`);
  const memory = opts.memorySize ?? 128;
  const input = {
    module: join(opts.codeDirectory, opts.handler.slice(0, dot)),
    exportName: opts.handler.slice(dot + 1),
    events: opts.events,
    functionName: opts.functionName,
    memorySize: memory,
    timeoutMs: (opts.timeoutSeconds ?? 3) * 1000,
  };
  const started = performance.now();
  const child = spawn(opts.node ?? process.execPath, ['-e', CHILD], {
    cwd: opts.codeDirectory,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: opts.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      LAMBDA_TASK_ROOT: opts.codeDirectory,
      ...opts.environment,
    },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let answers = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString('utf8'); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString('utf8'); });
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => { answers += d.toString('utf8'); });
  child.stdin!.end(JSON.stringify(input));

  const deadlineMs = opts.deadlineMs ?? 15_000;
  return new Promise<LambdaRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.functionName} did not answer within ${deadlineMs} ms; output:\n${output}`));
    }, deadlineMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${opts.functionName} exited with ${code}; output:\n${output}`));
      try {
        const written = JSON.parse(answers) as { answers: LambdaAnswer[]; nodeVersion: string };
        resolve({ answers: written.answers, nodeVersion: written.nodeVersion, output, durationMs });
      } catch {
        reject(new Error(`${opts.functionName} wrote no answers; output:\n${output}`));
      }
    });
  });
}
