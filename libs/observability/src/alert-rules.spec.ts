import { parse } from 'yaml';
import { servedMetrics } from './metric-catalogue';
import {
  groupingLabels,
  headingAnchor,
  omsSelectors,
  readWorkspaceFile,
  sampleIndex,
  selectorProblems,
  TARGET_LABELS,
  workspaceFiles,
} from './served-series.testdata';

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly annotations?: Record<string, string>;
}
interface RuleFile {
  readonly groups: { readonly name: string; readonly rules: Rule[] }[];
}
interface AlertTest {
  readonly alertname: string;
  readonly exp_alerts?: unknown[];
}
interface PromtoolTests {
  readonly rule_files: string[];
  readonly tests: {
    readonly input_series: { readonly series: string }[];
    readonly alert_rule_test?: AlertTest[];
    readonly promql_expr_test?: { readonly expr: string }[];
  }[];
}

const RULES_FILE = 'deploy/prometheus/alerts.yml';
const TESTS_DIR = 'deploy/prometheus/tests';

/** The Go OMS's alerts, kept by name so its operators' routing and silences keep working. */
const GO_OMS_ALERTS = ['OMSOutboxBacklogHigh', 'OMSOutboxOldestPendingTooHigh', 'OMSOutboxDLQFailuresGrowing', 'OMSIdempotencyCleanupFailures'];

const rules = (): Rule[] => (parse(readWorkspaceFile(RULES_FILE)) as RuleFile).groups.flatMap((group) => group.rules);
const testFiles = (): string[] => workspaceFiles(TESTS_DIR, (name) => name.endsWith('.test.yml'));
const promtoolTests = (file: string): PromtoolTests => parse(readWorkspaceFile(file)) as PromtoolTests;

describe('alert rules against the metrics the apps serve', () => {
  let index: ReturnType<typeof sampleIndex>;
  beforeAll(async () => {
    index = sampleIndex(await servedMetrics());
  });

  it('flags a renamed metric, an unknown label, a label value never served and a missing label', () => {
    // The checks below are only as good as this: each kind of drift is reported.
    const problems = (text: string, exact = false) => omsSelectors(text).flatMap((selector) => selectorProblems(selector, index, { exact }));

    expect(problems('rate(oms_outbox_publish_attempts_total{result="sent"}[5m])')).toEqual([]);
    expect(problems('oms_outbox_publish_attempt_total')).toEqual(['oms_outbox_publish_attempt_total: no such metric on /metrics']);
    expect(problems('oms_outbox_publish_attempts_total{outcome="sent"}')).toEqual([expect.stringContaining('no label "outcome"')]);
    expect(problems('oms_outbox_publish_attempts_total{result=~"failed|failure"}')).toEqual([
      expect.stringContaining('result="failure" is never served'),
    ]);
    expect(problems('oms_idempotency_cleanup_runs_total{job="order-api"}', true)).toEqual([
      expect.stringContaining('every served sample carries label "result"'),
    ]);
    expect(problems('oms_http_request_duration_seconds_bucket{le="0.5",route="/v1/orders",method="GET",status="200"}', true)).toEqual([]);
  });

  it('selects only served metrics, labels and label values in every rule', () => {
    const problems: string[] = [];
    const all = rules();
    expect(all.length).toBeGreaterThan(10);
    for (const rule of all) {
      const name = rule.alert ?? rule.record;
      const selectors = omsSelectors(rule.expr);
      for (const selector of selectors) problems.push(...selectorProblems(selector, index).map((problem) => `${name}: ${problem}`));
      if (selectors.length === 0) continue;
      const labels = new Set([...TARGET_LABELS, 'le', ...selectors.flatMap((selector) => index.get(selector.name)?.metric.labelNames ?? [])]);
      for (const label of groupingLabels(rule.expr)) if (!labels.has(label)) problems.push(`${name}: groups by unknown label "${label}"`);
    }
    expect(problems).toEqual([]);
  });

  it('names every input series of the promtool tests exactly as /metrics serves it (plus scrape labels)', () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(0);
    const problems: string[] = [];
    let series = 0;
    for (const file of files) {
      const suite = promtoolTests(file);
      expect(suite.rule_files).toEqual(['../alerts.yml']);
      for (const test of suite.tests) {
        for (const input of test.input_series) {
          series += 1;
          const selectors = omsSelectors(input.series);
          if (selectors.length !== 1) problems.push(`${file}: ${input.series} is not one oms_* series`);
          for (const selector of selectors) problems.push(...selectorProblems(selector, index, { exact: true }).map((problem) => `${file}: ${problem}`));
        }
        for (const exprTest of test.promql_expr_test ?? []) {
          for (const selector of omsSelectors(exprTest.expr)) problems.push(...selectorProblems(selector, index).map((problem) => `${file}: ${problem}`));
        }
      }
    }
    expect(series).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('keeps the Go OMS alerts, each fired by an injected failure and quiet on a healthy series in a promtool test', () => {
    const names = rules().map((rule) => rule.alert);
    const checks = testFiles().flatMap((file) => promtoolTests(file).tests.flatMap((test) => test.alert_rule_test ?? []));
    for (const alert of [...GO_OMS_ALERTS, 'OmsSagaCompensationRetryingTooLong']) {
      const ofAlert = checks.filter((check) => check.alertname === alert);
      expect({ alert, present: names.includes(alert) }).toEqual({ alert, present: true });
      expect({ alert, fires: ofAlert.some((check) => (check.exp_alerts ?? []).length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, quiet: ofAlert.some((check) => (check.exp_alerts ?? []).length === 0) }).toEqual({ alert, quiet: true });
    }
  });

  it('gives every alert a runbook_url to a section of docs/runbooks.md', () => {
    const anchors = new Set(
      [...readWorkspaceFile('docs/runbooks.md').matchAll(/^#{2,3} (.+)$/gm)].map((match) => headingAnchor(match[1] as string)),
    );
    const problems: string[] = [];
    for (const rule of rules().filter((candidate) => candidate.alert)) {
      const url = rule.annotations?.['runbook_url'];
      const anchor = /^docs\/runbooks\.md#([a-z0-9-]+)$/.exec(url ?? '')?.[1];
      if (!anchor || !anchors.has(anchor)) problems.push(`${rule.alert}: runbook_url ${url ?? '(none)'}`);
    }
    expect(problems).toEqual([]);
  });
});
