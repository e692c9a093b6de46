import type { BackendContract } from '../backends';

/** The GitLab REST API used when a server names none. */
export const GITLAB_DEFAULT_API_URL = 'https://gitlab.com/api/v4';

/** GitLab (gitlab.com or self-managed) through its REST API v4. */
export const GITLAB_BACKEND: BackendContract = {
  kind: 'gitlab',
  displayName: 'GitLab',
  urlEnv: 'API_URL',
  defaultUrl: GITLAB_DEFAULT_API_URL,
  credentials: [{ env: 'TOKEN', optional: true, description: 'GitLab access token (read_api scope; api for write tools)' }],
  settings: [
    { env: 'PROJECTS', format: 'list', description: 'Project or group full paths the server may use (comma-separated; a group covers its subgroups and projects); absent: every project the token sees' },
  ],
  tools: {
    read: [
      'list_projects', 'get_project', 'list_issues', 'get_issue', 'list_merge_requests', 'get_merge_request',
      'get_merge_request_diffs', 'list_merge_request_discussions', 'list_pipelines', 'get_pipeline', 'get_pipeline_jobs', 'get_job_log',
      'get_file_contents', 'get_repository_tree', 'list_commits', 'get_commit', 'compare_refs', 'list_deployments', 'list_environments',
      'list_releases', 'list_labels', 'list_milestones', 'search',
    ],
    write: [
      'create_issue', 'create_issue_note', 'create_merge_request_note', 'create_merge_request_discussion', 'resolve_merge_request_discussion',
      'approve_merge_request', 'retry_pipeline', 'retry_job',
    ],
  },
};
