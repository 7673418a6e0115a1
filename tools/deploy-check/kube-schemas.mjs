// Offline schema validation of rendered manifests: strict JSON schemas (unknown fields, wrong
// types and missing required fields fail) generated with ts-json-schema-generator from typed
// API packages: kubernetes-types (the API of one Kubernetes release, generated from its
// OpenAPI document) for built-in kinds, @kubernetes-models/* for the CRDs the chart can emit.
// Why not kubeconform or `kubectl --validate`: docs/adr/0015-helm-from-pinned-npm-packages.md.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv';
import { ROOT } from './lib.mjs';

/** The oldest Kubernetes release OMS supports; docs/deploy.md states it. */
export const KUBERNETES_VERSION = '1.30.0';

/** The CRDs the chart can emit, as `helm template --api-versions` takes them. */
export const CRD_API_VERSIONS = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'keda.sh/v1alpha1/ScaledObject',
  'argoproj.io/v1alpha1/Rollout',
  'argoproj.io/v1alpha1/AnalysisTemplate',
];

/** apiVersion/kind -> [module, exported type]. A kind missing here fails validation. */
const KINDS = {
  'v1/ConfigMap': ['kubernetes-types/core/v1', 'ConfigMap'],
  'v1/Service': ['kubernetes-types/core/v1', 'Service'],
  'v1/ServiceAccount': ['kubernetes-types/core/v1', 'ServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-types/apps/v1', 'Deployment'],
  'batch/v1/Job': ['kubernetes-types/batch/v1', 'Job'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-types/autoscaling/v2', 'HorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-types/policy/v1', 'PodDisruptionBudget'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-types/networking/v1', 'NetworkPolicy'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-types/networking/v1', 'Ingress'],
  'argoproj.io/v1alpha1/Rollout': ['@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout', 'IRollout'],
  'argoproj.io/v1alpha1/AnalysisTemplate': ['@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate', 'IAnalysisTemplate'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', 'IScaledObject'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'IServiceMonitor'],
};

/** A Rollout embeds a pod template: it must be valid on the minimum Kubernetes release too. */
const POD_TEMPLATE = ['kubernetes-types/core/v1', 'PodTemplateSpec'];

/** Packages whose versions decide the schemas (and the cache key). */
export const SCHEMA_PACKAGES = [
  'kubernetes-types',
  '@kubernetes-models/argo-rollouts',
  '@kubernetes-models/keda',
  '@kubernetes-models/prometheus-operator',
  'kubernetes-models',
  'ts-json-schema-generator',
];

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const packageVersion = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

export function schemaPackageVersions() {
  return Object.fromEntries(SCHEMA_PACKAGES.map((name) => [name, packageVersion(name)]));
}

const alias = (key) => `K_${key.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * Quantities ("500m", "1Gi") are strings in kubernetes-types, but the API server also takes a
 * JSON number (`cpu: 1`), as its OpenAPI document says (int-or-string); widened so a valid
 * manifest does not fail.
 */
function widenQuantities(schema) {
  for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
    if (/Quantity$/.test(name) && definition.type === 'string') schema.definitions[name] = { type: ['string', 'number'] };
  }
  return schema;
}

/**
 * Generates { group: schema } where each kind is `#/definitions/<alias>` of its group: the
 * built-in kinds share one schema (one copy of PodSpec to compile), each CRD has its own
 * because the CRD packages reuse type names (e.g. IConditionType) across APIs.
 */
function generateSchemas(cacheDir) {
  const { createGenerator } = requireFromRoot('ts-json-schema-generator');
  const entries = { ...KINDS, PodTemplateSpec: POD_TEMPLATE };
  const builtIn = Object.keys(entries).filter((key) => entries[key][0].startsWith('kubernetes-types/'));
  const modules = [...new Set(Object.values(entries).map(([from]) => from))];
  const source = [
    ...modules.map((from, index) => `import type * as m${index} from '${from}';`),
    ...Object.entries(entries).map(([key, [from, type]]) => `export type ${alias(key)} = m${modules.indexOf(from)}.${type};`),
    `export interface K_builtIn { ${builtIn.map((key) => `${alias(key)}: ${alias(key)};`).join(' ')} }`,
  ];
  // The entry file sits in the workspace (not under node_modules, which the generator does not
  // search for root types) so its imports resolve from the workspace packages.
  const entry = join(cacheDir, `kinds-${process.pid}.ts`);
  const tsconfig = join(cacheDir, `tsconfig-${process.pid}.json`);
  writeFileSync(entry, `${source.join('\n')}\n`);
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }, files: [entry] }));
  try {
    const generator = createGenerator({ path: entry, tsconfig, expose: 'all', topRef: true, jsDoc: 'none', additionalProperties: false, skipTypeCheck: true });
    const groups = { builtIn: widenQuantities(generator.createSchema('K_builtIn')) };
    for (const key of Object.keys(entries).filter((key) => !builtIn.includes(key))) groups[key] = widenQuantities(generator.createSchema(alias(key)));
    return { groups, kinds: Object.fromEntries(Object.keys(entries).map((key) => [key, builtIn.includes(key) ? 'builtIn' : key])) };
  } finally {
    rmSync(entry, { force: true });
    rmSync(tsconfig, { force: true });
  }
}

