import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IFleetMonitoring } from './monitoring';
import { LAMBDA_ALARM_DEFAULTS } from '../defaults';

const PERIOD = LAMBDA_ALARM_DEFAULTS.period;
const WIDTH = 12;
const HEIGHT = 6;

/** Metrics of an API in front of the fleet (REST API stage or HTTP API). */
export interface ApiMetrics {
  /** Requests answered with a 4XX status. */
  readonly clientErrors: cloudwatch.IMetric;
  /** Requests answered with a 5XX status. */
  readonly serverErrors: cloudwatch.IMetric;
  /** Time from request to response, as the API measures it. */
  readonly latency: cloudwatch.IMetric;
  /** Number of requests. */
  readonly requests: cloudwatch.IMetric;
}

/** What both API kinds offer: the `metric*` methods of `apigateway.Stage` and `apigatewayv2.HttpApi`. */
interface MeteredApi {
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * The API segment of a fleet's monitoring: 4XX / 5XX (requests on the right axis) and latency
 * (average), 60 s periods. No alarms: the functions' or services' alarms see the failures first.
 */
export class ApiMonitoring implements IFleetMonitoring {
  /** The segment of a REST API stage or an HTTP API (the metrics of its `metric*` methods). */
  public static of(api: MeteredApi): ApiMonitoring {
    return new ApiMonitoring({
      clientErrors: api.metricClientError({ period: PERIOD, label: '4XX' }),
      serverErrors: api.metricServerError({ period: PERIOD, label: '5XX' }),
      latency: api.metricLatency({ period: PERIOD, label: 'Latency (average)' }),
      requests: api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'Requests' }),
    });
  }

  /** The metrics the widgets show. */
  public readonly metrics: ApiMetrics;

  constructor(metrics: ApiMetrics) {
    this.metrics = metrics;
  }

  public alarms(): cloudwatch.AlarmBase[] {
    return [];
  }

  public widgets(): cloudwatch.IWidget[] {
    const m = this.metrics;
    return [
      new cloudwatch.GraphWidget({ title: 'API 4XX / 5XX', left: [m.clientErrors, m.serverErrors], right: [m.requests], width: WIDTH, height: HEIGHT }),
      new cloudwatch.GraphWidget({ title: 'API Latency (ms)', left: [m.latency], width: WIDTH, height: HEIGHT }),
    ];
  }
}
