import { Match, Template } from 'aws-cdk-lib/assertions';
import { newStack } from './helpers';
import { FleetCompute, IFleetCompute, McpServer, McpServerFleet } from '../../src';
import { GITLAB_BACKEND } from '../../src/contract/kinds/gitlab';

function variablesOf(server: McpServer, compute: IFleetCompute = FleetCompute.lambdaPerServer()): Record<string, unknown> {
  const stack = newStack();
  new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [server], compute });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return (functions[0] as any).Properties.Environment.Variables;
}

describe('McpServer.gitlab: tool policy', () => {
  test('allowTools renders <PREFIX>_TOOLS_ALLOW, comma-separated, in the server\'s own prefix', () => {
    const variables = variablesOf(McpServer.gitlab({ name: 'gl-internal', allowTools: ['list_issues', 'get_issue'] }));
    expect(variables).toMatchObject({ GL_INTERNAL_TOOLS_ALLOW: 'list_issues,get_issue' });
    expect(variables.GL_INTERNAL_TOOLS_DENY).toBeUndefined();
  });

  test('denyTools renders <PREFIX>_TOOLS_DENY, also in a multi-server function', () => {
    const variables = variablesOf(McpServer.gitlab({ denyTools: ['get_job_log'] }), FleetCompute.lambdaMultiServer());
    expect(variables).toMatchObject({ GITLAB_TOOLS_DENY: 'get_job_log' });
  });

  test('without either, neither variable is set', () => {
    const stack = newStack();
    new McpServerFleet(stack, 'Fleet', { environment: 'production', servers: [McpServer.gitlab()] });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ GITLAB_TOOLS_ALLOW: Match.absent(), GITLAB_TOOLS_DENY: Match.absent() }) },
    });
  });

  test('a write tool may be allowed when writes are on', () => {
    const variables = variablesOf(McpServer.gitlab({ allowWrites: true, allowTools: ['get_issue', 'create_issue_note'] }));
    expect(variables).toMatchObject({ GITLAB_ALLOW_WRITES: 'true', GITLAB_TOOLS_ALLOW: 'get_issue,create_issue_note' });
  });

  test('allowTools and denyTools together are refused', () => {
    expect(() => McpServer.gitlab({ allowTools: ['get_issue'], denyTools: ['search'] }))
      .toThrow('`allowTools` and `denyTools` are exclusive (one lists what the server offers, the other what it does not), got both: '
        + 'allowTools ["get_issue"], denyTools ["search"]');
  });

  test('an unknown tool is refused, naming the prop, the name and the known tools', () => {
    // the known tools are the contract's, reads first
    const known = [...GITLAB_BACKEND.tools.read, ...GITLAB_BACKEND.tools.write].join(', ');
    expect(() => McpServer.gitlab({ denyTools: ['delete_project'] }))
      .toThrow(`\`denyTools\` names "delete_project", which is not a GitLab tool; its tools: ${known}`);
    expect(known).toMatch(/^list_projects, .*create_issue_note/);
    expect(() => McpServer.gitlab({ allowTools: ['Get_Issue'] })).toThrow(/`allowTools` names "Get_Issue", which is not a GitLab tool/);
  });

  test('an empty allow-list, a tool named twice and a write tool without writes are refused', () => {
    expect(() => McpServer.gitlab({ allowTools: [] })).toThrow(/^`allowTools` must name at least one tool, got: \[\]/);
    expect(() => McpServer.gitlab({ denyTools: ['search', 'search'] })).toThrow('`denyTools` names "search" twice');
    expect(() => McpServer.gitlab({ allowTools: ['get_issue', 'create_issue'] }))
      .toThrow('`allowTools` names write tool(s) create_issue, which are registered only with `allowWrites: true`');
  });
});
