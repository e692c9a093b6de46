/**
 * The front door both Fargate topologies share (the aws-ecs-patterns split: the load balancer in
 * a base, the launch type beside it): one ALB, HTTPS 443 with the spec's TLS policy and a JSON 404
 * default, HTTP 80 redirecting to it, and per server a target group and a path rule.
 */
import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { METADATA_PATH } from '../../auth/front-door';
import { FARGATE_DEFAULTS } from '../../defaults';
import { acknowledgeRule } from '../../nag';
import { validateInteger, validateRange } from '../../validation';

export interface McpLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly internetFacing: boolean;
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly hostedZone?: route53.IHostedZone;
  readonly accessLogsBucket?: s3.IBucket;
  /** What the ALB serves, for descriptions. */
  readonly description: string;
}

/** Rules per application load balancer, besides the default actions (an AWS quota). */
const MAX_LISTENER_RULES = 100;

/** A server's place on the listener. */
export interface ServerRoute {
  /** The server's name (its path segment). */
  readonly name: string;
  /** The listener rule's priority. */
  readonly priority: number;
  /** Also route the server's RFC 9728 metadata (`/.well-known/oauth-protected-resource/<server>...`). */
  readonly metadata: boolean;
}

/** The front door of a Fargate fleet. */
export class McpLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly httpsListener: elbv2.ApplicationListener;
  public readonly httpListener: elbv2.ApplicationListener;
  public readonly certificate: acm.ICertificate;
  /** Where the access logs go (undefined in a stack without a region). */
  public readonly accessLogsBucket?: s3.IBucket;
  /** `https://<domainName or ALB DNS name>`: where the endpoints are. */
  public readonly baseUrl: string;
  private readonly vpc: ec2.IVpc;
  private readonly priorities = new Map<number, string>();

  constructor(scope: Construct, id: string, props: McpLoadBalancerProps) {
    super(scope, id);
    this.vpc = props.vpc;
    // Spec B.5: in on 443 and 80 only, out to the tasks' port only (each target adds its rule).
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Load balancer of ${props.description}: HTTPS (and HTTP to redirect) in, the task port out`,
      allowAllOutbound: false,
    });
    const clients = props.internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
    const from = props.internetFacing ? 'from the internet' : 'from the VPC';
    this.securityGroup.addIngressRule(clients, ec2.Port.tcp(443), `HTTPS ${from}`);
    this.securityGroup.addIngressRule(clients, ec2.Port.tcp(80), `HTTP ${from}, redirected to HTTPS`);
    if (props.internetFacing) {
      acknowledgeRule(this.securityGroup, 'AwsSolutions-EC23',
        'The internet-facing load balancer of remote MCP servers: clients connect from anywhere on 443 (80 only redirects); '
        + 'every MCP request is authenticated by the runtime (FleetAuth), and the tasks accept traffic from this group only.');
    }

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: props.internetFacing,
      securityGroup: this.securityGroup,
      // Headers that are not valid HTTP are dropped, not passed to the runtime (Security Hub ELB.4).
      dropInvalidHeaderFields: true,
      // Longer than the 29 s request budget, so the ALB never cuts an answer the runtime still gives.
      idleTimeout: Duration.seconds(60),
    });
    if (Token.isUnresolved(Stack.of(this).region)) {
      // Which principal may write the logs depends on the region (ELB's account there, or its
      // log delivery service): an environment-agnostic stack cannot name it.
      Annotations.of(this).addWarningV2('mcp-server-fleet:alb-access-logs',
        'The load balancer writes no access logs: its stack has no region (set the stack\'s `env`), so the bucket policy '
        + 'letting Elastic Load Balancing write them cannot be built');
      acknowledgeRule(this.loadBalancer, 'AwsSolutions-ELB2',
        'An environment-agnostic stack cannot grant Elastic Load Balancing its region\'s log delivery; deployed with a region '
        + '(the stack\'s `env`), the load balancer logs to the access-log bucket.');
    } else {
      this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket();
      this.loadBalancer.logAccessLogs(this.accessLogsBucket, 'alb');
    }

    this.certificate = props.certificate ?? new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName!,
      validation: props.hostedZone ? acm.CertificateValidation.fromDns(props.hostedZone) : acm.CertificateValidation.fromDns(),
    });
    this.httpsListener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [this.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: '{"error":"Not Found"}',
      }),
    });
    this.httpListener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    if (props.hostedZone && props.domainName) {
      new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(this.loadBalancer, { evaluateTargetHealth: true })),
      });
    }
    this.baseUrl = `https://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
  }

  /**
   * A target group for a server's tasks (HTTP on the tasks' port, IP targets, health checks as
   * spec B.4) and the listener rule that forwards the server's paths to it.
   */
  public addServer(id: string, route: ServerRoute, options: {
    readonly port: number;
    readonly healthCheckPath: string;
    readonly targets: elbv2.IApplicationLoadBalancerTarget[];
  }): elbv2.ApplicationTargetGroup {
    const targetGroup = new elbv2.ApplicationTargetGroup(this, `${id}Targets`, {
      vpc: this.vpc,
      port: options.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: FARGATE_DEFAULTS.deregistrationDelay,
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        path: options.healthCheckPath,
        port: 'traffic-port',
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        timeout: Duration.seconds(5),
        interval: Duration.seconds(30),
        healthyHttpCodes: '200',
      },
      targets: options.targets,
    });
    this.addRoute(id, route, targetGroup);
    return targetGroup;
  }

  /** The listener rule forwarding a server's paths (and, with bearer tokens, its metadata) to `targetGroup`. */
  public addRoute(id: string, route: ServerRoute, targetGroup: elbv2.IApplicationTargetGroup): elbv2.ApplicationListenerRule {
    validateInteger(`listenerPriorities.${route.name}`, route.priority, 1);
    validateRange(`listenerPriorities.${route.name}`, route.priority, 1, 50000);
    const taken = this.priorities.get(route.priority);
    if (taken) {
      throw new Error(`\`listenerPriorities\`: servers ${JSON.stringify(taken)} and ${JSON.stringify(route.name)} both have priority ${route.priority}; `
        + 'each rule of a listener needs its own');
    }
    if (this.priorities.size >= MAX_LISTENER_RULES) {
      throw new Error(`An application load balancer holds at most ${MAX_LISTENER_RULES} listener rules (an AWS quota), one per server: `
        + `${JSON.stringify(route.name)} would be rule ${this.priorities.size + 1}; split the servers over several fleets`);
    }
    this.priorities.set(route.priority, route.name);
    return new elbv2.ApplicationListenerRule(this, `${id}Rule`, {
      listener: this.httpsListener,
      priority: route.priority,
      conditions: [elbv2.ListenerCondition.pathPatterns(serverPathPatterns(route.name, route.metadata))],
      action: elbv2.ListenerAction.forward([targetGroup]),
    });
  }

  private createAccessLogsBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // ELB writes access logs to SSE-S3 buckets only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(FARGATE_DEFAULTS.accessLogDays) }],
      // Logs are evidence: the bucket outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeRule(bucket, 'AwsSolutions-S1',
      'This bucket holds the load balancer\'s access logs; logging the access to the log bucket itself would need another bucket, '
      + 'and so on. Give `accessLogsBucket` to send the logs to your central log bucket instead.');
    return bucket;
  }
}

/**
 * The paths the ALB forwards to a server: `/<server>` and below, and with bearer tokens its RFC 9728
 * metadata (`/.well-known/oauth-protected-resource/<server>` and below), which the runtime names in
 * its `WWW-Authenticate` answers. Four values: one rule holds at most five.
 */
export function serverPathPatterns(serverName: string, metadata: boolean): string[] {
  const patterns = [`/${serverName}`, `/${serverName}/*`];
  if (metadata) patterns.push(`${METADATA_PATH}/${serverName}`, `${METADATA_PATH}/${serverName}/*`);
  return patterns;
}
