/**
 * GitLab (gitlab.com or self-managed) through its REST API v4.
 *
 * Authentication: a personal, group or project access token in the `PRIVATE-TOKEN` header
 * (`read_api` scope for the read tools, `api` for the write tools). Without a token the tools
 * read public projects anonymously, as the GitLab API allows.
 *
 * The variables (URL, default, credentials) and the tool names are GitLab's contract
 * (`GITLAB_BACKEND` in src/contract/backends.ts), which `McpServer.gitlab()` renders.
 * Paging: paging.ts; failure sentences: failures.ts; fields and rows: shapes.ts; tools: tools/.
 */
import { describeGitLabFailure } from './failures';
import { auth, defineBackend } from '../../kit';
import { issueTools } from './tools/issues';
import { mergeRequestTools } from './tools/merge-requests';
import { pipelineTools } from './tools/pipelines';
import { projectTools } from './tools/projects';
import { repositoryTools } from './tools/repository';
import { searchTools } from './tools/search';
import { GITLAB_BACKEND } from '../../../src/contract';

export { describeGitLabFailure } from './failures';
export { projectPath } from './shapes';

export const gitlab = defineBackend(GITLAB_BACKEND, {
  tools: [...projectTools, ...issueTools, ...mergeRequestTools, ...pipelineTools, ...repositoryTools, ...searchTools],
  auth: auth.header('PRIVATE-TOKEN', 'TOKEN'),
  describeFailure: describeGitLabFailure,
});
