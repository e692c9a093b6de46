/**
 * Powertools Logger (always) and Tracer (only where X-Ray can receive segments).
 *
 * The Tracer pulls in the X-Ray SDK, which costs tens of milliseconds to load, so it is
 * required lazily, and only inside Lambda with tracing on. Nothing here ever logs a header
 * or a credential: callers pass explicit, non-sensitive attributes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** `POWERTOOLS_SERVICE_NAME` (the constructs set it), else the package name; logs and traces agree. */
const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'mcp-server-fleet';

export const logger = new Logger({
  serviceName: SERVICE_NAME,
  logLevel: normaliseLevel(process.env.LOG_LEVEL),
  persistentKeys: process.env.ENVIRONMENT ? { environment: process.env.ENVIRONMENT } : undefined,
});

/**
 * Applies a configuration's `LOG_LEVEL` and `ENVIRONMENT` to the logger (the module reads
 * `process.env` when it loads; a pipeline built from another environment brings its own).
 */
export function configureLogger(settings: { readonly logLevel?: string; readonly environment?: string }): void {
  if (settings.logLevel) logger.setLogLevel(normaliseLevel(settings.logLevel));
  if (settings.environment) logger.appendPersistentKeys({ environment: settings.environment });
}

function normaliseLevel(level: string | undefined): 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL' {
  const upper = (level ?? 'INFO').toUpperCase();
  switch (upper) {
    case 'DEBUG':
    case 'INFO':
    case 'WARN':
    case 'ERROR':
    case 'SILENT':
    case 'CRITICAL':
      return upper;
    case 'WARNING':
      return 'WARN';
    default:
      return 'INFO';
  }
}

let tracer: Tracer | null | undefined;

/** The Tracer when running in Lambda with tracing enabled, otherwise null. */
export function getTracer(): Tracer | null {
  if (tracer !== undefined) return tracer;
  const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && Boolean(process.env._X_AMZN_TRACE_ID ?? process.env.AWS_XRAY_DAEMON_ADDRESS);
  const disabled = (process.env.POWERTOOLS_TRACE_ENABLED ?? 'true').toLowerCase() === 'false';
  if (!inLambda || disabled) {
    tracer = null;
    return tracer;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  tracer = new mod.Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
  return tracer;
}

/**
 * Runs `fn` inside an X-Ray subsegment named `name`, annotated with `annotations`; `fn` can add
 * annotations it learns on the way (an upstream status). Without a tracer it just runs `fn`.
 */
export async function traced<T>(
  name: string,
  annotations: Record<string, string | number | boolean>,
  fn: (annotate: (key: string, value: string | number | boolean) => void) => Promise<T>,
): Promise<T> {
  const t = getTracer();
  const parent = t?.getSegment();
  if (!t || !parent) return fn(() => undefined);
  const sub = parent.addNewSubsegment(name);
  t.setSegment(sub);
  for (const [k, v] of Object.entries(annotations)) sub.addAnnotation(k, v);
  try {
    return await fn((key, value) => sub.addAnnotation(key, value));
  } catch (err) {
    // The name only: messages can quote URLs with credentials or header values, and X-Ray keeps them.
    sub.addFaultFlag();
    sub.addAnnotation('error', (err as Error)?.name ?? 'Error');
    throw err;
  } finally {
    sub.close();
    t.setSegment(parent);
  }
}
