/**
 * GitLab (gitlab.com or self-managed) through its REST API v4.
 *
 * Authentication: a personal, group or project access token in the `PRIVATE-TOKEN` header
 * (`read_api` scope for the read tools, `api` for the write tools). Without a token the tools
 * read public projects anonymously, as the GitLab API allows.
 *
 * The variables (URL, default, credentials, the `PROJECTS` allow-list) and the tool names are
 * GitLab's contract (`GITLAB_BACKEND` in src/contract/kinds/gitlab.ts), which `McpServer.gitlab()`
 * renders. Paging: paging.ts; failure sentences: failures.ts; fields and rows: shapes.ts; the
 * allow-list: scope.ts; tools: tools/.
 */
import { describeGitLabFailure } from './failures';
import { scopedTool } from './scope';
import { auth, defineBackend } from '../../kit';
import { deploymentTools } from './tools/deployments';
import { issueTools } from './tools/issues';
import { mergeRequestTools } from './tools/merge-requests';
import { pipelineTools } from './tools/pipelines';
import { planningTools } from './tools/planning';
import { projectTools } from './tools/projects';
import { repositoryTools } from './tools/repository';
import { searchTools } from './tools/search';
import { GITLAB_BACKEND } from '../../../src/contract';

export { describeGitLabFailure } from './failures';
export { projectPath } from './shapes';
export { coveringEntry } from './scope';

export const gitlab = defineBackend(GITLAB_BACKEND, {
  // Every tool with a project_id refuses a project outside the server's PROJECTS before it runs.
  tools: [
    ...projectTools, ...issueTools, ...mergeRequestTools, ...pipelineTools, ...repositoryTools, ...deploymentTools, ...planningTools, ...searchTools,
  ].map(scopedTool),
  auth: auth.header('PRIVATE-TOKEN', 'TOKEN'),
  describeFailure: describeGitLabFailure,
});
