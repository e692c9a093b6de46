/** Deployments, environments and releases: what runs where, since when, and what was shipped as a version (change correlation in triage). */
import { z } from 'zod';
import { UNTRUSTED_NOTE, listTool } from '../../../kit';
import { pages } from '../paging';
import { DEPLOYMENT_ROW, ENVIRONMENT_FIELDS, RELEASE_ROW, isoTime, projectId, projectPath, sort, summarizeDeployment, summarizeRelease } from '../shapes';

export const deploymentTools = [
  listTool({
    name: 'list_deployments',
    title: 'List deployments',
    description: 'List deployments of a project, most recently updated first: environment, ref, sha, status, who deployed and the '
      + 'deploying pipeline. Use compare_refs between two deployments\' sha to see what shipped.',
    input: {
      project_id: projectId,
      environment: z.string().trim().min(1).optional().describe('Environment name, e.g. "production"'),
      status: z.enum(['created', 'running', 'success', 'failed', 'canceled', 'blocked']).optional(),
      updated_after: isoTime('updated_after').optional(),
      updated_before: isoTime('updated_before').optional(),
      sort,
    },
    paging: pages,
    row: DEPLOYMENT_ROW,
    request: (a) => ({
      path: `${projectPath(a.project_id)}/deployments`,
      // GitLab accepts updated_after/updated_before only when ordering by updated_at.
      query: { environment: a.environment, status: a.status, updated_after: a.updated_after, updated_before: a.updated_before, order_by: 'updated_at', sort: a.sort ?? 'desc' },
    }),
    map: (d) => summarizeDeployment(d),
  }),
  listTool({
    name: 'list_environments',
    title: 'List environments',
    description: 'List the environments of a project (production, staging, review apps...) with their tier, state and URL.',
    input: {
      project_id: projectId,
      search: z.string().trim().min(3).optional().describe('Part of the name (at least 3 characters)'),
      states: z.enum(['available', 'stopping', 'stopped']).optional(),
    },
    paging: pages,
    fields: ENVIRONMENT_FIELDS,
    request: (a) => ({ path: `${projectPath(a.project_id)}/environments`, query: { search: a.search, states: a.states } }),
  }),
  listTool({
    name: 'list_releases',
    title: 'List releases',
    description: 'List the releases of a project, newest first: tag, name, release notes, when released, the tagged commit, milestones and asset links. '
      + `Use compare_refs between two releases' tag_name to see what changed. ${UNTRUSTED_NOTE}`,
    input: {
      project_id: projectId,
      order_by: z.enum(['released_at', 'created_at']).optional().describe('Default released_at'),
      sort,
    },
    paging: pages,
    row: RELEASE_ROW,
    request: (a) => ({ path: `${projectPath(a.project_id)}/releases`, query: { order_by: a.order_by, sort: a.sort } }),
    map: (r) => summarizeRelease(r),
  }),
];
