/** CI/CD: pipelines (with their downstream pipelines), their jobs, a job's log, and retrying a pipeline or a job. */
import { z } from 'zod';
import { MAX_TEXT_CHARS, UNTRUSTED_NOTE, answer, listTool, output, pick, plainText, readTool, rowSchema, textWindow, truncationSchema, untrusted, writeTool, type Row } from '../../../kit';
import { pages } from '../paging';
import { projectAllowed } from '../scope';
import { JOB_FIELDS, PIPELINE_DETAIL_ROW, PIPELINE_FIELDS, isoTime, projectId, projectPath, summarizeBridge, summarizePipeline } from '../shapes';

/** Job logs are returned from the end (where the failure is), at most this much by default. */
const DEFAULT_LOG_TAIL_CHARS = 20_000;

/** How many trigger jobs get_pipeline reads with include bridges: one page, GitLab's largest. */
const BRIDGES_PER_PIPELINE = 100;

const LOG_OUTPUT = z.object({
  job_id: z.number().int(),
  bytes: z.number().int().describe('Size of the whole log'),
  log: z.string().describe('The end of the log, without terminal colours, framed as untrusted text'),
  truncated: truncationSchema.optional(),
});

/** A job as retry_job answers: the new job, and the pipeline it runs in. */
const RETRIED_JOB_ROW = rowSchema(JOB_FIELDS, {
  retried_job_id: z.number().int().describe('The job that was retried (it stays as it was)'),
  pipeline: z.unknown().optional().describe('id, status, web_url of the job\'s pipeline'),
});

