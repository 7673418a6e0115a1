import { OmsMetrics } from './oms-metrics';

/** One metric as an app's /metrics serves it. */
export interface ServedMetric {
  readonly name: string;
  readonly type: string;
  /** Labels every sample of the metric carries (histograms add `le` to their buckets). */
  readonly labelNames: readonly string[];
  /**
   * Label values a counter serves at zero from the start: the closed sets rules select on
   * (result of the outbox and cleanup counters). Empty for everything else.
   */
  readonly initialLabelValues: Readonly<Record<string, readonly string[]>>;
  /** Sample names: the metric's own, or the _bucket, _sum and _count of a histogram / summary. */
  readonly sampleNames: readonly string[];
}

const SAMPLE_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * Every metric of an app's registry (OMS metrics and the process defaults), read from the
 * registry itself: what alert rules, their tests, dashboards and docs may name.
 */
export async function servedMetrics(metrics: OmsMetrics = new OmsMetrics()): Promise<ServedMetric[]> {
  const served: ServedMetric[] = [];
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    // prom-client types `type` as a numeric enum; at runtime it is the exposition's word ('counter').
    const type = String(metric.type);
    const instance = metrics.registry.getSingleMetric(metric.name) as unknown as { labelNames?: readonly string[] } | undefined;
    const labelNames = [...(instance?.labelNames ?? [])];
    const initialLabelValues: Record<string, string[]> = {};
    // Only counters are initialised on purpose; gauges such as oms_build_info carry open values.
    for (const sample of type === 'counter' ? metric.values : []) {
      for (const [label, value] of Object.entries(sample.labels)) {
        if (!labelNames.includes(label) || value === undefined) continue;
        const values = (initialLabelValues[label] ??= []);
        if (!values.includes(String(value))) values.push(String(value));
      }
    }
    const suffixes = SAMPLE_SUFFIXES[type] ?? [''];
    served.push({
      name: metric.name,
      type,
      labelNames,
      initialLabelValues,
      sampleNames: suffixes.map((suffix) => `${metric.name}${suffix}`),
    });
  }
  return served.sort((a, b) => a.name.localeCompare(b.name));
}
