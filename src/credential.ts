import { Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** A complete Secrets Manager ARN ends with the name, a hyphen and six random characters. */
const COMPLETE_SECRET_ARN = /^arn:[a-z0-9-]+:secretsmanager:[a-z0-9-]*:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * Where a server's credential (an API token, a password) comes from.
 *
 * Credentials always live in AWS Secrets Manager; the runtime reads them at run time (cached), so
 * a secret's value never appears in a template, an environment variable or a log. A secret holds
 * either the bare value or JSON, in which case `jsonField` names the field to read (a
 * multi-value secret such as `{"token": "glpat-...", "url": "..."}` uses `token`).
 *
 * The function that serves the server may call `secretsmanager:GetSecretValue` on exactly that
 * secret, plus `kms:Decrypt` through Secrets Manager when the secret is encrypted with a customer
 * managed key the construct knows about.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { McpServer, ServerCredential } from 'mcp-server-fleet';
 *
 * declare const stack: Stack;
 *
 * // a JSON secret {"token": "glpat-..."} named mcp/gitlab-token
 * const byName = ServerCredential.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'mcp/gitlab-token'), 'token');
 * // a secret holding the bare token, by its complete ARN
 * const byArn = ServerCredential.fromSecretCompleteArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/gitlab-internal-AbCdEf');
 * McpServer.gitlab({ token: byName });
 * McpServer.gitlab({ name: 'gl-internal', apiUrl: 'https://gitlab.internal.example.com/api/v4', token: byArn });
 */
export class ServerCredential {
  /**
   * A secret you already have as a construct: created in your app (`new Secret(...)`) or
   * imported (`Secret.fromSecretNameV2`, `Secret.fromSecretCompleteArn`...).
   *
   * Secrets imported by name have no complete ARN: the runtime then reads them by their partial
   * ARN, and the IAM policy names `<partial ARN>-??????` (the random suffix Secrets Manager adds).
   *
   * @param secret the secret
   * @param jsonField the field of a JSON secret that holds the credential; omit when the secret is the bare value
   */
  public static fromSecret(secret: secretsmanager.ISecret, jsonField?: string): ServerCredential {
    validateJsonField(jsonField);
    return new ServerCredential(() => secret, jsonField);
  }

  /**
   * A secret named by its complete ARN (with the six-character suffix), e.g.
   * `arn:aws:secretsmanager:us-east-1:123456789012:secret:mcp/gitlab-token-AbCdEf`.
   *
   * The secret is imported into the fleet that uses this credential, so no scope is needed here.
   *
   * @param secretCompleteArn the complete ARN of the secret
   * @param jsonField the field of a JSON secret that holds the credential; omit when the secret is the bare value
   */
  public static fromSecretCompleteArn(secretCompleteArn: string, jsonField?: string): ServerCredential {
    if (!Token.isUnresolved(secretCompleteArn) && !COMPLETE_SECRET_ARN.test(secretCompleteArn)) {
      throw new Error('`secretCompleteArn` must be the complete ARN of a Secrets Manager secret '
        + `(arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>), got: ${secretCompleteArn}`);
    }
    validateJsonField(jsonField);
    return new ServerCredential(
      (scope, id) => secretsmanager.Secret.fromSecretCompleteArn(scope, id, secretCompleteArn),
      jsonField,
    );
  }

  /** The JSON field read from the secret, if any. */
  public readonly jsonField?: string;

  private constructor(
    private readonly resolve: (scope: Construct, id: string) => secretsmanager.ISecret,
    jsonField?: string,
  ) {
    this.jsonField = jsonField;
  }

  /**
   * Resolves the secret inside `scope` (imports it there when it was named by ARN).
   *
   * @internal
   */
  public _bind(scope: Construct, id: string): secretsmanager.ISecret {
    return this.resolve(scope, id);
  }
}

function validateJsonField(jsonField: string | undefined): void {
  if (jsonField === undefined || Token.isUnresolved(jsonField)) return;
  if (jsonField.trim() === '' || jsonField.includes('#') || jsonField.includes(',')) {
    throw new Error(`\`jsonField\` must be a non-empty field name without '#' or ',', got: ${JSON.stringify(jsonField)}`);
  }
}