const PIPELINE_STATUS = z.enum(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled']);
const PIPELINE_SOURCE = z.enum([
  'push', 'web', 'trigger', 'schedule', 'api', 'external', 'pipeline', 'chat', 'webide', 'merge_request_event', 'external_pull_request_event', 'parent_pipeline', 'ondemand_dast_scan', 'ondemand_dast_validation', 'security_orchestration_policy',
]);

export const pipelineTools = [
  listTool({
    name: 'list_pipelines',
    title: 'List pipelines',
    description: 'List CI/CD pipelines of a project, newest first, filtered by status, ref, sha, source or update time.',
    input: {
      project_id: projectId,
      status: PIPELINE_STATUS.optional(),
      ref: z.string().optional().describe('Branch or tag'),
      sha: z.string().optional().describe('Commit SHA'),
      source: PIPELINE_SOURCE.optional().describe('What started the pipeline'),
      updated_after: isoTime('updated_after').optional(),
    },
    paging: pages,
    fields: PIPELINE_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/pipelines`, query: { status: a.status, ref: a.ref, sha: a.sha, source: a.source, updated_after: a.updated_after } }),
  }),
  readTool({
    name: 'get_pipeline',
    title: 'Get a pipeline',
    description: 'Get one pipeline: status, ref, sha, who started it, timings, YAML errors; include bridges adds its trigger jobs and the '
      + 'downstream (child or multi-project) pipelines they started, where a failure often really is.',
    input: {
      project_id: projectId,
      pipeline_id: z.number().int().positive(),
      include: z.array(z.enum(['bridges'])).max(1).optional().describe('bridges: trigger jobs and their downstream pipelines'),
    },
    output: output.item(PIPELINE_DETAIL_ROW),
    async run(a, ctx) {
      const base = `${projectPath(a.project_id)}/pipelines/${a.pipeline_id}`;
      const pipeline = summarizePipeline((await ctx.upstream.request<Row>({ path: base })).data);
      if (!a.include?.includes('bridges')) return answer.item(pipeline);
      const res = await ctx.upstream.request<Row[]>({ path: `${base}/bridges`, query: { per_page: BRIDGES_PER_PIPELINE } });
      const bridges = [];
      for (const b of res.data.map(summarizeBridge)) {
        const down = b.downstream_pipeline as Row | null;
        // A multi-project pipeline may run in a project outside the allow-list: say so, show nothing of it.
        if (down && typeof down.project_id === 'number' && down.project_id !== pipeline.project_id && !(await projectAllowed(ctx, down.project_id))) {
          bridges.push({ ...b, downstream_pipeline: { project_id: down.project_id, hidden: 'in a project outside this server\'s PROJECTS' } });
        } else {
          bridges.push(b);
        }
      }
      const more = (res.headers.get('x-next-page') ?? '') !== '' ? `Only the first ${BRIDGES_PER_PIPELINE} trigger jobs are included.` : undefined;
      return answer.item({ ...pipeline, bridges }, more);
    },
  }),
  listTool({
    name: 'get_pipeline_jobs',
    title: 'List the jobs of a pipeline',
    description: 'List the jobs of a pipeline with stage, status, failure reason and duration; use get_job_log on a failed job. '
      + 'Trigger jobs are not jobs here: get_pipeline with include bridges has them.',
    input: {
      project_id: projectId,
      pipeline_id: z.number().int().positive(),
      scope: z.enum(['created', 'pending', 'running', 'failed', 'success', 'canceled', 'skipped', 'manual']).optional().describe('Only jobs in this state'),
      include_retried: z.boolean().optional().describe('Also the earlier attempts of retried jobs'),
    },
    paging: pages,
    fields: JOB_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/pipelines/${a.pipeline_id}/jobs`, query: { scope: a.scope, include_retried: a.include_retried } }),
  }),
  readTool({
    name: 'get_job_log',
    title: 'Get a job log',
    description: `Get the end of a CI job's log (where failures are), at most tail_chars characters, without terminal colours. ${UNTRUSTED_NOTE}`,
    input: {
      project_id: projectId,
      job_id: z.number().int().positive(),
      tail_chars: z.number().int().min(100).max(MAX_TEXT_CHARS).optional().describe(`How many characters from the end (default ${DEFAULT_LOG_TAIL_CHARS})`),
    },
    output: LOG_OUTPUT,
    async run(a, ctx) {
      // Logs can be far larger than an answer should be: keep only the end while reading.
      const res = await ctx.upstream.request<string>({ path: `${projectPath(a.project_id)}/jobs/${a.job_id}/trace`, responseType: 'text', keep: 'tail' });
      const shown = textWindow(plainText(res.data), a.tail_chars ?? DEFAULT_LOG_TAIL_CHARS, 'tail');
      const whole = shown.omitted === 0 && !res.droppedBytes && !res.truncated;
      // CI output is written by whatever the job ran (dependencies, tests, commit contents): data, never instructions.
      const log = untrusted(shown.text, `log of job ${a.job_id}`);
      const data = { job_id: a.job_id, bytes: res.bytes, log };
      if (whole) return answer.message(shown.text === '' ? '(the job log is empty)' : log, data);
      const omitted = Math.max(0, res.bytes - Buffer.byteLength(shown.text));
      return answer.message(
        `[log truncated: showing the last ${shown.text.length} characters of a ${res.bytes}-byte log]\n${log}`,
        { ...data, truncated: { omitted, unit: 'bytes' as const, hint: `the end of the log is shown; raise tail_chars (up to ${MAX_TEXT_CHARS}) for more of it` } },
      );
    },
  }),

  // ---- writes (off unless <PREFIX>_ALLOW_WRITES=true) ----
  writeTool({
    name: 'retry_pipeline',
    title: 'Retry a pipeline',
    description: 'Retry the failed and canceled jobs of a pipeline (the pipeline keeps its ID; jobs that passed are not run again). '
      + 'Each call starts the jobs again. Needs a token with the api scope and writes enabled for this server.',
    input: { project_id: projectId, pipeline_id: z.number().int().positive() },
    output: output.item(PIPELINE_DETAIL_ROW),
    async run(a, ctx) {
      const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${projectPath(a.project_id)}/pipelines/${a.pipeline_id}/retry` });
      const pipeline = summarizePipeline(res.data);
      return answer.item(pipeline, `Retried pipeline ${a.pipeline_id}: now ${String(pipeline.status)}. Follow it with get_pipeline_jobs.`);
    },
  }),
  writeTool({
    name: 'retry_job',
    title: 'Retry a job',
    description: 'Run a CI job again: GitLab starts a new job (a new job_id) from it, in the same pipeline; the old one stays as it was. '
      + 'Each call starts another run. Needs a token with the api scope and writes enabled for this server.',
    input: { project_id: projectId, job_id: z.number().int().positive() },
    output: output.item(RETRIED_JOB_ROW),
    async run(a, ctx) {
      const res = await ctx.upstream.request<Row>({ method: 'POST', path: `${projectPath(a.project_id)}/jobs/${a.job_id}/retry` });
      const job = res.data;
      const pipeline = job.pipeline ? pick(job.pipeline as object, ['id', 'status', 'web_url']) : undefined;
      return answer.item(
        { ...pick(job, JOB_FIELDS), retried_job_id: a.job_id, pipeline },
        `Retried job ${a.job_id} as job ${String(job.id)} (${String(job.status)})${pipeline ? ` in pipeline ${String(pipeline.id)}` : ''}; get_job_log with job_id ${String(job.id)} reads its log.`,
      );
    },
  }),
];
