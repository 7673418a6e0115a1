// Tests of the deployment checks: each check passes on the real files and fails on a
// broken copy, so a check that cannot fail would show here.
//   node --test tools/deploy-check/
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkAlertRules,
  checkCompose,
  checkDashboard,
  checkDockerfile,
  checkEnvironmentNames,
  checkManifests,
  checkMetricNames,
  checkSameDeployCheck,
  checkTemplates,
  checkWorkflow,
  metricNamesIn,
  requiredPackages,
} from './checks.mjs';
import { HELM_PINS, ensureHelm, ensureHelms } from './helm-binaries.mjs';
import { checkChart, helmLint, releaseMatrix, renderRelease } from './helm-chart.mjs';
import { KUBERNETES_VERSION, loadManifestValidator, schemaPackageVersions } from './kube-schemas.mjs';
import {
  APPS,
  CHART,
  ROOT,
  loadConfigVariables,
  loadSchemaValidator,
  mergeValues,
  readYaml,
  replacedLists,
  valuesCombinations,
  variableIndex,
} from './lib.mjs';
import { checkPolicies, imageProblem } from './policy-checks.mjs';

const read = (relative) => readFileSync(join(ROOT, relative), 'utf8');
const schema = JSON.parse(read('deploy/helm/oms/values.schema.json'));
const templates = Object.fromEntries(
  readdirSync(join(CHART, 'templates')).map((file) => [file, readFileSync(join(CHART, 'templates', file), 'utf8')]),
);
const orderApi = () => valuesCombinations().find((combo) => combo.name === 'order-api').values;

describe('mergeValues (Helm semantics)', () => {
  it('merges maps, replaces lists and scalars, deletes on null', () => {
    const merged = mergeValues(
      { a: { b: 1, c: [1, 2] }, d: 'x', e: true },
      { a: { c: [3] }, d: 'y' },
      { a: { b: null }, f: { g: 1 } },
    );
    assert.deepEqual(merged, { a: { c: [3] }, d: 'y', e: true, f: { g: 1 } });
  });

  it('does not share structure with its inputs', () => {
    const overlay = { list: [{ k: 1 }] };
    const merged = mergeValues({}, overlay);
    merged.list[0].k = 2;
    assert.equal(overlay.list[0].k, 1);
  });

  it('finds lists an overlay would silently replace', () => {
    assert.deepEqual(replacedLists({ a: { l: [1] }, m: [1] }, { a: { l: [2] }, n: [1] }), ['a.l']);
  });
});

