/**
 * The servers the e2e fleets run: the spec's five kinds (GitLab twice: GitLab.com's name and a
 * self-managed one with writes on), each with its fake upstream, its JSON secret (spec A.4: one
 * secret per server, Atlassian's `{email, token}` and ServiceNow's `{username, password}` holding
 * both credentials), the header its upstream must receive, and one read tool call whose request
 * the fake records.
 */
import { McpServer, ServerCredential } from '../../src';
import type { BackendContract } from '../../src/contract';
import { ATLASSIAN_BACKEND } from '../../src/contract/kinds/atlassian';
import { DYNATRACE_BACKEND } from '../../src/contract/kinds/dynatrace';
import { GITLAB_BACKEND } from '../../src/contract/kinds/gitlab';
import { PAGERDUTY_BACKEND } from '../../src/contract/kinds/pagerduty';
import { SERVICENOW_BACKEND } from '../../src/contract/kinds/servicenow';
import { startFakeAtlassian } from '../fakes/fake-atlassian';
import { startFakeDynatrace } from '../fakes/fake-dynatrace';
import { startFakeGitLab } from '../fakes/fake-gitlab';
import type { FakeHttpApi, RecordedRequest } from '../fakes/fake-http-api';
import { startFakePagerDuty } from '../fakes/fake-pagerduty';
import { SN_PASSWORD, SN_USERNAME, startFakeServiceNow } from '../fakes/fake-servicenow';

export type Kind = 'gitlab' | 'atlassian' | 'dynatrace' | 'pagerduty' | 'servicenow';
export type ServerName = 'gitlab' | 'gl-internal' | 'atlassian' | 'dynatrace' | 'pagerduty' | 'servicenow';

/** What the e2e test needs of a fake: where it listens, what it was asked, and how to stop it. */
export type Fake = Pick<FakeHttpApi, 'url' | 'requests' | 'close'>;

export const KINDS: readonly Kind[] = ['gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'];

export const CONTRACTS: Record<Kind, BackendContract> = {
  gitlab: GITLAB_BACKEND,
  atlassian: ATLASSIAN_BACKEND,
  dynatrace: DYNATRACE_BACKEND,
  pagerduty: PAGERDUTY_BACKEND,
  servicenow: SERVICENOW_BACKEND,
};

