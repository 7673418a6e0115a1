// Tests of the deployment checks: each check passes on the real files and fails on a
// broken copy, so a check that cannot fail would show here.
//   node --test tools/deploy-check/
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  checkAlertRules,
  checkCompose,
  checkDashboard,
  checkDockerfile,
  checkEnvironmentNames,
  checkManifests,
  checkMetricNames,
  checkTemplates,
  checkWorkflow,
  metricNamesIn,
  requiredPackages,
} from './checks.mjs';
import {
  APPS,
  CHART,
  ROOT,
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
    assert.match(ci, /nx affected -t lint test build/);
    assert.match(ci, /npm audit --audit-level=high/);
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

  it('reject an unclosed block, an undefined include and an undescribed value', () => {
    const problems = checkTemplates(
      { 'a.yaml': '{{- if .Values.hpa.enabled }}\n{{ include "oms.nope" . }}\n{{ .Values.hpa.maxReplica }}\n' },
      schema,
    );
    assert.equal(problems.length, 3, problems.join('\n'));
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

describe('rendered manifests', () => {
  let index;
  let renderer;
  before(async () => {
    index = variableIndex(await loadConfigVariables());
    renderer = ensureRenderer();
  });
  const render = (overrides = {}) => renderRelease(renderer, mergeValues(orderApi(), overrides), 'order-api');
  const workload = (docs) => docs.find((doc) => doc.kind === 'Deployment' || doc.kind === 'Rollout');

  it('order-api renders consistently', () => {
    const docs = render();
    assert.deepEqual(checkManifests(docs, index), []);
    const kinds = docs.map((doc) => doc.kind).sort();
    for (const kind of ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']) {
      assert.ok(kinds.includes(kind), kind);
    }
  });

  it('derives the addresses and the shutdown timeout from ports and shutdown', () => {
    const docs = render({ ports: { http: 8081 }, shutdown: { timeoutSeconds: 50, preStopSleepSeconds: 7, graceMarginSeconds: 3 } });
    const data = docs.find((doc) => doc.kind === 'ConfigMap').data;
    assert.equal(data.OMS_HTTP_ADDR, ':8081');
    assert.equal(data.OMS_SHUTDOWN_TIMEOUT, '50s');
    assert.equal(workload(docs).spec.template.spec.terminationGracePeriodSeconds, 60);
  });

  it('refuses to render without an app', () => {
    const values = orderApi();
    delete values.app;
    assert.throws(() => renderRelease(renderer, values, 'x'), /set app/);
  });

  const breakages = {
    'a writable root filesystem': (docs) => (workload(docs).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
    'a grace period below the drain': (docs) => (workload(docs).spec.template.spec.terminationGracePeriodSeconds = 20),
    'a Service port without a container port': (docs) => (docs.find((doc) => doc.kind === 'Service').spec.ports[0].targetPort = 'admin'),
    'an HPA aimed elsewhere': (docs) => (docs.find((doc) => doc.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'other'),
    'a NetworkPolicy that misses the pods': (docs) => (docs.find((doc) => doc.kind === 'NetworkPolicy' && !doc.metadata.annotations).spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'x'),
    'an unknown ConfigMap variable': (docs) => (docs.find((doc) => doc.kind === 'ConfigMap').data.OMS_TYPO = '1'),
    'liveness on the readiness endpoint': (docs) => (workload(docs).spec.template.spec.containers[0].livenessProbe.httpGet.path = '/readyz'),
  };
  for (const [what, breakIt] of Object.entries(breakages)) {
    it(`finds ${what}`, () => {
      const docs = render();
      breakIt(docs);
      assert.notDeepEqual(checkManifests(docs, index), []);
    });
  }
});
