import { Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { McpServerFleet } from '../fleet';

/** The actions another account may take on the images (spec C.1 "Cross-Account Access"): pulls, nothing else. */
export const CROSS_ACCOUNT_PULL_ACTIONS = [
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
  'ecr:BatchCheckLayerAvailability',
];

/** What Lambda's service principal needs to pull an image for a function (AWS's Lambda guide, cross-account images). */
export const LAMBDA_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * The lifecycle of every repository (spec C.1 "Lifecycle Policy"), in its order: releases and
 * staging images are kept by count, untagged and development images expire by age.
 */
export const IMAGE_LIFECYCLE_RULES: readonly ecr.LifecycleRule[] = [
  {
    rulePriority: 1,
    description: 'Keep last 10 production images',
    tagStatus: ecr.TagStatus.TAGGED,
    tagPrefixList: ['v', 'release-'],
    maxImageCount: 10,
  },
  {
    rulePriority: 2,
    description: 'Keep last 5 staging images',
    tagStatus: ecr.TagStatus.TAGGED,
    tagPrefixList: ['staging-'],
    maxImageCount: 5,
  },
  {
    rulePriority: 3,
    description: 'Delete untagged images older than 1 day',
    tagStatus: ecr.TagStatus.UNTAGGED,
    maxImageAge: Duration.days(1),
  },
  {
    rulePriority: 4,
    description: 'Delete dev images older than 7 days',
    tagStatus: ecr.TagStatus.TAGGED,
    tagPrefixList: ['dev-', 'pr-'],
    maxImageAge: Duration.days(7),
  },
];

/** ECR's rule for a repository name: 2 to 256 characters, lowercase segments separated by `/`. */
const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Settings of the repositories, other than which ones. */
export interface McpImageRepositoriesOptions {
  /**
   * The prefix of every repository name: the repository of `<name>` is `<prefix>/<name>`.
   *
   * @default 'mcp-servers'
   */
  readonly repositoryPrefix?: string;

  /**
   * AWS accounts (12-digit IDs) that may pull the images, e.g. the accounts of the staging and
   * production fleets when images are built in a tooling account. Each account's root is named in
   * the repository policy, so the account's own IAM policies decide which of its roles may pull;
   * they may pull and nothing else.
   *
   * A Lambda function of another account is not run by its account's roles alone: Lambda's
   * service principal pulls the image for it. `lambdaPulls` adds that.
   *
   * @default - no other account: the repositories' own account only
   */
  readonly pullAccounts?: string[];

  /**
   * Lets Lambda functions of `pullAccounts` run the images (`LambdaPackaging.fromEcrRepository`):
   * a second statement lets `lambda.amazonaws.com` pull (`ecr:BatchGetImage`,
   * `ecr:GetDownloadUrlForLayer`) for functions of those accounts in the repositories' region only
   * (`aws:SourceArn`). Functions of the repositories' own account need no statement here: CDK adds
   * one when the function and the repository are in the same app.
   *
   * @default false - other accounts' roles may pull (ECS tasks, CI), their functions may not
   */
  readonly lambdaPulls?: boolean;

  /**
   * What happens to the repositories (and their images) when they leave the stack. Images are
   * releases, which running services and functions still reference, so they are kept by default;
   * `RemovalPolicy.DESTROY` deletes an empty repository only (CloudFormation refuses one holding images).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of {@link McpImageRepositories}. */
export interface McpImageRepositoriesProps extends McpImageRepositoriesOptions {
  /**
   * The repositories to create, by name under the prefix: one per server whose image your
   * pipeline publishes (`gitlab` becomes `mcp-servers/gitlab`), or one for the bundled runtime
   * every server runs (`runtime`). Names are lowercase letters, digits, `.`, `_` and `-`.
   */
  readonly servers: string[];
}

/**
 * The ECR repositories of the fleet's images (spec C.1): one per server, named
 * `mcp-servers/<server>`, each with scan on push, AES-256 encryption, immutable tags, the spec's
 * four lifecycle rules (keep 10 release and 5 staging images, expire untagged images after 1 day
 * and `dev-`/`pr-` images after 7), the tags `Application=mcp-servers` and `Server=<server>`, and,
 * optionally, a policy letting other accounts pull.
 *
 * Usable without a fleet (the repositories often live in their own stack, deployed before any
 * image is pushed) or from one: `McpImageRepositories.forFleet(this, 'Images', fleet)` creates one
 * per server of the fleet.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as acm from 'aws-cdk-lib/aws-certificatemanager';
 * import { FleetAuth, FleetCompute, McpImageRepositories, McpServer, McpServerFleet, ServerImage } from 'mcp-server-fleet';
 *
 * declare const stack: Stack;
 * declare const servers: McpServer[];
 * declare const certificate: acm.ICertificate;
 *
 * // the repositories, with the production account allowed to pull
 * const images = new McpImageRepositories(stack, 'Images', {
 *   servers: ['runtime', 'gitlab', 'atlassian', 'dynatrace', 'pagerduty', 'servicenow'],
 *   pullAccounts: ['987654321098'],
 * });
 *
 * // a fleet running the runtime image your pipeline pushed as mcp-servers/runtime:v1.4.2
 * new McpServerFleet(stack, 'Fleet', {
 *   environment: 'production',
 *   servers,
 *   auth: FleetAuth.oauth({ issuer: 'https://login.example.com/oauth2/default' }),
 *   compute: FleetCompute.fargatePerServer({
 *     certificate,
 *     image: ServerImage.fromEcrRepository(images.repositoryFor('runtime'), 'v1.4.2'),
 *   }),
 * });
 *
 * // or one repository per server of an existing fleet, for images published server by server
 * declare const fleet: McpServerFleet;
 * McpImageRepositories.forFleet(stack, 'ServerImages', fleet);
 */
export class McpImageRepositories extends Construct {
  /**
   * One repository per server of a fleet, named after the servers (`mcp-servers/<server>`).
   *
   * @param scope the scope of the repositories (the fleet's, or another stack's)
   * @param id the construct id
   * @param fleet the fleet whose servers get a repository
   * @param options the prefix, the accounts that may pull, the removal policy
   */
  public static forFleet(scope: Construct, id: string, fleet: McpServerFleet, options: McpImageRepositoriesOptions = {}): McpImageRepositories {
    return new McpImageRepositories(scope, id, { ...options, servers: fleet.servers.map((s) => s.name) });
  }

  /** The repositories, in the order of `servers`. */
  public readonly repositories: ecr.Repository[];

  /** The prefix of the repository names. */
  public readonly repositoryPrefix: string;

  private readonly byName = new Map<string, ecr.Repository>();

  constructor(scope: Construct, id: string, props: McpImageRepositoriesProps) {
    super(scope, id);
    this.repositoryPrefix = props.repositoryPrefix ?? 'mcp-servers';
    const pullAccounts = props.pullAccounts ?? [];
    validateRepositories(this.repositoryPrefix, props.servers);
    validateAccounts(pullAccounts);
    if (props.lambdaPulls && pullAccounts.length === 0) {
      throw new Error('`lambdaPulls` needs `pullAccounts`: name the accounts whose functions may run the images, or leave `lambdaPulls` out');
    }
    const stack = Stack.of(this);

    this.repositories = props.servers.map((server) => {
      const repository = new ecr.Repository(this, server, {
        repositoryName: `${this.repositoryPrefix}/${server}`,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.AES_256,
        // A tag names one build for good: what a task or function was deployed with stays what it runs.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        lifecycleRules: [...IMAGE_LIFECYCLE_RULES],
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      // CDK leaves AES-256 out of the template as ECR's default; the spec names it, so the template does too.
      (repository.node.defaultChild as ecr.CfnRepository).encryptionConfiguration = { encryptionType: 'AES256' };
      Tags.of(repository).add('Application', 'mcp-servers');
      Tags.of(repository).add('Server', server);
      if (pullAccounts.length > 0) {
        repository.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'AllowPull',
          principals: pullAccounts.map((account) => new iam.AccountPrincipal(account)),
          actions: CROSS_ACCOUNT_PULL_ACTIONS,
        }));
      }
      if (props.lambdaPulls) {
        repository.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'AllowLambdaPull',
          principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
          actions: LAMBDA_PULL_ACTIONS,
          conditions: {
            StringLike: {
              'aws:SourceArn': pullAccounts.map((account) => `arn:${stack.partition}:lambda:${stack.region}:${account}:function:*`),
            },
          },
        }));
      }
      this.byName.set(server, repository);
      return repository;
    });
  }

  /**
   * The repository of a server (or of `runtime`, whatever names `servers` gave).
   *
   * @param server the name given in `servers`
   */
  public repositoryFor(server: string): ecr.IRepository {
    const repository = this.byName.get(server);
    if (!repository) {
      throw new Error(`${this.node.path} has no repository for ${JSON.stringify(server)}; its repositories: `
        + [...this.byName.keys()].map((name) => `${this.repositoryPrefix}/${name}`).join(', '));
    }
    return repository;
  }

  /**
   * Lets a principal pull every image (e.g. a deploy role that checks an image exists).
   *
   * @param grantee the principal
   */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.repositories.map((r) => r.grantPull(grantee)).reduce((all, grant) => all.combine(grant));
  }

  /**
   * Lets a principal push and pull every image (e.g. the CI role that builds them).
   *
   * @param grantee the principal
   */
  public grantPullPush(grantee: iam.IGrantable): iam.Grant {
    return this.repositories.map((r) => r.grantPullPush(grantee)).reduce((all, grant) => all.combine(grant));
  }
}

