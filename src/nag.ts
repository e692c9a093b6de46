import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct (and everything below it), with its reason.
 *
 * cdk-nag 3 reads acknowledgements from the construct metadata `Validations.acknowledge()` writes.
 * aws-cdk-lib refuses ids with more than one `::`, yet granular findings on ARNs have several
 * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/...]`, cdklabs/cdk-nag#2351);
 * those are recorded verbatim under the same public metadata key, which is what cdk-nag reads.
 */
export function acknowledgeRule(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}
