// Shared helpers of the deployment checks: YAML loading, Helm-style values merging,
// schema validation and the variable list of libs/config.
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART = join(ROOT, 'deploy/helm/oms');
export const VALUES_DIR = join(ROOT, 'deploy/helm/values');
export const APPS = ['order-api', 'outbox-relay', 'saga-orchestrator', 'partner-mocks'];
export const OVERLAYS = ['values-staging.yaml', 'values-prod.yaml'];

export function readYaml(path) {
  const text = readFileSync(path, 'utf8');
  // merge: compose files share settings through `<<: *anchor`.
  const docs = parseAllDocuments(text, { merge: true });
  const errors = docs.flatMap((doc) => doc.errors.map((error) => error.message));
  if (errors.length > 0) throw new Error(`${path}: ${errors.join('; ')}`);
  if (docs.length !== 1) throw new Error(`${path}: expected one YAML document, found ${docs.length}`);
  return docs[0].toJS() ?? {};
}

export function parseYamlText(text) {
  return parseYaml(text);
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges values files the way Helm does: maps merge key by key, everything else (lists,
 * scalars) is replaced by the later file, and null deletes the key.
 */
export function mergeValues(...layers) {
  return layers.reduce((merged, layer) => mergeTwo(merged, layer ?? {}), {});
}

function mergeTwo(base, override) {
  const result = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = mergeTwo(result[key], value);
    } else {
      result[key] = structuredClone(value);
    }
  }
  return result;
}

export function loadSchemaValidator(schemaPath = join(CHART, 'values.schema.json')) {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  return (values) => {
    const ok = validate(values);
    return ok ? [] : validate.errors.map((error) => `${error.instancePath || '/'} ${error.message}${formatParams(error)}`);
  };
}

function formatParams(error) {
  if (error.keyword === 'additionalProperties') return ` (${error.params.additionalProperty})`;
  if (error.keyword === 'enum') return ` (${error.params.allowedValues.join(', ')})`;
  if (error.keyword === 'propertyNames') return ` (${error.params.propertyName})`;
  return '';
}

/** Every release combination CI deploys: base + app, and base + app + each overlay. */
export function valuesCombinations() {
  const base = readYaml(join(CHART, 'values.yaml'));
  const combos = [];
  for (const app of APPS) {
    const appFile = `deploy/helm/values/${app}.yaml`;
    const appValues = readYaml(join(ROOT, appFile));
    combos.push({ name: `${app}`, files: [appFile], values: mergeValues(base, appValues), layers: [appValues] });
    for (const overlay of OVERLAYS) {
      const overlayFile = `deploy/helm/values/${overlay}`;
      const overlayValues = readYaml(join(ROOT, overlayFile));
      combos.push({
        name: `${app} + ${overlay}`,
        files: [appFile, overlayFile],
        values: mergeValues(base, appValues, overlayValues),
        layers: [appValues, overlayValues],
      });
    }
  }
  return combos;
}

/** Paths (a.b.c) where a later layer replaces a list an earlier layer set: a silent loss. */
export function replacedLists(earlier, later, path = '') {
  const found = [];
  for (const [key, value] of Object.entries(later ?? {})) {
    const here = path ? `${path}.${key}` : key;
    const before = earlier?.[key];
    if (Array.isArray(value) && Array.isArray(before)) found.push(here);
    else if (isPlainObject(value) && isPlainObject(before)) found.push(...replacedLists(before, value, here));
  }
  return found;
}

/**
 * Loads a workspace TypeScript entry point (bundled on the fly with esbuild, which the
 * workspace already uses for the apps); packages resolve from the workspace node_modules.
 */
export async function loadWorkspaceModule(relativeEntry) {
  const entry = join(ROOT, relativeEntry);
  const require = createRequire(join(ROOT, 'package.json'));
  const esbuild = require('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'oms-deploy-check-'));
  try {
    const outfile = join(dir, 'module.cjs');
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      absWorkingDir: ROOT,
      tsconfig: join(ROOT, 'tsconfig.base.json'),
      logLevel: 'silent',
    });
    const load = createRequire(entry);
    const moduleObject = { exports: {} };
    const source = readFileSync(outfile, 'utf8');
    new Function('module', 'exports', 'require', '__filename', '__dirname', source)(
      moduleObject,
      moduleObject.exports,
      load,
      outfile,
      dir,
    );
    return moduleObject.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The variables libs/config reads, from its public `configVariables()`. */
export async function loadConfigVariables() {
  const { configVariables } = await loadWorkspaceModule('libs/config/src/index.ts');
  if (typeof configVariables !== 'function') throw new Error('@oms/config does not export configVariables()');
  return configVariables().map((variable) => ({ ...variable }));
}

/** name -> kind: 'plain' | 'secret' | 'file' (the _FILE variant of a variable). */
export function variableIndex(variables) {
  const index = new Map();
  for (const variable of variables) {
    index.set(variable.name, variable.secret ? 'secret' : 'plain');
    if (variable.fileVariable) index.set(variable.fileVariable, 'file');
  }
  return index;
}

export function fileExists(relative) {
  return existsSync(join(ROOT, relative));
}
