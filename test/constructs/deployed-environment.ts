/**
 * What Lambda measures against its 4 KB once a template is deployed: the function's variables as
 * compact JSON, each intrinsic replaced by its value's longest real length (the stacks are
 * environment-agnostic: partition, region and account at their longest).
 */
import { TOKEN_SIZE_ESTIMATE } from '../../src/compute/lambda/environment-size';

const LONGEST: Record<string, string> = { 'AWS::Partition': 'aws-us-gov', 'AWS::Region': 'ap-southeast-4', 'AWS::AccountId': '123456789012' };

/**
 * The deployed size of `environment`. Any other value known only at deployment (a Cognito issuer,
 * some 60 bytes) is counted at the construct's estimate with `unknown: 'estimate'`, and refused
 * (the test names it) with `unknown: 'refuse'`.
 */
export function deployedEnvironmentSize(environment: Record<string, unknown>, unknown: 'estimate' | 'refuse'): number {
  const valueOf = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const join = (v as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(valueOf).join(join[0]);
    const ref = (v as { Ref?: string }).Ref;
    if (ref && LONGEST[ref]) return LONGEST[ref];
    if (unknown === 'refuse') throw new Error(`unexpected intrinsic in the environment: ${JSON.stringify(v)}`);
    return 'x'.repeat(TOKEN_SIZE_ESTIMATE);
  };
  return Buffer.byteLength(JSON.stringify(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, valueOf(v)]))));
}