describe('values.schema.json', () => {
  const validate = loadSchemaValidator();

  it('accepts every app file with and without each overlay', () => {
    const combos = valuesCombinations();
    assert.equal(combos.length, APPS.length * 3);
    for (const combo of combos) assert.deepEqual(validate(combo.values), [], combo.name);
  });

  it('rejects the base values alone (no app chosen)', () => {
    assert.ok(validate(readYaml(join(CHART, 'values.yaml'))).some((error) => error.includes('app')));
  });

  const broken = {
    'an unknown top-level key': (values) => ({ ...values, replicas: 3 }),
    'a typo in a nested key': (values) => ({ ...values, hpa: { ...values.hpa, maxReplica: 3 } }),
    'a writable root filesystem': (values) => ({ ...values, securityContext: { ...values.securityContext, readOnlyRootFilesystem: false } }),
    'running as root': (values) => ({ ...values, podSecurityContext: { ...values.podSecurityContext, runAsNonRoot: false } }),
    'a secret in env': (values) => ({ ...values, env: { ...values.env, OMS_POSTGRES_DSN: 'postgres://u:p@h/db' } }),
    'an address the chart derives': (values) => ({ ...values, env: { ...values.env, OMS_METRICS_ADDR: ':9999' } }),
    'an unquoted number in env': (values) => ({ ...values, env: { ...values.env, OMS_OUTBOX_BATCH_SIZE: 500 } }),
    'a variable outside the OMS namespace': (values) => ({ ...values, env: { ...values.env, DATABASE_URL: 'x' } }),
    'an unknown strategy': (values) => ({ ...values, strategy: { ...values.strategy, type: 'recreate' } }),
    'TLS without a secret': (values) => ({ ...values, grpcTls: { ...values.grpcTls, enabled: true, secretName: '' } }),
    'an unknown egress peer': (values) => ({ ...values, networkPolicy: { ...values.networkPolicy, egressTo: ['redis'] } }),
    'a secret file without a key': (values) => ({ ...values, secrets: { ...values.secrets, files: [{ env: 'OMS_POSTGRES_DSN', secretName: 's' }] } }),
    'the Kafka SASL password in env': (values) => ({ ...values, env: { ...values.env, OMS_KAFKA_SASL_PASSWORD: 'pw' } }),
    'Kafka TLS set in env instead of kafka.tls': (values) => ({ ...values, env: { ...values.env, OMS_KAFKA_TLS_ENABLED: 'true' } }),
    'a SASL mechanism without a password Secret': (values) => ({
      ...values,
      kafka: { ...values.kafka, sasl: { ...values.kafka.sasl, mechanism: 'scram-sha-512', username: 'oms', passwordSecret: { name: '', key: 'password' } } },
    }),
    'an unknown SASL mechanism': (values) => ({ ...values, kafka: { ...values.kafka, sasl: { ...values.kafka.sasl, mechanism: 'gssapi' } } }),
    'a Kafka client certificate without TLS or a Secret': (values) => ({ ...values, kafka: { ...values.kafka, tls: { ...values.kafka.tls, clientCertificate: true } } }),
  };
  for (const [what, mutate] of Object.entries(broken)) {
    it(`rejects ${what}`, () => {
      assert.notDeepEqual(validate(mutate(orderApi())), []);
    });
  }
});

describe('environment variable names', () => {
  let index;
  before(async () => {
    index = variableIndex(await loadConfigVariables());
  });

  it('loads the variables from libs/config', () => {
    for (const name of ['OMS_HTTP_ADDR', 'OMS_POSTGRES_DSN', 'KAFKA_BROKERS', 'LOG_LEVEL']) assert.ok(index.has(name), name);
    assert.equal(index.get('OMS_POSTGRES_DSN'), 'secret');
    assert.equal(index.get('OMS_POSTGRES_DSN_FILE'), 'file');
  });

  it('accepts the real values files, templates and compose file', () => {
    const valuesFiles = Object.fromEntries(
      [...APPS.map((app) => `${app}.yaml`), 'values-staging.yaml', 'values-prod.yaml'].map((file) => [
        file,
        readYaml(join(ROOT, 'deploy/helm/values', file)),
      ]),
    );
    assert.deepEqual(checkEnvironmentNames({ valuesFiles, templates, compose: readYaml(join(ROOT, 'docker-compose.yml')) }, index), []);
  });

  it('rejects a variable libs/config does not read', () => {
    const problems = checkEnvironmentNames({ valuesFiles: { 'x.yaml': { env: { OMS_OUTBOX_BATCHSIZE: '1' } } } }, index);
    assert.match(problems.join('\n'), /OMS_OUTBOX_BATCHSIZE is not a variable/);
  });

  it('rejects a secret set as a plain value, in values and in compose', () => {
    assert.equal(checkEnvironmentNames({ valuesFiles: { 'x.yaml': { migrations: { env: { OMS_POSTGRES_DSN: 'p' } } } } }, index).length, 1);
    assert.equal(checkEnvironmentNames({ compose: { services: { a: { environment: { OMS_POSTGRES_DSN: 'p' } } } } }, index).length, 1);
  });

  it('rejects a secret file for a variable without a _FILE variant', () => {
    const problems = checkEnvironmentNames(
      { valuesFiles: { 'x.yaml': { secrets: { files: [{ env: 'OMS_HTTP_ADDR', secretName: 's', key: 'k' }] } } } },
      index,
    );
    assert.match(problems.join('\n'), /no _FILE variant/);
  });

  it('rejects an unknown variable in a template and an unknown container env', () => {
    const problems = checkEnvironmentNames({ templates: { 't.yaml': 'OMS_NOPE: "1"\n- name: SOMETHING_ELSE\n- name: OTEL_SERVICE_NAME\n' } }, index);
    assert.equal(problems.length, 2, problems.join('\n'));
  });
});

