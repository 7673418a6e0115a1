import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from './config.error';
import {
  buildConfig,
  conditionalIssues,
  CONFIG_SCHEMA,
  type ConfigValues,
  type VariableName,
  type VariableSpec,
} from './config.schema';
import { listenerClashes, type Listener } from './listener-clashes';
import type { OmsConfig } from './oms.config';

export type Environment = Readonly<Record<string, string | undefined>>;
export type ReadFile = (path: string) => string;

export interface LoadConfigOptions {
  /** Default of OMS_SERVICE_NAME: the app being started (`order-api`, `outbox-relay`, ...). */
  readonly appName?: string;
  /** Reads `*_FILE` secrets; defaults to a UTF-8 read from disk. */
  readonly readFile?: ReadFile;
  /**
   * The listeners the process opens (default all three): two of them on the same address is a
   * configuration error. A relay opens only `metrics`, so its OMS_HTTP_ADDR may be anything.
   */
  readonly listeners?: readonly Listener[];
}

export interface LoadedConfig {
  readonly config: OmsConfig;
  /** Non-fatal findings, such as OMS_* variables that nothing reads (likely typos). */
  readonly warnings: readonly string[];
}

const DEFAULT_APP_NAME = 'oms';
const ALL_LISTENERS: readonly Listener[] = ['http', 'grpc', 'metrics'];
/** Test-only variables read through libs/testing; not configuration of a process. */
/** OMS_* variables that are not the app's: test settings, and the image's start script (deploy/node-start.sh). */
const NOT_CONFIG_PREFIXES = ['OMS_TEST_', 'OMS_NODE_HEAP_'];

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Parses and validates the environment into a deeply frozen OmsConfig, collecting every
 * invalid variable before failing so that one error message lists them all.
 */
export function parseConfig(env: Environment, options: LoadConfigOptions | ReadFile = {}): LoadedConfig {
  const {
    appName = DEFAULT_APP_NAME,
    readFile = readUtf8,
    listeners = ALL_LISTENERS,
  } = typeof options === 'function' ? { readFile: options } : options;
  const issues: ConfigIssue[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};
  const explicitlySet = new Set<VariableName>();

  for (const name of Object.keys(CONFIG_SCHEMA) as VariableName[]) {
    const spec: VariableSpec<unknown> = CONFIG_SCHEMA[name];
    const raw = rawValue(name, spec, env, readFile, issues);
    // Set but refused (both it and its _FILE, or an unreadable file): one problem already says
    // so; the rules below must not add "is required" for the same variable.
    if (raw !== undefined) explicitlySet.add(name);
    if (raw === INVALID) continue;
    const source = raw ?? (typeof spec.default === 'function' ? spec.default({ appName }) : spec.default);
    if (source === undefined) {
      values[name] = undefined;
      continue;
    }
    try {
      values[name] = spec.parse(source);
    } catch (error) {
      const shown = spec.secret ? '' : ` (got "${oneLine(source)}")`;
      issues.push({ variable: name, reason: `${(error as Error).message}${shown}` });
    }
  }

  issues.push(...conditionalIssues(values as Partial<ConfigValues>, (name) => explicitlySet.has(name)));
  issues.push(...listenerClashes(values as Partial<ConfigValues>, listeners));
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    config: deepFreeze(buildConfig(values as ConfigValues)),
    warnings: deepFreeze(unknownVariableWarnings(env)),
  };
}

/** `loadConfig(process.env)`: the frozen config, or a ConfigError listing every invalid variable. */
export function loadConfig(env: Environment, options: LoadConfigOptions | ReadFile = {}): OmsConfig {
  return parseConfig(env, options).config;
}

/**
 * For main.ts: loads from process.env, prints warnings, and on invalid config prints the
 * message to stderr and exits 1 before anything starts listening.
 */
export function loadConfigOrExit(appName: string, env: Environment = process.env): OmsConfig {
  try {
    const { config, warnings } = parseConfig(env, { appName });
    for (const warning of warnings) console.warn(`${appName}: config warning: ${warning}`);
    return config;
  } catch (error) {
    console.error(`${appName}: ${error instanceof ConfigError ? error.message : String(error)}`);
    process.exit(1);
  }
}

const INVALID = Symbol('invalid');

/** The raw value of a variable from the environment or its `_FILE` variant; empty = unset. */
function rawValue(
  name: VariableName,
  spec: VariableSpec<unknown>,
  env: Environment,
  readFile: ReadFile,
  issues: ConfigIssue[],
): string | undefined | typeof INVALID {
  const direct = nonEmpty(env[name]);
  const fileName = `${name}_FILE`;
  const filePath = spec.fileVariant ? nonEmpty(env[fileName]) : undefined;
  if (direct !== undefined && filePath !== undefined) {
    issues.push({ variable: name, reason: `and ${fileName} are both set; set only one` });
    return INVALID;
  }
  if (filePath === undefined) return direct;
  try {
    // Secret files usually end with a newline (echo > file, kubectl create secret --from-file).
    return readFile(filePath).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    issues.push({ variable: fileName, reason: `cannot read "${filePath}"${code ? ` (${code})` : ''}` });
    return INVALID;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function oneLine(value: string): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

function unknownVariableWarnings(env: Environment): string[] {
  const known = new Set<string>();
  for (const [name, spec] of Object.entries(CONFIG_SCHEMA) as [string, VariableSpec<unknown>][]) {
    known.add(name);
    if (spec.fileVariant) known.add(`${name}_FILE`);
  }
  return Object.keys(env)
    .filter((name) => name.startsWith('OMS_') && !known.has(name))
    .filter((name) => !NOT_CONFIG_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort()
    .map((name) => `unknown variable ${name} is ignored`);
}

/** Freezes an object graph so no module can change the shared config at run time. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}
