import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { requireServerRuntimeAsset } from '../../runtime-assets';

/**
 * The container image a Fargate topology runs: the bundled runtime (built by CDK from the
 * `Dockerfile` the package ships, at deploy time) or an image you publish.
 *
 * @example
 * import * as ecr from 'aws-cdk-lib/aws-ecr';
 * import { FleetCompute, ServerImage } from 'mcp-server-fleet';
 *
 * declare const repository: ecr.IRepository;
 *
 * // the runtime image your pipeline built and pushed, pinned by tag
 * FleetCompute.fargatePerServer({ image: ServerImage.fromEcrRepository(repository, '1.4.2') });
 */
export abstract class ServerImage {
  /**
   * The bundled runtime, built from the package's `Dockerfile` (`assets/server`) for the task's
   * CPU architecture when the stack deploys (a Docker engine is needed where `cdk deploy` runs,
   * not at synthesis).
   */
  public static bundled(): ServerImage {
    return new BundledServerImage();
  }

  /**
   * An image of an ECR repository; the task's execution role may pull it (and nothing else of ECR).
   *
   * @param repository the repository, e.g. `mcp-servers/runtime`
   * @param tag the tag; with immutable tags (the shared infrastructure's repositories) a release tag
   * @default 'latest'
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag?: string): ServerImage {
    return new ContainerServerImage(ecs.ContainerImage.fromEcrRepository(repository, tag ?? 'latest'), 'an ECR repository');
  }

  /**
   * Any container image CDK can give a task (`ecs.ContainerImage.fromAsset`, `fromRegistry`...).
   * It must run the bundled runtime's node server (`node index.js serve`) or speak the same
   * contract: Streamable HTTP on `PORT`, `GET /health`.
   *
   * @param image the image
   */
  public static fromContainerImage(image: ecs.ContainerImage): ServerImage {
    return new ContainerServerImage(image, 'a container image');
  }

  /** What the image is, for messages and docs. */
  public abstract readonly description: string;

  /**
   * The image for a task of `architecture`.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, architecture: ecs.CpuArchitecture): ecs.ContainerImage;
}

class BundledServerImage extends ServerImage {
  public readonly description = 'the bundled runtime';
  private readonly images = new Map<string, ecs.ContainerImage>();

  public _bind(_scope: Construct, architecture: ecs.CpuArchitecture): ecs.ContainerImage {
    const platform = architecture === ecs.CpuArchitecture.X86_64 ? Platform.LINUX_AMD64 : Platform.LINUX_ARM64;
    // One asset per architecture: every task of a fleet shares the image (and its build).
    let image = this.images.get(platform.platform);
    if (!image) {
      image = ecs.ContainerImage.fromAsset(requireServerRuntimeAsset(), { platform });
      this.images.set(platform.platform, image);
    }
    return image;
  }
}

class ContainerServerImage extends ServerImage {
  constructor(private readonly image: ecs.ContainerImage, public readonly description: string) {
    super();
  }

  public _bind(): ecs.ContainerImage {
    return this.image;
  }
}