describe('metric names', () => {
  it('reduces histogram series to their metric', () => {
    assert.deepEqual(metricNamesIn('rate(oms_http_request_duration_seconds_bucket[5m]) + oms_active_sagas'), [
      'oms_active_sagas',
      'oms_http_request_duration_seconds',
    ]);
  });

  it('accepts the real alerts and dashboard', () => {
    assert.deepEqual(checkMetricNames({ alerts: read('deploy/prometheus/alerts.yml'), dashboard: read('deploy/grafana/oms.json') }), []);
  });

  it('rejects a name the apps do not export', () => {
    assert.deepEqual(checkMetricNames({ alerts: 'expr: oms_orders_total > 1' }), ['alerts: unknown metric oms_orders_total']);
  });
});

describe('alert rules and dashboard', () => {
  it('accept the real files', () => {
    assert.deepEqual(checkAlertRules(readYaml(join(ROOT, 'deploy/prometheus/alerts.yml'))), []);
    assert.deepEqual(checkDashboard(JSON.parse(read('deploy/grafana/oms.json'))), []);
  });

  it('reject an alert without severity and an unbalanced expression', () => {
    const problems = checkAlertRules({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'sum(x', annotations: { summary: 's' } }] }] });
    assert.equal(problems.length, 2, problems.join('\n'));
  });

  it('reject a dashboard panel without a query', () => {
    assert.equal(checkDashboard({ uid: 'u', title: 't', panels: [{ type: 'timeseries', title: 'p', targets: [] }] }).length, 1);
  });
});

describe('workflows', () => {
  it('ci.yml and deploy.yml have the required jobs', () => {
    assert.deepEqual(
      checkWorkflow('ci.yml', readYaml(join(ROOT, '.github/workflows/ci.yml')), [
        'lint-test-build',
        'migration-gate',
        'migration-lint',
        'audit',
        'helm',
        'images',
      ]),
      [],
    );
    const deploy = readYaml(join(ROOT, '.github/workflows/deploy.yml'));
    assert.deepEqual(checkWorkflow('deploy.yml', deploy, ['staging', 'production']), []);
    assert.equal(deploy.jobs.production.environment.name, 'production');
    assert.deepEqual([].concat(deploy.jobs.production.needs), ['staging']);
  });

  it('ci.yml runs nx affected and the audit at level high', () => {
    const ci = read('.github/workflows/ci.yml');
    assert.match(ci, /nx affected -t lint test test-int build/);
    assert.match(ci, /npm audit --audit-level=high/);
  });

  it('.ci/run and the ci.yml helm job run the same deploy-check entry, and nothing else checks the chart there', () => {
    const ci = readYaml(join(ROOT, '.github/workflows/ci.yml'));
    assert.deepEqual(checkSameDeployCheck(read('.ci/run'), ci), []);
    ci.jobs.helm.steps.push({ uses: 'azure/setup-helm@v4' }, { run: 'helm template x deploy/helm/oms | kubeconform -strict' });
    assert.equal(checkSameDeployCheck('npm test\n', ci).length, 3);
  });

  it('reject a missing job and an unknown dependency', () => {
    const problems = checkWorkflow('w.yml', { on: { push: {} }, jobs: { a: { 'runs-on': 'x', steps: [], needs: ['zz'] } } }, ['b']);
    assert.equal(problems.length, 2, problems.join('\n'));
  });
});

