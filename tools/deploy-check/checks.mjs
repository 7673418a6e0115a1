// The deployment checks. Each takes plain data and returns a list of problems (strings), so
// the tests can feed them broken input and see them fail.
import { builtinModules } from 'node:module';

/** Metric names the apps export (the Go OMS names plus the additions of the ops issue). */
export const OMS_METRICS = [
  'oms_saga_started_total',
  'oms_saga_completed_total',
  'oms_saga_failed_total',
  'oms_saga_canceled_total',
  'oms_saga_refunded_total',
  'oms_saga_duration_seconds',
  'oms_saga_step_duration_seconds',
  'oms_active_sagas',
  'oms_timeline_events_total',
  'oms_outbox_events_total',
  'oms_outbox_publish_attempts_total',
  'oms_outbox_pending_records',
  'oms_outbox_oldest_pending_age_seconds',
  'oms_idempotency_cleanup_runs_total',
  'oms_idempotency_cleanup_deleted_total',
  'oms_idempotency_cleanup_last_deleted',
  'oms_inbox_cleanup_runs_total',
  'oms_inbox_cleanup_deleted_total',
  'oms_http_requests_total',
  'oms_http_request_duration_seconds',
  'oms_grpc_requests_total',
  'oms_grpc_request_duration_seconds',
  'oms_saga_compensation_failed_total',
  'oms_outbox_dead_letters_total',
  'oms_consumer_dead_letters_total',
  'oms_db_pool_connections',
  'oms_kafka_consumer_lag',
  'oms_build_info',
  'oms_saga_compensation_retrying',
  'oms_saga_compensation_oldest_age_seconds',
  'oms_saga_drive_wait_seconds',
  'oms_db_pool_wait_seconds',
];

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** Variables the chart sets that libs/config does not read (runtime and OpenTelemetry SDK). */
export const NON_CONFIG_VARIABLES = {
  POD_NAME: 'pod name from the downward API, for logs',
  NODE_OPTIONS: 'Node.js runtime flags (heap size)',
  OMS_NODE_HEAP_PERCENT: "read by the image's start script (deploy/node-start.sh): heap bound as a share of the memory limit",
  OMS_NODE_HEAP_MB: "read by the image's start script (deploy/node-start.sh): the heap bound itself",
};
const OTEL_VARIABLE = /^OTEL_[A-Z_]+$/;
const CONFIG_VARIABLE = /\b(OMS_[A-Z0-9_]+|KAFKA_BROKERS|LOG_LEVEL)\b/g;

export function metricNamesIn(text) {
  const names = new Set();
  for (const match of text.matchAll(/\boms_[a-z0-9_]+/g)) {
    let name = match[0];
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (name.endsWith(suffix) && !OMS_METRICS.includes(name)) name = name.slice(0, -suffix.length);
    }
    names.add(name);
  }
  return [...names].sort();
}

/** Every oms_* name in `sources` ({ label: text }) must be an exported metric. */
export function checkMetricNames(sources, exported = OMS_METRICS) {
  const problems = [];
  for (const [label, text] of Object.entries(sources)) {
    for (const name of metricNamesIn(text)) {
      if (!exported.includes(name)) problems.push(`${label}: unknown metric ${name}`);
    }
  }
  return problems;
}

function balanced(text) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const stack = [];
  for (const char of text.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if (pairs[char]) stack.push(pairs[char]);
    else if (Object.values(pairs).includes(char) && stack.pop() !== char) return false;
  }
  return stack.length === 0;
}

/** Prometheus rule file: groups of alerts with expr, severity and summary; unique names. */
export function checkAlertRules(rules) {
  const problems = [];
  if (!Array.isArray(rules?.groups) || rules.groups.length === 0) return ['alerts: no rule groups'];
  const seen = new Set();
  for (const group of rules.groups) {
    if (!group.name) problems.push('alerts: a group has no name');
    for (const rule of group.rules ?? []) {
      const name = rule.alert ?? rule.record;
      if (!name) problems.push(`alerts: a rule in ${group.name} has neither alert nor record`);
      if (seen.has(name)) problems.push(`alerts: duplicate rule ${name}`);
      seen.add(name);
      if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push(`alerts: ${name} has no expr`);
      else if (!balanced(rule.expr)) problems.push(`alerts: ${name} has unbalanced brackets`);
      if (rule.alert && !['critical', 'warning', 'info'].includes(rule.labels?.severity)) {
        problems.push(`alerts: ${name} needs labels.severity critical|warning|info`);
      }
      if (rule.alert && !rule.annotations?.summary) problems.push(`alerts: ${name} needs annotations.summary`);
    }
  }
  return problems;
}

