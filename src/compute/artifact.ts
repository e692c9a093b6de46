import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** How a Lambda topology runs a custom server's code. */
export interface LambdaArtifactOptions {
  /**
   * The handler, e.g. `index.handler` (ignored for a container image, whose image names it).
   *
   * @default 'index.handler'
   */
  readonly handler?: string;

  /**
   * The runtime (ignored for a container image).
   *
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * What a custom server runs: a container image (for the Fargate topologies) or Lambda code (for
 * `lambdaPerServer()`). Either way it must speak MCP's Streamable HTTP at the paths the fleet
 * routes to it (see `McpServer.custom`).
 *
 * @example
 * import * as ecs from 'aws-cdk-lib/aws-ecs';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { ServerArtifact } from 'mcp-server-fleet';
 *
 * // a container image built from your Dockerfile at deploy time
 * ServerArtifact.fromContainerImage(ecs.ContainerImage.fromAsset('./my-mcp-server'));
 * // a Lambda handler answering API Gateway proxy events
 * ServerArtifact.fromLambdaCode(lambda.Code.fromAsset('./dist/my-mcp-server'), { handler: 'main.handler' });
 */
export abstract class ServerArtifact {
  /**
   * A container image (`ecs.ContainerImage.fromAsset`, `fromRegistry`, `fromEcrRepository`...),
   * for the Fargate topologies.
   *
   * @param image the image
   */
  public static fromContainerImage(image: ecs.ContainerImage): ServerArtifact {
    return new ContainerArtifact(image);
  }

  /**
   * An image of an ECR repository, for the Fargate topologies.
   *
   * @param repository the repository
   * @param tag the tag
   * @default 'latest'
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag?: string): ServerArtifact {
    return new ContainerArtifact(ecs.ContainerImage.fromEcrRepository(repository, tag ?? 'latest'));
  }

  /**
   * A Docker build context (a folder with a `Dockerfile`), built by CDK at deploy time for the
   * tasks' architecture, for the Fargate topologies.
   *
   * @param directory the folder
   */
  public static fromAsset(directory: string): ServerArtifact {
    return new AssetArtifact(directory);
  }

  /**
   * Lambda code answering API Gateway REST proxy events (a zip: `lambda.Code.fromAsset`; or an
   * image: `lambda.Code.fromAssetImage`, `fromEcrImage`), for `lambdaPerServer()`.
   *
   * @param code the code
   * @param options the handler and runtime of a zip
   */
  public static fromLambdaCode(code: lambda.Code, options: LambdaArtifactOptions = {}): ServerArtifact {
    return new LambdaArtifact(code, options);
  }

  /** What the artifact is: `container` or `lambda`. */
  public abstract readonly kind: string;

  /**
   * The container image for tasks of `architecture`, or undefined for Lambda code.
   *
   * @internal
   */
  public _containerImage(_architecture: ecs.CpuArchitecture): ecs.ContainerImage | undefined {
    return undefined;
  }

  /**
   * The code, handler and runtime of a function, or undefined for a container image.
   *
   * @internal
   */
  public _lambdaCode(): { code: lambda.Code; handler: string; runtime: lambda.Runtime } | undefined {
    return undefined;
  }
}

class ContainerArtifact extends ServerArtifact {
  public readonly kind = 'container';
  constructor(private readonly image: ecs.ContainerImage) {
    super();
  }

  public _containerImage(): ecs.ContainerImage {
    return this.image;
  }
}

class AssetArtifact extends ServerArtifact {
  public readonly kind = 'container';
  private readonly images = new Map<string, ecs.ContainerImage>();
  constructor(private readonly directory: string) {
    super();
  }

  public _containerImage(architecture: ecs.CpuArchitecture): ecs.ContainerImage {
    const platform = architecture === ecs.CpuArchitecture.X86_64 ? Platform.LINUX_AMD64 : Platform.LINUX_ARM64;
    let image = this.images.get(platform.platform);
    if (!image) {
      image = ecs.ContainerImage.fromAsset(this.directory, { platform });
      this.images.set(platform.platform, image);
    }
    return image;
  }
}

class LambdaArtifact extends ServerArtifact {
  public readonly kind = 'lambda';
  constructor(private readonly code: lambda.Code, private readonly options: LambdaArtifactOptions) {
    super();
  }

  public _lambdaCode(): { code: lambda.Code; handler: string; runtime: lambda.Runtime } {
    const image = this.code instanceof lambda.AssetImageCode || this.code instanceof lambda.EcrImageCode;
    return {
      code: this.code,
      handler: image ? lambda.Handler.FROM_IMAGE : this.options.handler ?? 'index.handler',
      runtime: image ? lambda.Runtime.FROM_IMAGE : this.options.runtime ?? lambda.Runtime.NODEJS_22_X,
    };
  }
}
