/**
 * The composition root: the one place that joins the core to the backends. It builds the pipeline
 * from the environment, once per process; a bad configuration is answered, not crashed on. It lives
 * beside the entry points so that `runtime/core` never imports `runtime/backends`.
 */
import { BACKEND_SOURCES } from '../backends';
import { ConfigError, loadConfig, redactUrls } from '../core/config';
import { JsonRpcErrorCode, jsonRpcError } from '../core/jsonrpc';
import { logger } from '../core/observability';
import { createPipeline, type HttpRequest, type HttpResponse, type Pipeline, type PipelineOptions } from '../core/pipeline';

export function pipelineFromEnv(env: NodeJS.ProcessEnv = process.env, opts?: PipelineOptions): Pipeline {
  return createPipeline(loadConfig(env, BACKEND_SOURCES), opts);
}

/**
 * A request handler that builds the pipeline on first use. When the configuration is invalid,
 * every request gets the same generic 500 JSON answer: the reason goes to the log (once, URLs
 * stripped of userinfo, query and fragment), never to callers, who can neither fix it nor be
 * trusted with it (a token pasted into a URL variable would otherwise reach every caller).
 */
export function lazyHandler(env: NodeJS.ProcessEnv = process.env): (req: HttpRequest) => Promise<HttpResponse> {
  let pipeline: Pipeline | undefined;
  let failed = false;
  return async (req) => {
    if (!pipeline && !failed) {
      try {
        pipeline = pipelineFromEnv(env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        failed = true;
        // Messages name variables and redact the values they quote; this is a second line for any that does not.
        logger.error('invalid configuration', { error: redactUrls(err.message) });
      }
    }
    if (failed) {
      return {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(jsonRpcError(JsonRpcErrorCode.INTERNAL_ERROR, 'Server misconfigured')),
      };
    }
    return pipeline!.handle(req);
  };
}