/** Grafana dashboard: uid, title, and every panel query balanced. */
export function checkDashboard(dashboard) {
  const problems = [];
  if (!dashboard.uid || !dashboard.title) problems.push('dashboard: uid and title are required');
  const panels = (dashboard.panels ?? []).filter((panel) => panel.type !== 'row');
  if (panels.length === 0) problems.push('dashboard: no panels');
  for (const panel of panels) {
    if (!panel.targets?.length) problems.push(`dashboard: panel "${panel.title}" has no query`);
    for (const target of panel.targets ?? []) {
      if (!balanced(target.expr ?? '')) problems.push(`dashboard: panel "${panel.title}" has unbalanced brackets`);
    }
  }
  return problems;
}

/**
 * Variables set by values files, templates and the compose file must be ones libs/config
 * reads (`index`: name -> plain | secret | file); secrets never appear as plain values.
 */
export function checkEnvironmentNames({ valuesFiles = {}, templates = {}, compose = null }, index) {
  const problems = [];
  const known = (name) => index.has(name);
  const isSecretValue = (name) => index.get(name) === 'secret';

  for (const [file, values] of Object.entries(valuesFiles)) {
    const maps = { env: values?.env, 'migrations.env': values?.migrations?.env };
    for (const [where, map] of Object.entries(maps)) {
      for (const name of Object.keys(map ?? {})) {
        if (!known(name)) problems.push(`${file}: ${where}.${name} is not a variable of libs/config`);
        else if (isSecretValue(name)) problems.push(`${file}: ${where}.${name} is a secret; use secrets.files or secrets.existingSecret`);
      }
    }
    for (const entry of values?.secrets?.files ?? []) {
      const fileName = `${entry.env}_FILE`;
      if (index.get(fileName) !== 'file') problems.push(`${file}: secrets.files ${entry.env} has no _FILE variant in libs/config`);
    }
  }

  for (const [file, text] of Object.entries(templates)) {
    for (const match of text.matchAll(CONFIG_VARIABLE)) {
      if (!known(match[1]) && !(match[1] in NON_CONFIG_VARIABLES)) problems.push(`${file}: ${match[1]} is not a variable of libs/config`);
    }
    for (const match of text.matchAll(/name:\s*([A-Z][A-Z0-9_]+)\s*$/gm)) {
      const name = match[1];
      if (!known(name) && !OTEL_VARIABLE.test(name) && !(name in NON_CONFIG_VARIABLES)) {
        problems.push(`${file}: env ${name} is neither a config variable nor a known runtime variable`);
      }
    }
  }

  for (const [service, definition] of Object.entries(compose?.services ?? {})) {
    const environment = definition.environment ?? {};
    const names = Array.isArray(environment) ? environment.map((item) => String(item).split('=')[0]) : Object.keys(environment);
    for (const name of names) {
      if (!/^(OMS_|KAFKA_BROKERS$|LOG_LEVEL$)/.test(name)) continue;
      if (!known(name)) problems.push(`docker-compose.yml: ${service}.environment.${name} is not a variable of libs/config`);
      else if (isSecretValue(name)) problems.push(`docker-compose.yml: ${service}.environment.${name} is a secret; use ${name}_FILE`);
    }
  }
  return problems;
}

/** Required jobs per workflow file ({ file: [job ids] }); every job needs runs-on and steps. */
export function checkWorkflow(file, workflow, requiredJobs) {
  const problems = [];
  if (!workflow || typeof workflow !== 'object') return [`${file}: not a YAML mapping`];
  if (!workflow.on) problems.push(`${file}: no triggers (on)`);
  const jobs = workflow.jobs ?? {};
  for (const job of requiredJobs) if (!(job in jobs)) problems.push(`${file}: missing job ${job}`);
  for (const [id, job] of Object.entries(jobs)) {
    if (!job['runs-on'] && !job.uses) problems.push(`${file}: job ${id} has no runs-on`);
    if (!job.uses && !Array.isArray(job.steps)) problems.push(`${file}: job ${id} has no steps`);
    for (const need of [].concat(job.needs ?? [])) {
      if (!(need in jobs)) problems.push(`${file}: job ${id} needs unknown job ${need}`);
    }
  }
  return problems;
}