describe('helm templates (static)', () => {
  it('accept the real chart', () => {
    assert.deepEqual(checkTemplates(templates, schema), []);
  });

  it('reject a value the schema does not describe', () => {
    const problems = checkTemplates({ 'a.yaml': '{{- if .Values.hpa.enabled }}\n{{ .Values.hpa.maxReplica }}\n{{- end }}\n' }, schema);
    assert.deepEqual(problems, ['a.yaml: .Values.hpa.maxReplica is not in values.schema.json']);
  });

  it('keep terminationGracePeriodSeconds above the shutdown timeout plus the preStop pause', () => {
    const helpers = templates['_helpers.tpl'];
    assert.match(helpers, /add \.Values\.shutdown\.preStopSleepSeconds \.Values\.shutdown\.timeoutSeconds \.Values\.shutdown\.graceMarginSeconds/);
    assert.ok(schema.properties.shutdown.properties.graceMarginSeconds.minimum >= 1);
  });
});

describe('Dockerfile and compose', () => {
  it('accept the real files', () => {
    assert.deepEqual(checkDockerfile(read('deploy/Dockerfile')), []);
    assert.deepEqual(checkCompose(readYaml(join(ROOT, 'docker-compose.yml')), APPS), []);
  });

  it('reject a HEALTHCHECK and a root user', () => {
    const problems = checkDockerfile(read('deploy/Dockerfile').replace('USER 1000:1000', 'USER root') + '\nHEALTHCHECK CMD true\n');
    assert.equal(problems.length, 2, problems.join('\n'));
  });

  it('reject an app that does not wait for the migrator', () => {
    const compose = readYaml(join(ROOT, 'docker-compose.yml'));
    delete compose.services['order-api'].depends_on.migrator;
    assert.match(checkCompose(compose, APPS).join('\n'), /order-api must wait for migrator/);
  });
});

describe('requiredPackages', () => {
  it('lists bare packages, not builtins or relative paths', () => {
    const bundle = 'require("fs");require("node:path");require("./x");require("@nestjs/common/utils");require("pg")';
    assert.deepEqual(requiredPackages(bundle), ['@nestjs/common', 'pg']);
  });
});

describe('helm binaries', () => {
  it('pins one Helm 3 and one Helm 4, each with a package integrity and a binary SHA-256', () => {
    assert.deepEqual(HELM_PINS.map((pin) => pin.version.split('.')[0]), ['3', '4']);
    for (const pin of HELM_PINS) {
      assert.match(pin.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
      assert.match(pin.sha256, /^[a-f0-9]{64}$/);
    }
  });

  it('are the versions docs/deploy.md states, with the Kubernetes version', () => {
    const docs = read('docs/deploy.md');
    for (const pin of HELM_PINS) assert.ok(docs.includes(`${pin.label} (${pin.version})`), `docs/deploy.md does not name ${pin.label} (${pin.version})`);
    assert.ok(docs.includes(`Kubernetes ${KUBERNETES_VERSION.replace(/\.0$/, '')}`), `docs/deploy.md does not name Kubernetes ${KUBERNETES_VERSION}`);
  });

  it('refuse a cached binary whose checksum is not the pinned one', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'oms-deploy-check-cache-'));
    try {
      const pin = HELM_PINS[0];
      mkdirSync(join(cache, `helm-${pin.version}`));
      writeFileSync(join(cache, `helm-${pin.version}`, 'helm'), '#!/bin/sh\necho v3.17.1\n', { mode: 0o755 });
      await assert.rejects(ensureHelm(pin, cache), /SHA-256 [a-f0-9]{64} is not the pinned/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes schemas', () => {
  const validate = loadManifestValidator();
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i:1', resources: { requests: { cpu: 1 } } }] } },
    },
  });

  it('validate against the minimum Kubernetes release, from kubernetes-types of that release', () => {
    assert.equal(schemaPackageVersions()['kubernetes-types'], KUBERNETES_VERSION);
    assert.deepEqual(validate(deployment()), []);
  });

  it('reject an unknown field, a wrong type and a missing required field, naming the object and the field', () => {
    const doc = deployment();
    doc.spec.template.spec.containers[0].imagePullPolice = 'Always';
    doc.spec.replicas = 'two';
    delete doc.spec.selector;
    assert.deepEqual(
      validate(doc).sort(),
      [
        'Deployment d /spec: missing required field "selector"',
        'Deployment d /spec/replicas: must be number',
        'Deployment d /spec/template/spec/containers/0: unknown field "imagePullPolice"',
      ].sort(),
    );
  });

  it('check the CRDs strictly too, and a Rollout pod template as a Kubernetes pod template', () => {
    const scaledObject = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's' }, spec: { scaleTargetRef: { name: 'd' }, triggers: [{ type: 'kafka', metadata: { lagThreshold: 500 } }], minReplicas: 2 } };
    assert.deepEqual(
      validate(scaledObject).sort(),
      ['ScaledObject s /spec: unknown field "minReplicas"', 'ScaledObject s /spec/triggers/0/metadata/lagThreshold: must be string'].sort(),
    );
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { selector: {}, template: deployment().spec.template } };
    rollout.spec.template.spec.containers[0].readinesProbe = {};
    assert.ok(validate(rollout).some((problem) => problem.includes(`as a Kubernetes ${KUBERNETES_VERSION} PodTemplateSpec`) && problem.includes('readinesProbe')));
  });

  it('refuse a kind without a schema', () => {
    assert.match(validate({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })[0], /Secret s: no schema for v1\/Secret/);
  });
});

