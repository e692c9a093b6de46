// CI/CD (spec C.3): the role a GitHub Actions workflow deploys a fleet with.
export { GitHubDeployRole } from './github-deploy-role';
export type { GitHubDeployRoleProps } from './github-deploy-role';