export const DEPLOY_CHECK_COMMAND = 'bash tools/deploy-check/run.sh static';

/**
 * CI here (`.ci/run`) and on GitHub (`ci.yml`, job `helm`) run the same deploy-check entry and
 * nothing else checks the chart there, so both check the same thing with the same helm.
 */
export function checkSameDeployCheck(ciRun, workflow, job = 'helm') {
  const problems = [];
  if (!ciRun.split('\n').some((line) => line.trim() === DEPLOY_CHECK_COMMAND)) problems.push(`.ci/run: does not run \`${DEPLOY_CHECK_COMMAND}\``);
  const steps = workflow?.jobs?.[job]?.steps ?? [];
  if (!steps.some((step) => String(step.run ?? '').trim() === DEPLOY_CHECK_COMMAND)) problems.push(`ci.yml: job ${job} does not run \`${DEPLOY_CHECK_COMMAND}\``);
  for (const step of steps) {
    const text = `${step.uses ?? ''} ${step.run ?? ''}`;
    if (/setup-helm|kubeconform|\bhelm (lint|template)\b/.test(text)) {
      problems.push(`ci.yml: job ${job} checks the chart outside ${DEPLOY_CHECK_COMMAND} (${(step.name ?? step.uses ?? step.run).trim()})`);
    }
  }
  return problems;
}

/**
 * Every `.Values` path a template reads must be described by values.schema.json, so a value
 * the schema does not know (and so `helm lint` cannot refuse) is never read silently. Syntax,
 * blocks and includes are left to `helm lint` and `helm template`.
 */
export function checkTemplates(templates, schema) {
  const problems = [];
  for (const [file, text] of Object.entries(templates)) {
    for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = match[1].slice(1).split('.');
      if (!schemaHasPath(schema, path)) problems.push(`${file}: .Values.${path.join('.')} is not in values.schema.json`);
    }
  }
  return problems;
}

function resolveRef(schema, node) {
  let current = node;
  while (current?.$ref) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    current = path.reduce((value, key) => value?.[key], schema);
  }
  return current;
}