/** The generated schemas, cached in tmp/ (git-ignored) per package versions and this file. */
export function loadKubeSchemas() {
  const installed = packageVersion('kubernetes-types');
  if (installed !== KUBERNETES_VERSION) {
    throw new Error(`kubernetes-types ${installed} is installed but KUBERNETES_VERSION is ${KUBERNETES_VERSION}; keep them equal`);
  }
  const cacheDir = join(ROOT, 'tmp/deploy-check');
  mkdirSync(cacheDir, { recursive: true });
  const key = createHash('sha256')
    .update(readFileSync(new URL(import.meta.url)))
    .update(JSON.stringify(schemaPackageVersions()))
    .digest('hex')
    .slice(0, 16);
  const cached = join(cacheDir, `kube-schemas-${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const schemas = generateSchemas(cacheDir);
  for (const file of readdirSync(cacheDir)) if (/^kube-schemas-.*\.json$/.test(file)) rmSync(join(cacheDir, file), { force: true });
  writeFileSync(cached, JSON.stringify(schemas));
  return schemas;
}

function formatError(error) {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') return `${path}: unknown field "${error.params.additionalProperty}"`;
  if (error.keyword === 'required') return `${path}: missing required field "${error.params.missingProperty}"`;
  if (error.keyword === 'type') return `${path}: must be ${[].concat(error.params.type).join(' or ')}`;
  if (error.keyword === 'const' || error.keyword === 'enum') return `${path}: ${error.message} (${JSON.stringify(error.params.allowedValue ?? error.params.allowedValues)})`;
  return `${path}: ${error.message}`;
}

/**
 * Returns `validate(doc)`: the problems of one manifest against the schema of its
 * apiVersion/kind, each naming the object and the field.
 */
export function loadManifestValidator(schemas = loadKubeSchemas()) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [group, schema] of Object.entries(schemas.groups)) ajv.addSchema({ ...schema, $id: group });
  const compiled = Object.fromEntries(
    Object.entries(schemas.kinds).map(([key, group]) => [key, ajv.getSchema(`${group}#/definitions/${alias(key)}`)]),
  );
  const run = (validate, value, where) =>
    validate(value) ? [] : [...new Set(validate.errors.filter((error) => error.keyword !== 'anyOf').map((error) => `${where} ${formatError(error)}`))];
  return (doc) => {
    const where = `${doc?.kind ?? '?'} ${doc?.metadata?.name ?? '?'}`;
    const validate = compiled[`${doc?.apiVersion}/${doc?.kind}`];
    if (!validate) return [`${where}: no schema for ${doc?.apiVersion}/${doc?.kind} (add it to KINDS in tools/deploy-check/kube-schemas.mjs)`];
    const problems = run(validate, doc, where);
    if (doc.kind === 'Rollout' && doc.spec?.template) {
      problems.push(...run(compiled.PodTemplateSpec, doc.spec.template, `${where} spec.template (as a Kubernetes ${KUBERNETES_VERSION} PodTemplateSpec)`));
    }
    return problems;
  };
}
