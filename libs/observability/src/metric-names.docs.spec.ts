import { servedMetrics } from './metric-catalogue';
import { readWorkspaceFile, workspaceFiles } from './served-series.testdata';

/** `oms_` words that are not metrics, and what they are. */
const NOT_METRICS: Readonly<Record<string, string>> = {
  oms_outbox: 'the PostgreSQL NOTIFY channel of the outbox (docs/benchmarks.md)',
  // Headers of consumers' dead letters (DLQ_HEADERS, libs/contracts dead-letter.ts); the first two are the previous release's.
  oms_error: 'dead-letter header of the previous release: why the handler failed (now x-error-message)',
  oms_source_topic: 'dead-letter header of the previous release: topic of the original message (now x-original-topic)',
  oms_source_partition: 'dead-letter header: partition of the original message',
  oms_source_offset: 'dead-letter header: offset of the original message',
  oms_consumer_group: 'dead-letter header: the consumer group that gave up',
  oms_consumer: 'dead-letter header: the consumer (its inbox name) that gave up',
};

/** What operators read or load: the README, docs/*.md, the alert rules and their tests, the dashboards. */
function documentedFiles(): string[] {
  return [
    'README.md',
    ...workspaceFiles('docs', (name) => name.endsWith('.md')).filter((file) => file.split('/').length === 2),
    ...workspaceFiles('deploy/prometheus', (name) => /\.ya?ml$/.test(name)),
    ...workspaceFiles('deploy/grafana', (name) => /\.(json|ya?ml)$/.test(name)),
  ];
}

/** Every `oms_*` name in the text that is not served (`oms_saga_*` must prefix a served name). */
function unknownNames(text: string, samples: readonly string[]): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(/\b(oms_[a-z0-9_]*[a-z0-9_])(\*)?/g)) {
    const name = match[1] as string;
    const known = match[2] ? samples.some((sample) => sample.startsWith(name)) : samples.includes(name) || name in NOT_METRICS;
    if (!known) unknown.add(match[2] ? `${name}*` : name);
  }
  return [...unknown].sort();
}

describe('metric names in docs, rules and dashboards', () => {
  let samples: string[];
  beforeAll(async () => {
    // A histogram is named by its metric name (as in # TYPE) or its samples (_bucket, _sum, _count).
    samples = [...new Set((await servedMetrics()).flatMap((metric) => [metric.name, ...metric.sampleNames]))];
  });

  it('reports names that are not served, histogram samples and prefixes included', () => {
    expect(unknownNames('alert on `oms_saga_active`; see oms_active_sagas', samples)).toEqual(['oms_saga_active']);
    expect(unknownNames('rate(oms_http_request_duration_seconds_bucket[5m]) and oms_saga_duration_seconds_count', samples)).toEqual([]);
    expect(unknownNames('`oms_saga_*`, `oms_sagas_*`', samples)).toEqual(['oms_sagas_*']);
    expect(unknownNames("pg_notify('oms_outbox', ...)", samples)).toEqual([]);
  });

  it('names only metrics the apps serve', () => {
    const files = documentedFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/reliability.md', 'deploy/prometheus/alerts.yml', 'deploy/grafana/oms.json']));
    const problems = files.flatMap((file) => unknownNames(readWorkspaceFile(file), samples).map((name) => `${file}: ${name}`));
    expect(problems).toEqual([]);
  });
});