describe('policy checks', () => {
  const release = () => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
            containers: [
              {
                name: 'web',
                image: 'ghcr.io/acme/web:1.2.3',
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 9090 } },
                livenessProbe: { httpGet: { path: '/livez', port: 9090 } },
              },
            ],
          },
        },
      },
    },
  ];
  const container = (docs) => docs[0].spec.template.spec.containers[0];

  it('accept a locked-down, pinned, probed workload', () => {
    assert.deepEqual(checkPolicies(release()), []);
  });

  const violations = {
    'a root user': [(docs) => (docs[0].spec.template.spec.securityContext = { runAsUser: 0 }), /container web: must run as non-root[\s\S]*runs as UID 0/],
    'a writable root filesystem': [(docs) => delete container(docs).securityContext.readOnlyRootFilesystem, /Deployment web, container web: root filesystem must be read-only/],
    'privilege escalation': [(docs) => (container(docs).securityContext.allowPrivilegeEscalation = true), /container web: must not allow privilege escalation/],
    'missing resources': [(docs) => delete container(docs).resources.limits, /container web: must set resources\.limits\.memory/],
    'a missing probe': [(docs) => delete container(docs).livenessProbe, /container web: needs a livenessProbe/],
    'the latest tag': [(docs) => (container(docs).image = 'ghcr.io/acme/web:latest'), /image ghcr\.io\/acme\/web:latest uses the latest tag/],
    'an untagged image': [(docs) => (container(docs).image = 'registry:5000/acme/web'), /image registry:5000\/acme\/web has no tag/],
    'two replicas without a PDB': [(docs) => (docs[0].spec.replicas = 2), /Deployment web: runs 2 replicas \(spec\.replicas\) but no PodDisruptionBudget/],
    'an HPA minimum above one without a PDB': [
      (docs) => docs.push({ kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3 } }),
      /runs 3 replicas \(HorizontalPodAutoscaler web minReplicas\)/,
    ],
  };
  for (const [what, [breakIt, message]] of Object.entries(violations)) {
    it(`reject ${what}`, () => {
      const docs = release();
      breakIt(docs);
      assert.match(checkPolicies(docs).join('\n'), message);
    });
  }

  it('accept several replicas with a PDB, a digest, and a Job without probes', () => {
    const docs = release();
    docs[0].spec.replicas = 3;
    container(docs).image = `acme/web@sha256:${'a'.repeat(64)}`;
    docs.push({ kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } } } });
    const job = structuredClone(docs[0]);
    Object.assign(job, { kind: 'Job', metadata: { name: 'migrate' } });
    delete job.spec.template.spec.containers[0].livenessProbe;
    docs.push(job);
    assert.deepEqual(checkPolicies(docs), []);
    assert.equal(imageProblem('acme/web:1.0'), null);
  });
});

