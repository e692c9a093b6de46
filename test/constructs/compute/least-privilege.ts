/**
 * Least-privilege assertions for any topology: they read only the template, so a Fargate fleet
 * uses them as the Lambda fleets do.
 *
 * - Secrets Manager: `secretsmanager:GetSecretValue` only, on exact secret ARNs (a complete ARN, a
 *   secret of the template, or a partial ARN followed by exactly `-??????`, the random suffix).
 * - `*` as a resource only for actions AWS offers no resource-level permission for (listed below).
 * - Logs: only on the log groups the resources using the role name (a function's `LoggingConfig`,
 *   a container's `awslogs-group`), never another group and never `*`.
 * - No action wildcard (`s3:*`, `secretsmanager:Get*`), and no managed policy on a role but the
 *   ones listed below.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** Actions AWS authorizes on `*` only, and why a role of the fleet needs each. */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray tracing (active tracing of a function or a task)',
  'xray:PutTelemetryRecords': 'X-Ray tracing',
  'ec2:CreateNetworkInterface': 'a function in a VPC (Lambda creates its interfaces with the function\'s role)',
  'ec2:DescribeNetworkInterfaces': 'a function in a VPC',
  'ec2:DescribeSubnets': 'a function in a VPC',
  'ec2:DeleteNetworkInterface': 'a function in a VPC',
  'ec2:AssignPrivateIpAddresses': 'a function in a VPC',
  'ec2:UnassignPrivateIpAddresses': 'a function in a VPC',
  'ecr:GetAuthorizationToken': 'a task pulling its image from ECR (the pull actions name the repository)',
  'ssmmessages:CreateControlChannel': 'ECS Exec into a task',
  'ssmmessages:CreateDataChannel': 'ECS Exec',
  'ssmmessages:OpenControlChannel': 'ECS Exec',
  'ssmmessages:OpenDataChannel': 'ECS Exec',
  'logs:DescribeLogGroups': 'ECS Exec\'s session logging looks its log group up (a list call)',
};

/** Managed policies a role may carry: the account-level role API Gateway writes its logs with. */
export const ALLOWED_MANAGED_POLICIES = ['service-role/AmazonAPIGatewayPushToCloudWatchLogs'];

const COMPLETE_SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

type Resources = Record<string, { Type?: string; Properties?: Record<string, any> }>;

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The logical ids `value` names with `Ref` or `Fn::GetAtt`, anywhere inside it. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.Ref === 'string' ? [record.Ref]
    : Array.isArray(record['Fn::GetAtt']) ? [String((record['Fn::GetAtt'] as unknown[])[0])] : [];
  return [...own, ...Object.values(record).flatMap(referencedIds)];
}

/** Why a Secrets Manager resource is not one exact secret, or undefined when it is. */
function secretResourceProblem(resource: unknown, resources: Resources): string | undefined {
  if (typeof resource === 'string') {
    return COMPLETE_SECRET_ARN.test(resource) ? undefined : `${resource} is not a complete secret ARN`;
  }
  const ref = (resource as { Ref?: string })?.Ref;
  if (ref !== undefined) {
    return resources[ref]?.Type === 'AWS::SecretsManager::Secret' ? undefined : `{ Ref: ${ref} } is not a secret of the template`;
  }
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (join) {
    // A partial ARN built from pseudo parameters: literal parts carry no wildcard but the suffix.
    const parts = join[1];
    const literal = parts.filter((p): p is string => typeof p === 'string').join('');
    const last = parts[parts.length - 1];
    if (typeof last !== 'string' || !/:secretsmanager:.*:secret:[^*?]+-\?{6}$/.test(literal) || !last.endsWith('-??????')) {
      return `${JSON.stringify(resource)} is not a secret ARN ending in exactly -??????`;
    }
    if ((literal.match(/[*?]/g) ?? []).length !== 6) return `${JSON.stringify(resource)} has a wildcard beyond the random suffix`;
    const nonLiteral = parts.filter((p) => typeof p !== 'string');
    const pseudo = nonLiteral.every((p) => /^AWS::(Partition|Region|AccountId|URLSuffix)$/.test(String((p as { Ref?: string }).Ref)));
    return pseudo ? undefined : `${JSON.stringify(resource)} names something other than pseudo parameters`;
  }
  return `${JSON.stringify(resource)} is not an exact secret ARN`;
}

