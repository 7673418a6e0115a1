// Static deployment checks (no Docker engine or helm binary needed). Prints one line per
// check and a closing "N passed, N failed" line; exits non-zero on any failure.
//   node tools/deploy-check/main.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  APPS,
  CHART,
  OVERLAYS,
  ROOT,
  VALUES_DIR,
  ensureRenderer,
  loadConfigVariables,
  loadSchemaValidator,
  mergeValues,
  readYaml,
  renderRelease,
  replacedLists,
  valuesCombinations,
  variableIndex,
} from './lib.mjs';
import {
  OMS_METRICS,
  checkAlertRules,
  checkCompose,
  checkDashboard,
  checkDockerfile,
  checkEnvironmentNames,
  checkManifests,
  checkMetricNames,
  checkTemplates,
  checkWorkflow,
} from './checks.mjs';
import { exportedMetricNames } from './metrics-registry.mjs';

export const REQUIRED_JOBS = {
  'ci.yml': ['lint-test-build', 'migration-gate', 'migration-lint', 'audit', 'helm', 'images'],
  'deploy.yml': ['images', 'staging', 'production'],
};

const results = [];
async function check(name, run) {
  try {
    const problems = await run();
    results.push({ name, problems });
  } catch (error) {
    results.push({ name, problems: [`threw: ${error instanceof Error ? error.message : String(error)}`] });
  }
}

const read = (relative) => readFileSync(join(ROOT, relative), 'utf8');
const templateFiles = () =>
  Object.fromEntries(
    readdirSync(join(CHART, 'templates')).map((file) => [`templates/${file}`, readFileSync(join(CHART, 'templates', file), 'utf8')]),
  );

await check('values: every app file and overlay, merged as helm does, matches values.schema.json', () => {
  const validate = loadSchemaValidator();
  return valuesCombinations().flatMap((combo) => validate(combo.values).map((error) => `${combo.name}: ${error}`));
});

await check('values: the chart refuses to render without an app file', () => {
  const validate = loadSchemaValidator();
  const errors = validate(readYaml(join(CHART, 'values.yaml')));
  return errors.some((error) => error.includes('app')) ? [] : ['base values.yaml alone passed the schema'];
});

await check('values: overlays do not replace lists set by an app file', () =>
  valuesCombinations()
    .filter((combo) => combo.layers.length === 2)
    .flatMap((combo) => replacedLists(combo.layers[0], combo.layers[1]).map((path) => `${combo.name}: overlay replaces ${path}`)),
);

await check('values.schema.json: every property has a description', () => {
  const schema = JSON.parse(read('deploy/helm/oms/values.schema.json'));
  const problems = [];
  const walk = (node, path) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (!child.description) problems.push(`${path}${key} has no description`);
      walk(child, `${path}${key}.`);
    }
    for (const branch of ['items', 'additionalProperties']) {
      if (node[branch] && typeof node[branch] === 'object') walk(node[branch], `${path}[]`);
    }
  };
  walk(schema, '');
  for (const [name, definition] of Object.entries(schema.definitions ?? {})) walk(definition, `#${name}.`);
  return problems;
});

await check('env: every variable in values, templates and compose exists in libs/config configVariables()', async () => {
  const index = variableIndex(await loadConfigVariables());
  const valuesFiles = { 'deploy/helm/oms/values.yaml': readYaml(join(CHART, 'values.yaml')) };
  for (const file of [...APPS.map((app) => `${app}.yaml`), ...OVERLAYS]) {
    valuesFiles[`deploy/helm/values/${file}`] = readYaml(join(VALUES_DIR, file));
  }
  return checkEnvironmentNames({ valuesFiles, templates: templateFiles(), compose: readYaml(join(ROOT, 'docker-compose.yml')) }, index);
});

await check('templates: balanced blocks, defined includes, .Values paths in the schema', () =>
  checkTemplates(templateFiles(), JSON.parse(read('deploy/helm/oms/values.schema.json'))),
);

await check('render: every app x overlay x strategy (rolling, canary, blueGreen) x KEDA renders to consistent manifests', async () => {
  const renderer = ensureRenderer();
  const index = variableIndex(await loadConfigVariables());
  const problems = [];
  let releases = 0;
  for (const combo of valuesCombinations()) {
    for (const type of ['rolling', 'canary', 'blueGreen']) {
      for (const enabled of [false, true]) {
        const values = mergeValues(combo.values, { strategy: { type }, keda: { enabled } });
        const label = `${combo.name}, ${type}, keda ${enabled ? 'on' : 'off'}`;
        try {
          const docs = renderRelease(renderer, values, values.app);
          problems.push(...checkManifests(docs, index).map((problem) => `${label}: ${problem}`));
          releases += 1;
        } catch (error) {
          problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  console.log(`  rendered ${releases} releases`);
  return problems;
});

await check('metrics: alerts, dashboard and values use only exported oms_* metric names', async () => {
  const sources = {
    'deploy/prometheus/alerts.yml': read('deploy/prometheus/alerts.yml'),
    'deploy/grafana/oms.json': read('deploy/grafana/oms.json'),
  };
  for (const file of [...APPS.map((app) => `${app}.yaml`), ...OVERLAYS, '../oms/values.yaml']) {
    sources[`deploy/helm/values/${file}`] = readFileSync(join(VALUES_DIR, file), 'utf8');
  }
  const problems = checkMetricNames(sources, OMS_METRICS);
  // Cross-check the list with what the observability library really registers.
  const live = await exportedMetricNames();
  if (live.names) {
    for (const name of OMS_METRICS) if (!live.names.includes(name)) problems.push(`@oms/observability does not register ${name}`);
  } else {
    console.log(`  note: live registry cross-check not run: ${live.reason}`);
  }
  return problems;
});

await check('alerts: rule file structure', () => checkAlertRules(readYaml(join(ROOT, 'deploy/prometheus/alerts.yml'))));

await check('dashboard: grafana JSON structure', () => checkDashboard(JSON.parse(read('deploy/grafana/oms.json'))));

await check('workflows: valid YAML with the required jobs', () =>
  Object.entries(REQUIRED_JOBS).flatMap(([file, jobs]) => checkWorkflow(file, readYaml(join(ROOT, '.github/workflows', file)), jobs)),
);

await check('compose: apps probe the ops port and wait for the migrator; observability profile', () =>
  checkCompose(readYaml(join(ROOT, 'docker-compose.yml')), APPS),
);

await check('Dockerfile: Nx prod build, pruned deps, tini, non-root, no HEALTHCHECK', () => checkDockerfile(read('deploy/Dockerfile')));

let failed = 0;
for (const { name, problems } of results) {
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
  for (const problem of problems) console.log(`     - ${problem}`);
  if (problems.length > 0) failed += 1;
}
console.log(`deploy-check: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
