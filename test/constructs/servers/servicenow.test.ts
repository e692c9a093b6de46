/**
 * `McpServer.servicenow()`: what it validates (each message names the prop and the value it got)
 * and the variables a synthesized fleet gives its function, with credentials in separate secrets
 * or in one JSON secret with a field per credential.
 */
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretResources, synthFleet } from './synth';
import { FleetCompute, McpServer, ServerCredential } from '../../../src';

const USER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/servicenow-username-AbCdEf';
const PASSWORD_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/servicenow-password-GhIjKl';
const INSTANCE = 'https://acme.service-now.com';

const basic = {
  instanceUrl: INSTANCE,
  username: ServerCredential.fromSecretCompleteArn(USER_ARN),
  password: ServerCredential.fromSecretCompleteArn(PASSWORD_ARN),
};

describe('McpServer.servicenow: validation', () => {
  test('credentials: Basic (username + password), OAuth (clientId + clientSecret), or both, never half a pair or none', () => {
    const cred = ServerCredential.fromSecretCompleteArn(USER_ARN);
    expect(() => McpServer.servicenow({ instanceUrl: INSTANCE })).toThrow(
      'A ServiceNow server needs credentials: `username` and `password` (Basic), or `clientId` and `clientSecret` (OAuth client credentials)');
    expect(() => McpServer.servicenow({ instanceUrl: INSTANCE, username: cred })).toThrow('`username` and `password` go together: give both or neither');
    expect(() => McpServer.servicenow({ instanceUrl: INSTANCE, clientSecret: cred })).toThrow('`clientId` and `clientSecret` go together: give both or neither');
    expect(() => McpServer.servicenow({ instanceUrl: INSTANCE, clientId: cred, clientSecret: cred })).not.toThrow();
    expect(() => McpServer.servicenow({ ...basic, clientId: cred, clientSecret: cred })).not.toThrow();
  });

  test('instanceUrl must be an absolute http(s) URL without credentials, naming the prop', () => {
    expect(() => McpServer.servicenow({ ...basic, instanceUrl: 'acme.service-now.com' })).toThrow(/^`instanceUrl` /);
    expect(() => McpServer.servicenow({ ...basic, instanceUrl: 'https://admin:hunter2@acme.service-now.com' }))
      .toThrow(/^`instanceUrl` .*: give the credential as a ServerCredential \(`password`\)$/);
    expect(() => McpServer.servicenow({ ...basic, instanceUrl: 'https://admin:hunter2@acme.service-now.com' })).not.toThrow(/hunter2/);
  });

  test('tables: table names only, at least one, no duplicates', () => {
    expect(() => McpServer.servicenow({ ...basic, tables: [] })).toThrow('`tables` must name at least one entry, got: [] (leave it out for no restriction)');
    expect(() => McpServer.servicenow({ ...basic, tables: ['incident', 'Incident'] }))
      .toThrow('`tables` entries must be table names (lowercase letters, digits and underscores, e.g. "incident" or "u_custom"), got: "Incident"');
    expect(() => McpServer.servicenow({ ...basic, tables: ['incident^ORactive=true'] })).toThrow(/got: "incident\^ORactive=true"$/);
    expect(() => McpServer.servicenow({ ...basic, tables: ['incident', 'incident'] })).toThrow('`tables` names "incident" twice');
  });

  test('tool policy names ServiceNow\'s tools; a write tool needs allowWrites', () => {
    expect(() => McpServer.servicenow({ ...basic, allowTools: ['sn_get_incident', 'sn_add_customer_comment'] }))
      .toThrow('`allowTools` names write tool(s) sn_add_customer_comment, which are registered only with `allowWrites: true`');
    expect(() => McpServer.servicenow({ ...basic, denyTools: ['delete_incident'] }))
      .toThrow(/^`denyTools` names "delete_incident", which is not a ServiceNow tool; its tools: sn_search_incidents, /);
    expect(() => McpServer.servicenow({ ...basic, allowWrites: true, allowTools: ['sn_get_incident', 'sn_add_work_note'] })).not.toThrow();
  });
});