/** Every least-privilege problem of the template's IAM policies, one line each (empty: none). */
export function leastPrivilegeProblems(template: Template): string[] {
  const resources = (template.toJSON().Resources ?? {}) as Resources;
  const problems: string[] = [];
  const policies = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
  const statements = policies.flatMap(([id, p]) => asList(p.Properties?.PolicyDocument?.Statement)
    .map((statement: Record<string, any>) => ({ id, roles: referencedIds(p.Properties?.Roles), statement })));
  for (const [id, role] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
    for (const inline of asList(role.Properties?.Policies)) {
      for (const statement of asList(inline.PolicyDocument?.Statement)) statements.push({ id: `${id} (inline)`, roles: [id], statement });
    }
    for (const arn of asList(role.Properties?.ManagedPolicyArns)) {
      const text = JSON.stringify(arn);
      if (!ALLOWED_MANAGED_POLICIES.some((name) => text.includes(`:iam::aws:policy/${name}`))) {
        problems.push(`${id}: managed policy ${text} is not one of ${ALLOWED_MANAGED_POLICIES.join(', ')}`);
      }
    }
  }
  if (statements.length === 0) return ['the template has no IAM policy statement to check'];

  /** Log groups each role may write to: those named by the resources that use the role. */
  const logGroupsOf = (roleId: string): Set<string> => {
    const groups = new Set<string>();
    for (const resource of Object.values(resources)) {
      // the role's users (a function, a task definition), not the policies granting to it
      if (resource.Type?.startsWith('AWS::IAM::')) continue;
      const props = resource.Properties ?? {};
      if (!referencedIds(props).includes(roleId)) continue;
      for (const ref of referencedIds(props)) if (resources[ref]?.Type === 'AWS::Logs::LogGroup') groups.add(ref);
    }
    return groups;
  };

  for (const { id, roles, statement } of statements) {
    if (statement.Effect !== 'Allow') continue;
    const actions = asList<string>(statement.Action);
    const targets = asList(statement.Resource);
    const where = `${id}: ${JSON.stringify(actions)}`;
    for (const action of actions) {
      if (action.includes('*')) problems.push(`${where}: action wildcard ${action}`);
    }
    if (targets.includes('*')) {
      const loose = actions.filter((a) => !(a in ACTIONS_WITHOUT_RESOURCE_LEVEL));
      if (loose.length > 0) problems.push(`${where}: on * although ${loose.join(', ')} support resource-level permissions`);
    }
    const secretActions = actions.filter((a) => a.toLowerCase().startsWith('secretsmanager:'));
    if (secretActions.length > 0) {
      if (secretActions.length !== actions.length || secretActions.some((a) => a !== 'secretsmanager:GetSecretValue')) {
        problems.push(`${where}: Secrets Manager allows only secretsmanager:GetSecretValue, alone in its statement`);
      }
      for (const target of targets) {
        const problem = secretResourceProblem(target, resources);
        if (problem) problems.push(`${where}: ${problem}`);
      }
    }
    if (actions.some((a) => a.toLowerCase().startsWith('logs:') && !(a in ACTIONS_WITHOUT_RESOURCE_LEVEL))) {
      const allowed = new Set(roles.flatMap((role) => [...logGroupsOf(role)]));
      for (const target of targets) {
        const group = (target as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt'];
        if (!group || group[1] !== 'Arn' || !allowed.has(group[0])) {
          problems.push(`${where}: logs on ${JSON.stringify(target)}, not the own log group of the role's user (${[...allowed].join(', ') || 'none'})`);
        }
      }
    }
  }
  return problems;
}

/** Fails unless the template's IAM policies are least privilege (see {@link leastPrivilegeProblems}). */
export function expectLeastPrivilege(template: Template): void {
  expect(leastPrivilegeProblems(template)).toEqual([]);
}