describe('the chart through the real helm (Helm 3 and Helm 4)', () => {
  let helms;
  let validate;
  let copies;
  before(async () => {
    helms = await ensureHelms();
    validate = loadManifestValidator();
    copies = mkdtempSync(join(tmpdir(), 'oms-deploy-check-chart-'));
  });
  after(() => rmSync(copies, { recursive: true, force: true }));

  /** A temporary copy of the chart with `edit(file text)` applied to one template. */
  const brokenChart = (file, edit) => {
    const chart = mkdtempSync(join(copies, 'oms-'));
    cpSync(CHART, chart, { recursive: true });
    const path = join(chart, 'templates', file);
    const text = readFileSync(path, 'utf8');
    const edited = edit(text);
    assert.notEqual(edited, text, `the edit of ${file} changed nothing`);
    writeFileSync(path, edited);
    return chart;
  };
  // order-api in every strategy, and the relay in production (KEDA ScaledObject, ServiceMonitor).
  const releases = () => [
    ...releaseMatrix({ apps: ['order-api'], overlays: [null] }),
    ...releaseMatrix({ apps: ['outbox-relay'], overlays: ['values-prod.yaml'], strategies: ['rolling'] }),
  ];
  const failures = (result) => ['lint', 'render', 'schema', 'policy', 'manifests'].flatMap((stage) => result[stage].map((line) => `${stage}: ${line}`));

  it('pass on the clean chart', async () => {
    const result = await checkChart({ helms, releases: releases(), validate });
    assert.deepEqual(failures(result), []);
    assert.equal(result.renders, releases().length * helms.length);
  });

  it('fail schema validation on an unknown field injected into the Deployment template', async () => {
    const chart = brokenChart('deployment.yaml', (text) => text.replace('  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  progressDeadline: 600\n'));
    const result = await checkChart({ chart, helms, releases: releases(), validate });
    assert.deepEqual(result.lint, [], 'helm itself accepts the unknown field');
    // Only the rolling releases render a Deployment; canary and blue-green render a Rollout.
    assert.deepEqual(result.schema, [
      'Deployment order-api /spec: unknown field "progressDeadline" [order-api, rolling]',
      'Deployment outbox-relay /spec: unknown field "progressDeadline" [outbox-relay + values-prod.yaml, rolling]',
    ]);
  });

  it('fail schema validation on a wrong type in the Deployment template', async () => {
    const chart = brokenChart('deployment.yaml', (text) => text.replace('revisionHistoryLimit: 5', 'revisionHistoryLimit: "5"'));
    const result = await checkChart({ chart, helms, releases: releases(), validate });
    assert.deepEqual(result.schema, [
      'Deployment order-api /spec/revisionHistoryLimit: must be number [order-api, rolling]',
      'Deployment outbox-relay /spec/revisionHistoryLimit: must be number [outbox-relay + values-prod.yaml, rolling]',
    ]);
  });

  it('fail the policy checks on a latest image and on replicas without a disruption budget', async () => {
    const chart = brokenChart('_helpers.tpl', (text) => text.replace('image: {{ include "oms.image" . }}', 'image: {{ printf "oms/%s:latest" (include "oms.app" .) }}'));
    const result = await checkChart({ chart, helms, releases: releaseMatrix({ apps: ['order-api'], overlays: [null], strategies: ['rolling'] }), validate });
    assert.deepEqual(result.policy, ['Deployment order-api, container order-api: image oms/order-api:latest uses the latest tag; pin a version tag or a digest [order-api, rolling]']);

    const withoutPdb = [{ ...releaseMatrix({ apps: ['saga-orchestrator'], overlays: [null], strategies: ['canary'] })[0], values: { strategy: { type: 'canary' }, pdb: { enabled: false } } }];
    const unprotected = await checkChart({ helms, releases: withoutPdb, validate });
    assert.match(unprotected.policy.join('\n'), /Rollout saga-orchestrator: runs 2 replicas \(HorizontalPodAutoscaler saga-orchestrator minReplicas\) but no PodDisruptionBudget/);
  });

  it('fail when the two helm versions render different manifests', async () => {
    // A stand-in for a second helm: the real Helm 4 with one line appended to its templates.
    const wrapper = join(copies, 'helm-differs');
    writeFileSync(wrapper, `#!/bin/sh\n"${helms[1].path}" "$@" || exit $?\n[ "$1" = template ] && echo "# extra"\nexit 0\n`, { mode: 0o755 });
    const spec = releaseMatrix({ apps: ['order-api'], overlays: [null], strategies: ['rolling'] });
    const result = await checkChart({ helms: [helms[0], { ...helms[1], label: 'Other helm', path: wrapper }], releases: spec, validate });
    assert.match(result.render.join('\n'), /Other helm 4\.1\.4 renders other manifests than Helm 3 3\.17\.1, from line \d+: "# extra" instead of ""/);
  });

  it('fail helm lint on a template error (an unclosed block), with both helm versions', async () => {
    const chart = brokenChart('pdb.yaml', (text) => text.replace(/\{\{- end \}\}\s*$/, ''));
    const spec = releaseMatrix({ apps: ['order-api'], overlays: [null], strategies: ['rolling'] })[0];
    for (const helm of helms) {
      assert.match((await helmLint(helm, chart, spec)).join('\n'), /\[ERROR\] templates\/: parse error at \(oms\/templates\/pdb\.yaml:\d+\): unexpected EOF/, helm.label);
    }
  });
});