describe('McpServer.servicenow: rendered variables', () => {
  test('Basic from two secrets: the instance URL and one _SECRET_ARN per credential, writes off, no TABLES', () => {
    const { environments: variables, template } = synthFleet([McpServer.servicenow(basic)]);
    expect(variables).toHaveLength(1);
    expect(variables[0]).toMatchObject({
      SERVICENOW_INSTANCE_URL: INSTANCE,
      SERVICENOW_USERNAME_SECRET_ARN: USER_ARN,
      SERVICENOW_PASSWORD_SECRET_ARN: PASSWORD_ARN,
    });
    for (const absent of ['SERVICENOW_ALLOW_WRITES', 'SERVICENOW_TABLES', 'SERVICENOW_CLIENT_ID_SECRET_ARN', 'SERVICENOW_CLIENT_SECRET_SECRET_ARN', 'SERVICENOW_PASSWORD', 'SERVICENOW_USERNAME']) {
      expect(variables[0][absent]).toBeUndefined();
    }
    expect(secretResources(template).sort()).toEqual([PASSWORD_ARN, USER_ARN]);
  });

  test('one JSON secret {"username", "password", "client_id", "client_secret"}: each variable names its field, the secret is read once', () => {
    let secretArn: string | undefined;
    const { environments: variables, template } = synthFleet((s) => {
      const secret = new secretsmanager.Secret(s, 'ServiceNowCredentials');
      secretArn = logicalIdOf(s, secret);
      return [McpServer.servicenow({
        name: 'sn-prod',
        instanceUrl: INSTANCE,
        username: ServerCredential.fromSecret(secret, 'username'),
        password: ServerCredential.fromSecret(secret, 'password'),
        clientId: ServerCredential.fromSecret(secret, 'client_id'),
        clientSecret: ServerCredential.fromSecret(secret, 'client_secret'),
        tables: ['incident', 'u_custom_table'],
        allowWrites: true,
      })];
    });
    const v = variables[0];
    expect(v).toMatchObject({ SN_PROD_INSTANCE_URL: INSTANCE, SN_PROD_TABLES: 'incident,u_custom_table', SN_PROD_ALLOW_WRITES: 'true' });
    const ref = (field: string) => ({ 'Fn::Join': ['', [{ Ref: secretArn }, `#${field}`]] });
    expect(v.SN_PROD_USERNAME_SECRET_ARN).toEqual(ref('username'));
    expect(v.SN_PROD_PASSWORD_SECRET_ARN).toEqual(ref('password'));
    expect(v.SN_PROD_CLIENT_ID_SECRET_ARN).toEqual(ref('client_id'));
    expect(v.SN_PROD_CLIENT_SECRET_SECRET_ARN).toEqual(ref('client_secret'));
    expect(secretResources(template)).toEqual([{ Ref: secretArn }]);
  });

  test('a multi-server function carries each ServiceNow server under its own prefix', () => {
    const { environments: variables } = synthFleet([
      McpServer.servicenow(basic),
      McpServer.servicenow({ ...basic, name: 'sn-dev', instanceUrl: 'https://acme-dev.service-now.com', tables: ['incident'] }),
    ], FleetCompute.lambdaMultiServer());
    expect(variables).toHaveLength(1);
    expect(variables[0]).toMatchObject({
      SERVICENOW_INSTANCE_URL: INSTANCE,
      SN_DEV_INSTANCE_URL: 'https://acme-dev.service-now.com',
      SN_DEV_TABLES: 'incident',
      SN_DEV_USERNAME_SECRET_ARN: USER_ARN,
    });
    expect(variables[0].SERVICENOW_TABLES).toBeUndefined();
  });
});

/** The logical id of a secret created in `scope` (what `Ref` names in the template). */
function logicalIdOf(scope: Stack, secret: secretsmanager.Secret): string {
  return scope.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);
}
