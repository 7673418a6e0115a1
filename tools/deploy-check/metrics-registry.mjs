// Metric names the observability library really registers (a fresh OmsMetrics registry).
import { loadWorkspaceModule } from './lib.mjs';

export async function exportedMetricNames() {
  try {
    const { OmsMetrics } = await loadWorkspaceModule('libs/observability/src/index.ts');
    if (typeof OmsMetrics !== 'function') return { reason: '@oms/observability does not export OmsMetrics' };
    const metrics = new OmsMetrics();
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    return { names };
  } catch (error) {
    return { reason: `@oms/observability could not be loaded (${error instanceof Error ? error.message : String(error)})` };
  }
}