export function startFakes(): Promise<Record<Kind, Fake>> {
  return Promise.all([startFakeGitLab(), startFakeAtlassian(), startFakeDynatrace(), startFakePagerDuty(), startFakeServiceNow()])
    .then(([gitlab, atlassian, dynatrace, pagerduty, servicenow]) => ({ gitlab, atlassian, dynatrace, pagerduty, servicenow }));
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A read tool call and what its upstream request must be. */
export interface ReadProbe {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly method: string;
  /** The raw path the fake records (origin and base path included, query excluded). */
  readonly path: string | RegExp;
  /** Query parameters the request carries, every value of each (a subset of the keys). */
  readonly query?: Record<string, string[]>;
  /** Text of the fake's default data the answer shows. */
  readonly shows: string | RegExp;
  /** What else the request must carry (its body...): expect() calls. */
  readonly check?: (request: RecordedRequest) => void;
}

export interface E2eServer {
  readonly name: ServerName;
  readonly kind: Kind;
  /** The JSON secret's value; the server's credentials are fields of it. */
  readonly secret: Record<string, string>;
  /** Whether the server's writes are on. */
  readonly writes: boolean;
  /** The variables naming the secret's fields: variable -> field. */
  readonly credentialVariables: Record<string, string>;
  readonly read: ReadProbe;
  /** The server's construct, given its fake's URL and its secret's complete ARN. */
  readonly server: (url: string, secretArn: string) => McpServer;
  /** The variables the server's function must carry (besides the credentials'). */
  readonly variables: (url: string) => Record<string, string>;
  /** Whether a recorded upstream request carries this server's credential, exactly as the upstream expects it. */
  readonly authenticated: (request: RecordedRequest) => boolean;
}

const field = (arn: string, name: string) => ServerCredential.fromSecretCompleteArn(arn, name);

/** A path under the fake's base path (its URL may end in `/api/v4`, or be the bare origin). */
export function pathUnder(url: string, path: string): string {
  return `${new URL(url).pathname.replace(/\/$/, '')}${path}`;
}

export const E2E_SERVERS: readonly E2eServer[] = [
  {
    name: 'gitlab',
    kind: 'gitlab',
    secret: { token: 'glpat-e2e-gitlab-token' },
    writes: false,
    server: (url, arn) => McpServer.gitlab({ apiUrl: url, token: field(arn, 'token') }),
    variables: (url) => ({ GITLAB_API_URL: url }),
    credentialVariables: { GITLAB_TOKEN_SECRET_ARN: 'token' },
    authenticated: (r) => r.headers['private-token'] === 'glpat-e2e-gitlab-token',
    read: { tool: 'list_projects', args: { search: 'fleet', per_page: 5 }, method: 'GET', path: '/api/v4/projects', query: { search: ['fleet'], per_page: ['5'] }, shows: 'platform/fleet' },
  },
  {
    name: 'gl-internal',
    kind: 'gitlab',
    secret: { token: 'glpat-e2e-internal-token' },
    writes: true,
    server: (url, arn) => McpServer.gitlab({ name: 'gl-internal', apiUrl: url, token: field(arn, 'token'), allowWrites: true }),
    variables: (url) => ({ GL_INTERNAL_API_URL: url, GL_INTERNAL_ALLOW_WRITES: 'true' }),
    credentialVariables: { GL_INTERNAL_TOKEN_SECRET_ARN: 'token' },
    authenticated: (r) => r.headers['private-token'] === 'glpat-e2e-internal-token',
    read: { tool: 'list_projects', args: { search: 'fleet', per_page: 5 }, method: 'GET', path: '/api/v4/projects', query: { search: ['fleet'], per_page: ['5'] }, shows: 'platform/fleet' },
  },
  {
    name: 'atlassian',
    kind: 'atlassian',
    // one JSON secret for both credentials: Basic email:token (a classic API token)
    secret: { email: 'mcp-e2e@example.com', token: 'ATATT3xFfGF0-e2e-atlassian-token' },
    writes: false,
    server: (url, arn) => McpServer.atlassian({ url, email: field(arn, 'email'), token: field(arn, 'token'), jiraProjects: ['OPS', 'PLAT'] }),
    variables: (url) => ({ ATLASSIAN_URL: url, ATLASSIAN_JIRA_PROJECTS: 'OPS,PLAT' }),
    credentialVariables: { ATLASSIAN_EMAIL_SECRET_ARN: 'email', ATLASSIAN_TOKEN_SECRET_ARN: 'token' },
    authenticated: (r) => r.headers.authorization === basic('mcp-e2e@example.com', 'ATATT3xFfGF0-e2e-atlassian-token'),
    // the enhanced search (the old /search answers 410), JQL built from typed filters with the allow-list ANDed in
    read: {
      tool: 'jira_search',
      args: { labels: ['sev1'] },
      method: 'POST',
      path: '/rest/api/3/search/jql',
      shows: 'OPS-1',
      check: (r) => {
        const jql = String((r.body as { jql?: unknown }).jql);
        expect(jql).toMatch(/^project in \("OPS", ?"PLAT"\) AND /);
        expect(jql).toContain('"sev1"');
      },
    },
  },
  {
    name: 'dynatrace',
    kind: 'dynatrace',
    // a classic access token: the Environment API v2 on the environment URL, as `Api-Token`
    secret: { token: 'dt0c01.E2EDYNATRACE.e2e-dynatrace-secret-part' },
    writes: false,
    server: (url, arn) => McpServer.dynatrace({ url, token: field(arn, 'token') }),
    variables: (url) => ({ DYNATRACE_URL: url }),
    credentialVariables: { DYNATRACE_TOKEN_SECRET_ARN: 'token' },
    authenticated: (r) => r.headers.authorization === 'Api-Token dt0c01.E2EDYNATRACE.e2e-dynatrace-secret-part',
    read: {
      tool: 'list_problems',
      args: {},
      method: 'GET',
      path: '/api/v2/problems',
      query: { problemSelector: ['status("open")'] },
      shows: 'P-2311123',
    },
  },
  {
    name: 'pagerduty',
    kind: 'pagerduty',
    secret: { token: 'u+e2e-pagerduty-token' },
    writes: false,
    server: (url, arn) => McpServer.pagerduty({ apiUrl: url, token: field(arn, 'token') }),
    variables: (url) => ({ PAGERDUTY_API_URL: url }),
    credentialVariables: { PAGERDUTY_TOKEN_SECRET_ARN: 'token' },
    authenticated: (r) => r.headers.authorization === 'Token token=u+e2e-pagerduty-token',
    // open incidents of any age: the default statuses, and PagerDuty's one-month default window lifted
    read: {
      tool: 'list_incidents',
      args: {},
      method: 'GET',
      path: '/incidents',
      query: { 'statuses[]': ['triggered', 'acknowledged'], 'date_range': ['all'] },
      shows: 'Checkout latency above 2s',
    },
  },
  {
    name: 'servicenow',
    kind: 'servicenow',
    // the integration user the fake accepts (Basic authentication)
    secret: { username: SN_USERNAME, password: SN_PASSWORD },
    writes: false,
    server: (url, arn) => McpServer.servicenow({ instanceUrl: url, username: field(arn, 'username'), password: field(arn, 'password') }),
    variables: (url) => ({ SERVICENOW_INSTANCE_URL: url }),
    credentialVariables: { SERVICENOW_USERNAME_SECRET_ARN: 'username', SERVICENOW_PASSWORD_SECRET_ARN: 'password' },
    authenticated: (r) => r.headers.authorization === basic(SN_USERNAME, SN_PASSWORD),
    // the Table API with a stable order (ServiceNow pages repeat or skip rows without a unique last key)
    read: {
      tool: 'sn_search_incidents',
      args: {},
      method: 'GET',
      path: '/api/now/table/incident',
      shows: /INC\d{7}/,
      check: (r) => expect(r.query.sysparm_query).toMatch(/ORDERBY/),
    },
  },
];

/** Every secret value of the fleet (none may appear in any log). */
export const SECRET_VALUES: readonly string[] = E2E_SERVERS.flatMap((s) => Object.values(s.secret));
