import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The ARN the runtime passes to GetSecretValue: the complete ARN when known, else the partial one. */
export function secretReferenceArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? secret.secretArn;
}

/** The ARN to name in an IAM policy: exact when complete, `-??????` for the random suffix otherwise. */
export function secretPolicyArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * Grants read of exactly one secret: `secretsmanager:GetSecretValue` (nothing else; the runtime
 * never describes or lists secrets) and, when the secret has a customer managed key,
 * `kms:Decrypt` on that key only when the call comes through Secrets Manager in this region.
 *
 * Statements go to the principal's own policy, so imported secrets and keys work too (the key
 * policy must let the account's IAM policies grant use of the key, as the default key policy does).
 */
export function grantSecretValueRead(scope: Construct, secret: secretsmanager.ISecret, grantee: iam.IGrantable): iam.Grant {
  let grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [secretPolicyArn(secret)],
  });
  if (secret.encryptionKey) {
    grant = grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [secret.encryptionKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
      },
    }));
  }
  return grant;
}
