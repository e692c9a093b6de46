/** CI/CD: pipelines, their jobs, and a job's log. */
import { z } from 'zod';
import { MAX_TEXT_CHARS, answer, listTool, plainText, readTool, textWindow, truncationSchema } from '../../../kit';
import { pages } from '../paging';
import { JOB_FIELDS, PIPELINE_FIELDS, projectId, projectPath } from '../shapes';

/** Job logs are returned from the end (where the failure is), at most this much by default. */
const DEFAULT_LOG_TAIL_CHARS = 20_000;

const LOG_OUTPUT = z.object({
  job_id: z.number().int(),
  bytes: z.number().int().describe('Size of the whole log'),
  log: z.string().describe('The end of the log, without terminal colours'),
  truncated: truncationSchema.optional(),
});

export const pipelineTools = [
  listTool({
    name: 'list_pipelines',
    title: 'List pipelines',
    description: 'List CI/CD pipelines of a project, newest first, filtered by status or ref.',
    input: {
      project_id: projectId,
      status: z.enum(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled']).optional(),
      ref: z.string().optional().describe('Branch or tag'),
    },
    paging: pages,
    fields: PIPELINE_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/pipelines`, query: { status: a.status, ref: a.ref } }),
  }),
  listTool({
    name: 'get_pipeline_jobs',
    title: 'List the jobs of a pipeline',
    description: 'List the jobs of a pipeline with stage, status, failure reason and duration; use get_job_log on a failed job.',
    input: {
      project_id: projectId,
      pipeline_id: z.number().int().positive(),
      scope: z.enum(['created', 'pending', 'running', 'failed', 'success', 'canceled', 'skipped', 'manual']).optional().describe('Only jobs in this state'),
    },
    paging: pages,
    fields: JOB_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/pipelines/${a.pipeline_id}/jobs`, query: { scope: a.scope } }),
  }),
  readTool({
    name: 'get_job_log',
    title: 'Get a job log',
    description: 'Get the end of a CI job\'s log (where failures are), at most tail_chars characters.',
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
      const data = { job_id: a.job_id, bytes: res.bytes, log: shown.text };
      if (whole) return answer.message(shown.text === '' ? '(the job log is empty)' : shown.text, data);
      const omitted = Math.max(0, res.bytes - Buffer.byteLength(shown.text));
      return answer.message(
        `[log truncated: showing the last ${shown.text.length} characters of a ${res.bytes}-byte log]\n${shown.text}`,
        { ...data, truncated: { omitted, unit: 'bytes' as const, hint: `the end of the log is shown; raise tail_chars (up to ${MAX_TEXT_CHARS}) for more of it` } },
      );
    },
  }),
];