function validateRepositories(prefix: string, servers: string[]): void {
  if (Token.isUnresolved(prefix)) {
    throw new Error('`repositoryPrefix` must be a literal string: it is part of every repository name and of the messages naming them');
  }
  if (!REPOSITORY_NAME_PATTERN.test(prefix)) {
    throw new Error('`repositoryPrefix` must be lowercase letters and digits, segments separated by `/` and words by `.`, `_` or `-` '
      + `(ECR's rule for repository names), got: ${JSON.stringify(prefix)}`);
  }
  if (!servers || servers.length === 0) throw new Error('`servers` must name at least one repository, got: []');
  const seen = new Set<string>();
  for (const server of servers) {
    if (Token.isUnresolved(server)) {
      throw new Error('`servers` entries must be literal strings: each becomes a construct id and a repository name');
    }
    const name = `${prefix}/${server}`;
    if (server.includes('/') || !REPOSITORY_NAME_PATTERN.test(server) || name.length > 256) {
      throw new Error('`servers` entries must be lowercase letters and digits, words separated by `.`, `_` or `-`, no `/`, '
        + `and ${JSON.stringify(prefix)}/<entry> at most 256 characters (ECR's rule for repository names), got: ${JSON.stringify(server)}`);
    }
    if (seen.has(server)) throw new Error(`\`servers\` names ${JSON.stringify(server)} twice: each entry is one repository`);
    seen.add(server);
  }
}

function validateAccounts(accounts: string[]): void {
  const seen = new Set<string>();
  for (const account of accounts) {
    if (Token.isUnresolved(account)) continue;
    if (!ACCOUNT_ID_PATTERN.test(account)) {
      throw new Error(`\`pullAccounts\` entries must be 12-digit AWS account IDs, got: ${JSON.stringify(account)}`);
    }
    if (seen.has(account)) throw new Error(`\`pullAccounts\` names account ${account} twice`);
    seen.add(account);
  }
}
