import { LambdaMultiServerCompute, LambdaMultiServerProps } from './lambda-multi-server';
import { LambdaPerServerCompute, LambdaPerServerProps } from './lambda-per-server';

/**
 * The built-in topologies of a fleet. Each returns an `IFleetCompute`; implement that interface
 * for a topology of your own.
 */
export class FleetCompute {
  /**
   * One Lambda function per server behind one regional REST API, with a usage plan (spec A.1-A.5).
   *
   * @param props memory, timeout, throttling, quota... the spec's values are the defaults (data tracing and CORS origins are off by default)
   */
  public static lambdaPerServer(props: LambdaPerServerProps = {}): LambdaPerServerCompute {
    return new LambdaPerServerCompute(props);
  }

  /**
   * One Lambda function hosting every server behind an HTTP API (spec A.6).
   *
   * @param props memory, timeout, throttling... the spec's values are the defaults (CORS origins are off by default)
   */
  public static lambdaMultiServer(props: LambdaMultiServerProps = {}): LambdaMultiServerCompute {
    return new LambdaMultiServerCompute(props);
  }

  private constructor() {}
}
