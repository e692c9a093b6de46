import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_NODE_RUNTIME } from './options';
import { LAMBDA_RUNTIME_HANDLER, requireLambdaImageAsset, requireLambdaRuntimeAsset } from '../../runtime-assets';

/** What a function is given: its code, and the handler and runtime (both `FROM_IMAGE` for an image). */
export interface LambdaCodeConfig {
  readonly code: lambda.Code;
  readonly handler: string;
  readonly runtime: lambda.Runtime;
}

/** An image tag (ECR's rule) or an image digest. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/**
 * How a Lambda topology packages the bundled runtime: a zip (the default) or a container image.
 *
 * Both run the same bundle with the same handler (`index.handler` on Node.js 22). The zip needs
 * nothing but `cdk deploy`; an image needs a Docker engine where `cdk deploy` runs
 * (`bundledImage()`), or a pipeline that builds and pushes it (`fromEcrRepository()`).
 * A custom server's own Lambda code (`ServerArtifact.fromLambdaCode`) is not affected: it runs as
 * given, whatever the packaging.
 *
 * @example
 * import { FleetCompute, LambdaPackaging, McpImageRepositories } from 'mcp-server-fleet';
 *
 * // built by CDK from the Dockerfile the package ships, for the functions' architecture
 * FleetCompute.lambdaPerServer({ packaging: LambdaPackaging.bundledImage() });
 *
 * // or the image your pipeline built from that Dockerfile and pushed, pinned by tag
 * declare const images: McpImageRepositories;
 * FleetCompute.lambdaMultiServer({
 *   packaging: LambdaPackaging.fromEcrRepository(images.repositoryFor('lambda-runtime'), 'v1.4.2'),
 * });
 */
export abstract class LambdaPackaging {
  /**
   * The bundled runtime as a zip (`assets/lambda`), uploaded to the CDK bootstrap bucket: no Docker
   * engine needed to deploy, and a zip of about 0.5 MB whose cold start the benchmarks measure.
   */
  public static zip(): LambdaPackaging {
    return new ZipPackaging();
  }

  /**
   * The bundled runtime as a container image, built by CDK from the `Dockerfile` the package ships
   * next to the Lambda bundle (`assets/lambda`: AWS's Node.js 22 base image plus the bundle's files,
   * handler `index.handler`), for the functions' `architecture`, and pushed to the CDK bootstrap
   * repository. A Docker engine is needed where `cdk deploy` runs (not at synthesis).
   */
  public static bundledImage(): LambdaPackaging {
    return new BundledImagePackaging();
  }

  /**
   * A container image of an ECR repository, e.g. the bundled runtime's `Dockerfile`
   * (`assets/lambda/Dockerfile` of the installed package) built and pushed by your pipeline. It
   * must be built for the functions' `architecture` and answer API Gateway proxy events with the
   * handler its `CMD` names.
   *
   * Lambda pulls the image with its service principal, not the function's role: CDK adds a pull
   * statement for `lambda.amazonaws.com` to the policy of a repository defined in the app (an
   * imported repository's policy must allow Lambda already, as it does for functions of its own
   * account when the deployer may set it).
   *
   * @param repository the repository
   * @param tagOrDigest an image tag (with immutable tags, a release tag) or digest (`sha256:...`)
   * @default 'latest'
   */
  public static fromEcrRepository(repository: ecr.IRepository, tagOrDigest?: string): LambdaPackaging {
    const reference = tagOrDigest ?? 'latest';
    if (!Token.isUnresolved(reference) && !TAG_PATTERN.test(reference) && !DIGEST_PATTERN.test(reference)) {
      throw new Error('`tagOrDigest` must be an image tag (letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`) '
        + `or a digest (sha256: and 64 hex digits), got: ${JSON.stringify(reference)}`);
    }
    return new EcrImagePackaging(repository, reference);
  }

  /** `zip` or `image`. */
  public abstract readonly kind: string;

  /** What the packaging is, for messages and docs. */
  public abstract readonly description: string;

  /**
   * The code of one function of `architecture`. A new `lambda.Code` each time: a code object is
   * bound to one stack, and CDK stages equal assets once anyway.
   *
   * @internal
   */
  public abstract _code(architecture: lambda.Architecture): LambdaCodeConfig;
}

class ZipPackaging extends LambdaPackaging {
  public readonly kind = 'zip';
  public readonly description = 'the bundled runtime as a zip';

  public _code(): LambdaCodeConfig {
    return { code: lambda.Code.fromAsset(requireLambdaRuntimeAsset()), handler: LAMBDA_RUNTIME_HANDLER, runtime: LAMBDA_NODE_RUNTIME };
  }
}

class BundledImagePackaging extends LambdaPackaging {
  public readonly kind = 'image';
  public readonly description = 'the bundled runtime as a container image';

  public _code(architecture: lambda.Architecture): LambdaCodeConfig {
    // The platform follows the function: an arm64 function cannot start an x86_64 image.
    const code = lambda.Code.fromAssetImage(requireLambdaImageAsset(), { platform: Platform.custom(architecture.dockerPlatform) });
    return { code, handler: lambda.Handler.FROM_IMAGE, runtime: lambda.Runtime.FROM_IMAGE };
  }
}

class EcrImagePackaging extends LambdaPackaging {
  public readonly kind = 'image';
  public readonly description: string;

  constructor(private readonly repository: ecr.IRepository, private readonly tagOrDigest: string) {
    super();
    this.description = 'a container image of an ECR repository';
  }

  public _code(): LambdaCodeConfig {
    const code = lambda.Code.fromEcrImage(this.repository, { tagOrDigest: this.tagOrDigest });
    return { code, handler: lambda.Handler.FROM_IMAGE, runtime: lambda.Runtime.FROM_IMAGE };
  }
}