describe('rendered manifests', () => {
  let index;
  let helm;
  before(async () => {
    index = variableIndex(await loadConfigVariables());
    [helm] = await ensureHelms();
  });
  const render = (values = {}) => renderRelease(helm, { release: 'order-api', values });
  const workload = (docs) => docs.find((doc) => doc.kind === 'Deployment' || doc.kind === 'Rollout');

  it('order-api renders consistently', async () => {
    const docs = await render();
    assert.deepEqual(checkManifests(docs, index), []);
    const kinds = docs.map((doc) => doc.kind).sort();
    for (const kind of ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']) {
      assert.ok(kinds.includes(kind), kind);
    }
  });

  it('derives the addresses and the shutdown timeout from ports and shutdown', async () => {
    const docs = await render({ ports: { http: 8081 }, shutdown: { timeoutSeconds: 50, preStopSleepSeconds: 7, graceMarginSeconds: 3 } });
    const data = docs.find((doc) => doc.kind === 'ConfigMap').data;
    assert.equal(data.OMS_HTTP_ADDR, ':8081');
    assert.equal(data.OMS_SHUTDOWN_TIMEOUT, '50s');
    assert.equal(workload(docs).spec.template.spec.terminationGracePeriodSeconds, 60);
  });

  it('refuses to render without an app', async () => {
    // values.schema.json requires it before the template's `required` would.
    await assert.rejects(renderRelease(helm, { release: 'x', valuesFiles: [] }), /app is required/);
  });

  const breakages = {
    'capabilities not dropped': (docs) => (workload(docs).spec.template.spec.containers[0].securityContext.capabilities.drop = []),
    'a grace period below the drain': (docs) => (workload(docs).spec.template.spec.terminationGracePeriodSeconds = 20),
    'a Service port without a container port': (docs) => (docs.find((doc) => doc.kind === 'Service').spec.ports[0].targetPort = 'admin'),
    'an HPA aimed elsewhere': (docs) => (docs.find((doc) => doc.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'other'),
    'a NetworkPolicy that misses the pods': (docs) => (docs.find((doc) => doc.kind === 'NetworkPolicy' && !doc.metadata.annotations).spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'x'),
    'an unknown ConfigMap variable': (docs) => (docs.find((doc) => doc.kind === 'ConfigMap').data.OMS_TYPO = '1'),
    'liveness on the readiness endpoint': (docs) => (workload(docs).spec.template.spec.containers[0].livenessProbe.httpGet.path = '/readyz'),
  };
  for (const [what, breakIt] of Object.entries(breakages)) {
    it(`finds ${what}`, async () => {
      const docs = await render();
      breakIt(docs);
      assert.notDeepEqual(checkManifests(docs, index), []);
    });
  }
});
