// The chart as the real helm sees it: `helm lint --strict` and `helm template` of every
// release combination with each pinned helm, then schema, policy and consistency checks of
// what was rendered. Used by main.mjs on the real chart and by the tests on broken copies.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkManifests } from './checks.mjs';
import { CRD_API_VERSIONS, KUBERNETES_VERSION } from './kube-schemas.mjs';
import { APPS, CHART, OVERLAYS, VALUES_DIR } from './lib.mjs';
import { checkPolicies } from './policy-checks.mjs';

export const STRATEGIES = ['rolling', 'canary', 'blueGreen'];
export const NAMESPACE = 'oms';

/** Every release CI checks: each app alone and with each overlay, in each rollout strategy. */
export function releaseMatrix({ apps = APPS, overlays = [null, ...OVERLAYS], strategies = STRATEGIES } = {}) {
  return apps.flatMap((app) =>
    overlays.flatMap((overlay) =>
      strategies.map((strategy) => ({
        name: `${app}${overlay ? ` + ${overlay}` : ''}, ${strategy}`,
        release: app,
        valuesFiles: [join(VALUES_DIR, `${app}.yaml`), ...(overlay ? [join(VALUES_DIR, overlay)] : [])],
        values: { strategy: { type: strategy } },
      })),
    ),
  );
}

function runHelm(helm, args) {
  return new Promise((resolve, reject) => {
    // Own config and cache folders: a user's repositories or plugins never change the result.
    const home = join(tmpdir(), 'oms-deploy-check-helm-home');
    const env = { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data'), KUBECONFIG: '/dev/null' };
    const child = spawn(helm.path, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Values files of a release: its files, then `values` (an object) as the last layer. */
function valuesArgs(spec, scratch) {
  const args = spec.valuesFiles.flatMap((file) => ['-f', file]);
  if (spec.values && Object.keys(spec.values).length > 0) {
    const file = join(scratch, `values-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(spec.values));
    args.push('-f', file);
  }
  return args;
}

async function withScratch(run) {
  const scratch = mkdtempSync(join(tmpdir(), 'oms-deploy-check-values-'));
  try {
    return await run(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `helm lint --strict` of one release; returns its errors and warnings (none when it passes). */
export function helmLint(helm, chart, spec) {
  return withScratch(async (scratch) => {
    const result = await runHelm(helm, ['lint', '--strict', '--kube-version', KUBERNETES_VERSION, chart, ...valuesArgs(spec, scratch)]);
    if (result.code === 0) return [];
    const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /\[(ERROR|WARNING)\]|^Error/.test(line));
    return lines.length > 0 ? lines.map((line) => line.trim()) : [`exit ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`];
  });
}

/** `helm template` of one release; returns the rendered text, or throws with helm's message. */
export function helmTemplate(helm, chart, spec) {
  return withScratch(async (scratch) => {
    const args = ['template', spec.release, chart, '--namespace', NAMESPACE, '--kube-version', KUBERNETES_VERSION];
    for (const apiVersion of CRD_API_VERSIONS) args.push('--api-versions', apiVersion);
    const result = await runHelm(helm, [...args, ...valuesArgs(spec, scratch)]);
    if (result.code !== 0) throw new Error(result.stderr.trim() || `helm template exited ${result.code}`);
    return result.stdout;
  });
}

export function parseManifests(text) {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap((doc) => doc.errors.map((error) => error.message));
  if (errors.length > 0) throw new Error(`rendered YAML is invalid: ${errors.join('; ')}`);
  return docs.map((doc) => doc.toJS()).filter((doc) => doc !== null && doc !== undefined);
}

/** Renders one release of `chart` (default: the real one) and returns its manifests. */
export async function renderRelease(helm, { chart = CHART, release = 'order-api', valuesFiles = [join(VALUES_DIR, `${release}.yaml`)], values = {} } = {}) {
  return parseManifests(await helmTemplate(helm, chart, { release, valuesFiles, values }));
}

async function mapLimit(items, limit, run) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One line per distinct problem, with the releases it appears in (a template bug shows in many). */
function collapse(found, total) {
  const releasesByProblem = new Map();
  for (const { release, problem } of found) {
    if (!releasesByProblem.has(problem)) releasesByProblem.set(problem, []);
    if (!releasesByProblem.get(problem).includes(release)) releasesByProblem.get(problem).push(release);
  }
  return [...releasesByProblem].map(([problem, releases]) => {
    if (total > 1 && releases.length === total) return `${problem} [every release]`;
    const shown = releases.slice(0, 3).join('; ');
    return `${problem} [${shown}${releases.length > 3 ? `; ${releases.length - 3} more` : ''}]`;
  });
}

/**
 * Lints and renders every release with every helm, then checks the rendered manifests:
 * `validate` (schema, from kube-schemas.mjs), the platform policies, and, when `index`
 * (variableIndex of libs/config) is given, the OMS consistency checks. Returns problems
 * per stage, each line naming the release(s).
 */
export async function checkChart({ chart = CHART, helms, releases = releaseMatrix(), validate, index, concurrency = 2 }) {
  const found = { lint: [], render: [], schema: [], policy: [], manifests: [] };
  const rendered = new Map();
  const tasks = releases.flatMap((spec) => helms.map((helm) => ({ spec, helm })));
  await mapLimit(tasks, concurrency, async ({ spec, helm }) => {
    const at = `${helm.label} ${helm.version}: ${spec.name}`;
    for (const problem of await helmLint(helm, chart, spec)) found.lint.push({ release: at, problem: `helm lint: ${problem}` });
    try {
      rendered.set(`${helm.label}|${spec.name}`, await helmTemplate(helm, chart, spec));
    } catch (error) {
      found.render.push({ release: at, problem: `helm template: ${error.message}` });
    }
  });

  let renders = 0;
  for (const spec of releases) {
    const texts = helms.map((helm) => rendered.get(`${helm.label}|${spec.name}`));
    if (texts.some((text) => text === undefined)) continue;
    renders += texts.length;
    for (const [position, text] of texts.entries()) {
      if (position === 0 || text === texts[0]) continue;
      const [first, other] = [texts[0].split('\n'), text.split('\n')];
      const line = first.findIndex((content, at) => content !== other[at]);
      const where = line === -1 ? first.length : line;
      found.render.push({
        release: spec.name,
        problem: `${helms[position].label} ${helms[position].version} renders other manifests than ${helms[0].label} ${helms[0].version}, from line ${where + 1}: ${JSON.stringify(other[where] ?? '')} instead of ${JSON.stringify(first[where] ?? '')}`,
      });
    }
    let docs;
    try {
      docs = parseManifests(texts[0]);
    } catch (error) {
      found.render.push({ release: spec.name, problem: error.message });
      continue;
    }
    for (const doc of docs) for (const problem of validate(doc)) found.schema.push({ release: spec.name, problem });
    for (const problem of checkPolicies(docs)) found.policy.push({ release: spec.name, problem });
    if (index) for (const problem of checkManifests(docs, index)) found.manifests.push({ release: spec.name, problem });
  }
  const total = releases.length;
  return {
    renders,
    lint: collapse(found.lint, tasks.length),
    render: collapse(found.render, total),
    schema: collapse(found.schema, total),
    policy: collapse(found.policy, total),
    manifests: collapse(found.manifests, total),
  };
}
