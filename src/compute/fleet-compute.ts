import { LambdaMultiServerCompute, LambdaMultiServerProps } from './lambda-multi-server';
import { LambdaPerServerCompute, LambdaPerServerProps } from './lambda-per-server';

/**
 * The built-in topologies of a fleet. Each returns an `IFleetCompute`; implement that interface
 * for a topology of your own.
 */
export class FleetCompute {
  /**
   * One Lambda function per server behind one regional REST API, with a usage plan.
   *
   * @param props memory (256 MB), timeout (29 s), throttling (1000 rps, burst 5000), monthly quota (1,000,000)... see LambdaPerServerProps for every default
   */
  public static lambdaPerServer(props: LambdaPerServerProps = {}): LambdaPerServerCompute {
    return new LambdaPerServerCompute(props);
  }

  /**
   * One Lambda function hosting every server behind an HTTP API.
   *
   * @param props memory (1024 MB), timeout (29 s), throttling (1000 rps, burst 5000)... see LambdaMultiServerProps for every default
   */
  public static lambdaMultiServer(props: LambdaMultiServerProps = {}): LambdaMultiServerCompute {
    return new LambdaMultiServerCompute(props);
  }

  private constructor() {}
}
