// Latency summaries computed from every sample (no histogram bucketing).

const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** count, mean, p50, p95, p99, max of latencies in milliseconds. */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const count = sorted.length;
  const mean = count === 0 ? null : sorted.reduce((sum, value) => sum + value, 0) / count;
  return {
    count,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(count === 0 ? null : sorted[count - 1]),
  };
}

export { round };
