/**
 * `McpServer.gitlab()`: its validation (each message names the prop and the value it got) and the
 * variables it renders into the function environment: the API URL, the `projects` allow-list as
 * `<PREFIX>_PROJECTS`, the token as a secret reference (one JSON secret holding the tokens of two
 * servers, each its own field), the write switch and the tool policy.
 */
import { Token } from 'aws-cdk-lib';
import { environments, variablesOf } from './synth';
import { FleetCompute, McpServer, ServerCredential } from '../../../src';
import { GITLAB_BACKEND, parseList } from '../../../src/contract';

const TOKENS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-tokens-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-token-GhIjKl';
const token = ServerCredential.fromSecretCompleteArn(TOKEN_ARN);

describe('McpServer.gitlab', () => {
  describe('validation of projects', () => {
    test.each([
      ['platform/', 'platform/'],
      ['/platform', '/platform'],
      ['platform//fleet', 'platform//fleet'],
      ['platform/../team', 'platform/../team'],
      ['platform/fleet,team', 'platform/fleet,team'],
      ['https://gitlab.com/platform', 'https://gitlab.com/platform'],
      ['team api', 'team api'],
      ['-platform', '-platform'],
      ['', ''],
    ])('the entry %j is refused, naming the prop and the value', (entry) => {
      expect(() => McpServer.gitlab({ token, projects: ['ok/entry', entry] }))
        .toThrow(`\`projects\` entries must be project or group full paths such as "platform/fleet" or "platform", got: ${JSON.stringify(entry)}`);
    });

    test('an empty list is refused: leave it out for no restriction', () => {
      expect(() => McpServer.gitlab({ token, projects: [] })).toThrow('`projects` must name at least one entry, got: [] (leave it out for no restriction)');
    });

    test('the same path twice, also in another case, is refused', () => {
      expect(() => McpServer.gitlab({ token, projects: ['platform', 'platform'] })).toThrow('`projects` names "platform" twice');
      expect(() => McpServer.gitlab({ token, projects: ['Platform/Fleet', 'team', 'platform/fleet'] }))
        .toThrow('`projects` names "Platform/Fleet" and "platform/fleet", which GitLab treats as one path (paths are case-insensitive)');
    });

    test('an entry a group entry already covers is refused', () => {
      expect(() => McpServer.gitlab({ token, projects: ['platform/fleet', 'Platform'] }))
        .toThrow('`projects` names "platform/fleet", which the group "Platform" already covers (a group covers its subgroups and their projects)');
      // a sibling that merely starts with the same letters is another path
      expect(() => McpServer.gitlab({ token, projects: ['platform', 'platform-docs/site'] })).not.toThrow();
    });

    test('an entry that is not a literal (a token) is refused: the runtime matches it against every request', () => {
      expect(() => McpServer.gitlab({ token, projects: [Token.asString({ Ref: 'ProjectParam' })] }))
        .toThrow('`projects` entries must be literal strings: the runtime matches them against every request');
    });

    test('apiUrl must be an http(s) URL without credentials, and tool names must be GitLab\'s', () => {
      expect(() => McpServer.gitlab({ token, apiUrl: 'https://oauth2:glpat-x@gitlab.example.com/api/v4' }))
        .toThrow('`apiUrl` must not contain credentials (user:password@): give the credential as a ServerCredential (`token`)');
      expect(() => McpServer.gitlab({ token, allowTools: ['list_projects', 'resolve_merge_request_discussion'] }))
        .toThrow('`allowTools` names write tool(s) resolve_merge_request_discussion, which are registered only with `allowWrites: true`');
      expect(() => McpServer.gitlab({ token, denyTools: ['merge_merge_request'] }))
        .toThrow(/^`denyTools` names "merge_merge_request", which is not a GitLab tool; its tools: list_projects, get_project, /);
    });

    test('the contract lists 23 read tools and 8 write tools', () => {
      expect(GITLAB_BACKEND.tools.read).toHaveLength(23);
      expect(GITLAB_BACKEND.tools.read).toEqual(expect.arrayContaining(['list_releases', 'list_labels', 'list_milestones']));
      expect(GITLAB_BACKEND.tools.write).toEqual([
        'create_issue', 'create_issue_note', 'create_merge_request_note', 'create_merge_request_discussion', 'resolve_merge_request_discussion',
        'approve_merge_request', 'retry_pipeline', 'retry_job',
      ]);
    });

    test('the opt-in writes need allowWrites like the others', () => {
      expect(() => McpServer.gitlab({ token, allowTools: ['get_merge_request', 'approve_merge_request'] }))
        .toThrow('`allowTools` names write tool(s) approve_merge_request, which are registered only with `allowWrites: true`');
      expect(() => McpServer.gitlab({ token, allowWrites: true, allowTools: ['get_pipeline_jobs', 'retry_job', 'retry_pipeline'] })).not.toThrow();
    });
  });

  describe('variables', () => {
    test('defaults: GitLab.com, the token by ARN, no PROJECTS (every project the token sees), writes off', () => {
      const v = variablesOf(McpServer.gitlab({ token }));
      expect(v).toMatchObject({ GITLAB_API_URL: 'https://gitlab.com/api/v4', GITLAB_TOKEN_SECRET_ARN: TOKEN_ARN });
      for (const absent of ['GITLAB_PROJECTS', 'GITLAB_ALLOW_WRITES', 'GITLAB_TOKEN', 'GITLAB_TOOLS_ALLOW', 'GITLAB_TOOLS_DENY']) expect(v).not.toHaveProperty(absent);
    });

    test('projects renders as PROJECTS under the server\'s own prefix, as given, and reads back as the same list', () => {
      const projects = ['platform', 'team/service-7', 'Sandbox/sub.group/app_1'];
      const v = variablesOf(McpServer.gitlab({ name: 'gl-internal', apiUrl: 'https://gitlab.example.com/api/v4', token, projects, allowWrites: true, denyTools: ['create_issue'] }));
      expect(v).toMatchObject({
        GL_INTERNAL_API_URL: 'https://gitlab.example.com/api/v4',
        GL_INTERNAL_PROJECTS: 'platform,team/service-7,Sandbox/sub.group/app_1',
        GL_INTERNAL_TOKEN_SECRET_ARN: TOKEN_ARN,
        GL_INTERNAL_ALLOW_WRITES: 'true',
        GL_INTERNAL_TOOLS_DENY: 'create_issue',
      });
      expect(parseList(String(v.GL_INTERNAL_PROJECTS))).toEqual(projects);
    });

    test('anonymous: no token, no secret variable', () => {
      const v = variablesOf(McpServer.gitlab({ name: 'gl-public', projects: ['gitlab-org/gitlab'] }));
      expect(v).toMatchObject({ GL_PUBLIC_API_URL: 'https://gitlab.com/api/v4', GL_PUBLIC_PROJECTS: 'gitlab-org/gitlab' });
      expect(Object.keys(v).some((k) => k.startsWith('GL_PUBLIC_TOKEN'))).toBe(false);
    });

    test('one JSON secret holds the tokens of two servers: each reads its own field, each keeps its own PROJECTS', () => {
      const servers = [
        McpServer.gitlab({ name: 'gl-platform', token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'platformToken'), projects: ['platform'] }),
        McpServer.gitlab({ name: 'gl-team', token: ServerCredential.fromSecretCompleteArn(TOKENS_ARN, 'teamToken'), projects: ['team'], allowWrites: true }),
      ];
      const [one] = environments(servers, FleetCompute.lambdaMultiServer());
      expect(one).toMatchObject({
        GL_PLATFORM_TOKEN_SECRET_ARN: `${TOKENS_ARN}#platformToken`,
        GL_TEAM_TOKEN_SECRET_ARN: `${TOKENS_ARN}#teamToken`,
        GL_PLATFORM_PROJECTS: 'platform',
        GL_TEAM_PROJECTS: 'team',
        GL_TEAM_ALLOW_WRITES: 'true',
      });
      expect(one).not.toHaveProperty('GL_PLATFORM_ALLOW_WRITES');
      const perServer = environments(servers);
      expect(perServer).toHaveLength(2);
      const platform = perServer.find((e) => 'GL_PLATFORM_PROJECTS' in e)!;
      expect(platform).not.toHaveProperty('GL_TEAM_PROJECTS');
      expect(platform).not.toHaveProperty('GL_TEAM_TOKEN_SECRET_ARN');
    });
  });
});
