// Test helpers: checks what rules, their promtool tests and docs name against the metrics an
// app really serves (metric-catalogue.ts). Kept apart from the specs that use them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServedMetric } from './metric-catalogue';

export const WORKSPACE_ROOT = join(__dirname, '../../..');

/** Labels a scrape adds to every series (static targets, Kubernetes service discovery). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'container', 'service', 'endpoint'];

export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface SeriesSelector {
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

/** Sample name -> the served metric and the extra label its samples carry (`le` of buckets). */
export function sampleIndex(served: readonly ServedMetric[]): Map<string, { metric: ServedMetric; extraLabels: string[] }> {
  const index = new Map<string, { metric: ServedMetric; extraLabels: string[] }>();
  for (const metric of served) {
    for (const sample of metric.sampleNames) {
      index.set(sample, { metric, extraLabels: sample.endsWith('_bucket') && metric.type === 'histogram' ? ['le'] : [] });
    }
  }
  return index;
}

/** `oms_*` selectors of a PromQL expression or a promtool series (`name{a="b",c=~"d|e"}`). */
export function omsSelectors(text: string): SeriesSelector[] {
  const selectors: SeriesSelector[] = [];
  for (const match of text.matchAll(/\b(oms_[a-z0-9_]+)\s*(?:\{([^}]*)\})?/g)) {
    const matchers: LabelMatcher[] = [];
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      matchers.push({ label: label[1] as string, op: label[2] as LabelMatcher['op'], value: label[3] as string });
    }
    selectors.push({ name: match[1] as string, matchers });
  }
  return selectors;
}

/** Labels of `by (...)` / `without (...)` clauses. */
export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((match) =>
    (match[1] as string)
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/** Alternatives of a simple regex matcher value (`failed|dlq_failed`); undefined for anything richer. */
function alternatives(value: string): string[] | undefined {
  return /^[a-zA-Z0-9_|]+$/.test(value) ? value.split('|') : undefined;
}

/**
 * Problems of one selector against the served metrics: unknown metric, unknown label, a value
 * outside a closed set (e.g. result="failure"). With `exact`, the selector is a series of a
 * promtool test and must carry every label the metric serves.
 */
export function selectorProblems(
  selector: SeriesSelector,
  index: ReturnType<typeof sampleIndex>,
  options: { readonly exact?: boolean } = {},
): string[] {
  const entry = index.get(selector.name);
  if (!entry) return [`${selector.name}: no such metric on /metrics`];
  const { metric, extraLabels } = entry;
  const problems: string[] = [];
  const known = new Set([...metric.labelNames, ...extraLabels, ...TARGET_LABELS]);
  for (const matcher of selector.matchers) {
    if (!known.has(matcher.label)) {
      problems.push(`${selector.name}: no label "${matcher.label}" (it has: ${[...metric.labelNames, ...extraLabels].join(', ') || 'none'})`);
      continue;
    }
    const closed = metric.initialLabelValues[matcher.label];
    if (!closed) continue;
    const values = matcher.op === '=' || matcher.op === '!=' ? [matcher.value] : alternatives(matcher.value);
    for (const value of values ?? []) {
      if (!closed.includes(value)) problems.push(`${selector.name}: ${matcher.label}="${value}" is never served (served: ${closed.join(', ')})`);
    }
  }
  if (options.exact) {
    const given = new Set(selector.matchers.map((matcher) => matcher.label));
    for (const label of [...metric.labelNames, ...extraLabels]) {
      if (!given.has(label)) problems.push(`${selector.name}: every served sample carries label "${label}"`);
    }
  }
  return problems;
}

export function readWorkspaceFile(relative: string): string {
  return readFileSync(join(WORKSPACE_ROOT, relative), 'utf8');
}

/** Files under a workspace folder (recursively), as workspace-relative paths. */
export function workspaceFiles(folder: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(WORKSPACE_ROOT, folder), { withFileTypes: true })) {
    const relative = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...workspaceFiles(relative, accept));
    else if (accept(entry.name)) out.push(relative);
  }
  return out.sort();
}

/** GitHub's anchor of a Markdown heading. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
