import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { functionDurationMetric, functionErrorsMetric, functionThrottlesMetric } from '../../observability/lambda-monitoring';
import type { FleetComputeBinding, FleetServerDescription, IFleetCompute, IFleetContext } from '../types';

/**
 * What both Lambda topologies offer once bound: the function serving each server and the
 * metrics its alarms watch.
 */
export abstract class LambdaComputeBase implements IFleetCompute {
  /** @internal */
  protected _functionsByServer?: Map<string, lambda.IFunction>;

  /**
   * The Lambda function serving a server (the shared one in the multi-server topology).
   *
   * @param serverName the server's name
   */
  public functionFor(serverName: string): lambda.IFunction {
    const functions = this._functionsByServer;
    if (!functions) throw new Error(`${this.constructor.name} is not bound to a fleet yet: pass it as a fleet's \`compute\` first`);
    const fn = functions.get(serverName);
    if (!fn) {
      throw new Error(`${this.constructor.name} serves no server named ${JSON.stringify(serverName)}; its servers: ${[...functions.keys()].join(', ')}`);
    }
    return fn;
  }

  /**
   * Errors of the function serving a server: what the errors alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Sum over 1 minute
   */
  public metricErrors(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionErrorsMetric(this.functionFor(serverName), props);
  }

  /**
   * Duration of the function serving a server: what the duration alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Average over 1 minute
   */
  public metricDuration(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionDurationMetric(this.functionFor(serverName), props);
  }

  /**
   * Throttles of the function serving a server: what the throttles alarm watches.
   *
   * @param serverName the server's name
   * @param props overrides
   * @default - Sum over 1 minute
   */
  public metricThrottles(serverName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionThrottlesMetric(this.functionFor(serverName), props);
  }

  public abstract bind(fleet: IFleetContext, servers: FleetServerDescription[]): FleetComputeBinding;
}
