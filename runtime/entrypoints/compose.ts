/**
 * The composition root: the one place that joins the core to the backends. It builds the pipeline
 * from the environment, once per process; a bad configuration is answered, not crashed on. It lives
 * beside the entry points so that `runtime/core` never imports `runtime/backends`.
 */
import { BACKENDS } from '../backends';
import { ConfigError, loadConfig } from '../core/config';
import { logger } from '../core/observability';
import { createPipeline, type HttpRequest, type HttpResponse, type Pipeline, type PipelineOptions } from '../core/pipeline';

export function pipelineFromEnv(env: NodeJS.ProcessEnv = process.env, opts?: PipelineOptions): Pipeline {
  return createPipeline(loadConfig(env, BACKENDS), opts);
}

/**
 * A request handler that builds the pipeline on first use. When the configuration is invalid,
 * every request gets a 500 JSON answer that names the problem (never a stack trace).
 */
export function lazyHandler(env: NodeJS.ProcessEnv = process.env): (req: HttpRequest) => Promise<HttpResponse> {
  let pipeline: Pipeline | undefined;
  let failure: string | undefined;
  return async (req) => {
    if (!pipeline && !failure) {
      try {
        pipeline = pipelineFromEnv(env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        failure = err.message;
        logger.error('invalid configuration', { error: failure });
      }
    }
    if (failure) {
      return {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: `Server misconfigured: ${failure}` }, id: null }),
      };
    }
    return pipeline!.handle(req);
  };
}