function schemaHasPath(schema, path) {
  let node = schema;
  for (const key of path) {
    node = resolveRef(schema, node);
    if (node?.properties?.[key]) node = node.properties[key];
    else if (node?.additionalProperties && typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return false;
  }
  return true;
}

/** The image recipe keeps its promises: Nx prod build, pruned deps, tini, non-root, no HEALTHCHECK. */
export function checkDockerfile(text) {
  const problems = [];
  const expect = [
    [/npx nx build "\$\{APP\}" --prod/, 'builds the app with `nx build APP --prod`'],
    [/npm install --omit=dev/, 'installs only production dependencies'],
    [/dist\/apps\/\$\{APP\}\/package-lock\.json/, 'installs from the pruned lockfile'],
    [/ENTRYPOINT \["\/usr\/bin\/tini", "--"/, 'runs under tini'],
    [/ENTRYPOINT \[[^\]]*"\/usr\/local\/bin\/oms-node-start"/, 'start node through deploy/node-start.sh (heap bound from the memory limit)'],
    [/^USER 1000:1000$/m, 'runs as the numeric non-root user 1000'],
  ];
  for (const [pattern, what] of expect) if (!pattern.test(text)) problems.push(`Dockerfile: expected it to ${what}`);
  if (/^HEALTHCHECK/m.test(text)) problems.push('Dockerfile: no HEALTHCHECK (Compose and Kubernetes probe the ops port)');
  const userLine = text.split('\n').findIndex((line) => line.startsWith('USER '));
  const lastRun = text.split('\n').findLastIndex((line) => line.startsWith('RUN '));
  if (userLine !== -1 && lastRun > userLine) problems.push('Dockerfile: RUN after USER in the runtime stage');
  return problems;
}

/** Compose: every app probes its ops port and waits for the one-shot migrator. */
export function checkCompose(compose, apps) {
  const problems = [];
  const services = compose?.services ?? {};
  for (const app of apps) {
    const service = services[app];
    if (!service) {
      problems.push(`docker-compose.yml: no service ${app}`);
      continue;
    }
    const test = [].concat(service.healthcheck?.test ?? []).join(' ');
    if (!test.includes(':9090/')) problems.push(`docker-compose.yml: ${app} healthcheck does not probe the ops port 9090`);
    if (app !== 'partner-mocks' && service.depends_on?.migrator?.condition !== 'service_completed_successfully') {
      problems.push(`docker-compose.yml: ${app} must wait for migrator (service_completed_successfully)`);
    }
    if (service.read_only !== true) problems.push(`docker-compose.yml: ${app} should run with a read-only root filesystem`);
  }
  if (!services.migrator) problems.push('docker-compose.yml: no migrator service');
  for (const name of ['otel-collector', 'jaeger', 'prometheus', 'grafana']) {
    if (!services[name]?.profiles?.includes('observability')) problems.push(`docker-compose.yml: ${name} must be in profile observability`);
  }
  return problems;
}

/** Bare package names the bundle requires (node builtins and relative paths excluded). */
export function requiredPackages(bundle) {
  const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
  const names = new Set();
  for (const match of bundle.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const specifier = match[1];
    if (builtins.has(specifier) || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names].sort();
}


const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subset = (small = {}, big = {}) => Object.entries(small).every(([key, value]) => big[key] === value);

function seconds(duration) {
  const match = /^(\d+)s$/.exec(duration ?? '');
  return match ? Number(match[1]) : NaN;
}

/**
 * Invariants of one rendered release (`docs`: the manifests as objects), checked the way a
 * reviewer would read them: the pieces point at each other, probes use the ops endpoints, and
 * the grace period covers the drain. `index` is variableIndex() of libs/config. The generic
 * platform rules (non-root, read-only, resources, probes, images, PDB) are policy-checks.mjs.
 */
export function checkManifests(docs, index) {
  const problems = [];
  const byKind = (kind) => docs.filter((doc) => doc.kind === kind);
  for (const doc of docs) {
    if (!doc.apiVersion || !doc.kind || !doc.metadata?.name) problems.push(`a manifest lacks apiVersion, kind or name: ${JSON.stringify(doc).slice(0, 120)}`);
    else if (!DNS_LABEL.test(doc.metadata.name) || doc.metadata.name.length > 63) problems.push(`${doc.kind} name ${doc.metadata.name} is not a DNS label`);
  }
  const workloads = [...byKind('Deployment'), ...byKind('Rollout')];
  if (workloads.length !== 1) return [...problems, `expected one Deployment or Rollout, found ${workloads.length}`];
  const workload = workloads[0];
  const pod = workload.spec.template;
  const podLabels = pod.metadata?.labels ?? {};
  const container = pod.spec.containers?.[0] ?? {};
  const where = `${workload.kind} ${workload.metadata.name}`;
  const portNames = new Set((container.ports ?? []).map((port) => port.name));

  if (!subset(workload.spec.selector?.matchLabels, podLabels)) problems.push(`${where}: selector does not match the pod labels`);
  if (workload.kind === 'Deployment' && workload.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) {
    problems.push(`${where}: RollingUpdate must keep maxUnavailable 0`);
  }
  // Non-root, read-only, no privilege escalation, resources and probes: policy-checks.mjs.
  if (!container.securityContext?.capabilities?.drop?.includes('ALL')) problems.push(`${where}: container must drop all capabilities`);
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    if (container[probe] && container[probe].httpGet?.port !== 'metrics') problems.push(`${where}: ${probe} must use the ops port`);
  }
  if (container.readinessProbe?.httpGet?.path !== '/readyz') problems.push(`${where}: readiness must probe /readyz`);
  if (container.livenessProbe?.httpGet?.path !== '/livez') problems.push(`${where}: liveness must probe /livez`);

  const configMap = byKind('ConfigMap').find((doc) => doc.metadata.name === container.envFrom?.find((from) => from.configMapRef)?.configMapRef.name);
  if (!configMap) problems.push(`${where}: envFrom does not reference the release ConfigMap`);
  const data = configMap?.data ?? {};
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string') problems.push(`ConfigMap: ${name} is not a string`);
    if (!index.has(name) && !OTEL_VARIABLE.test(name)) problems.push(`ConfigMap: ${name} is not a variable of libs/config`);
  }
  const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
  const shutdown = seconds(data.OMS_SHUTDOWN_TIMEOUT);
  if (!(pod.spec.terminationGracePeriodSeconds > shutdown + preStop)) {
    problems.push(`${where}: terminationGracePeriodSeconds ${pod.spec.terminationGracePeriodSeconds} is not above OMS_SHUTDOWN_TIMEOUT ${shutdown}s + preStop ${preStop}s`);
  }
  if (data.OMS_METRICS_ADDR !== `:${container.ports?.find((port) => port.name === 'metrics')?.containerPort}`) {
    problems.push(`${where}: OMS_METRICS_ADDR does not match the metrics container port`);
  }
  for (const { name } of container.env ?? []) {
    if (!index.has(name) && !OTEL_VARIABLE.test(name) && !(name in NON_CONFIG_VARIABLES)) problems.push(`${where}: env ${name} is unknown`);
  }
  const volumes = new Set((pod.spec.volumes ?? []).map((volume) => volume.name));
  for (const mount of container.volumeMounts ?? []) if (!volumes.has(mount.name)) problems.push(`${where}: mount ${mount.name} has no volume`);
  if (!(container.volumeMounts ?? []).some((mount) => mount.mountPath === '/tmp')) problems.push(`${where}: /tmp must be a writable volume`);

  const services = byKind('Service');
  for (const service of services) {
    if (!subset(service.spec.selector, podLabels)) problems.push(`Service ${service.metadata.name}: selector does not match the pods`);
    for (const port of service.spec.ports ?? []) {
      if (!portNames.has(port.targetPort)) problems.push(`Service ${service.metadata.name}: targetPort ${port.targetPort} is not a container port`);
    }
  }
  const scalers = [...byKind('HorizontalPodAutoscaler'), ...byKind('ScaledObject')];
  if (scalers.length > 1) problems.push('both an HPA and a ScaledObject scale the workload');
  for (const scaler of scalers) {
    const target = scaler.spec.scaleTargetRef;
    if (target.kind !== workload.kind || target.name !== workload.metadata.name) problems.push(`${scaler.kind}: scaleTargetRef does not point at ${where}`);
  }
  if (scalers.length > 0 && workload.spec.replicas !== undefined) problems.push(`${where}: replicas must be left to the autoscaler`);
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!subset(pdb.spec.selector?.matchLabels, podLabels)) problems.push('PodDisruptionBudget: selector does not match the pods');
  }
  const policies = byKind('NetworkPolicy').filter((policy) => !policy.metadata.annotations?.['helm.sh/hook']);
  for (const policy of policies) {
    if (!subset(policy.spec.podSelector?.matchLabels, podLabels)) problems.push('NetworkPolicy: podSelector does not match the pods');
    if (!(policy.spec.policyTypes ?? []).includes('Ingress') || !(policy.spec.policyTypes ?? []).includes('Egress')) {
      problems.push('NetworkPolicy: must deny both directions by default');
    }
  }
  for (const ingress of byKind('Ingress')) {
    for (const rule of ingress.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service;
        const service = services.find((candidate) => candidate.metadata.name === backend.name);
        if (!service?.spec.ports?.some((port) => port.name === backend.port.name)) {
          problems.push(`Ingress ${ingress.metadata.name}: backend ${backend.name}:${backend.port.name} does not exist`);
        }
      }
    }
  }
  for (const job of byKind('Job')) {
    if (!String(job.metadata.annotations?.['helm.sh/hook'] ?? '').includes('pre-upgrade')) problems.push(`Job ${job.metadata.name}: must be a pre-install,pre-upgrade hook`);
  }
  if (workload.kind === 'Rollout') {
    const names = [
      ...(workload.spec.strategy.canary?.analysis?.templates ?? []),
      ...(workload.spec.strategy.blueGreen?.prePromotionAnalysis?.templates ?? []),
    ].map((template) => template.templateName);
    for (const name of names) {
      if (!byKind('AnalysisTemplate').some((template) => template.metadata.name === name)) problems.push(`Rollout: AnalysisTemplate ${name} is missing`);
    }
    const blueGreen = workload.spec.strategy.blueGreen;
    if (blueGreen && !services.some((service) => service.metadata.name === blueGreen.previewService)) problems.push('Rollout: the preview Service is missing');
  }
  return problems;
}
