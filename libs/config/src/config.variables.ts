import { CONFIG_SCHEMA, type VariableSpec } from './config.schema';

/** Public description of one variable, for docs and deployment checks (Helm values). */
export interface ConfigVariable {
  readonly name: string;
  /** The default as written in the environment, or undefined when unset by default. */
  readonly default: string | undefined;
  readonly description: string;
  readonly secret: boolean;
  /** `<name>_FILE` when the value may be read from a file instead. */
  readonly fileVariable: string | undefined;
}

/** Every variable OMS reads, in schema order. */
export function configVariables(): readonly ConfigVariable[] {
  return (Object.entries(CONFIG_SCHEMA) as [string, VariableSpec<unknown>][]).map(([name, spec]) => ({
    name,
    default: typeof spec.default === 'function' ? spec.defaultDoc : spec.default,
    description: spec.description,
    secret: spec.secret,
    fileVariable: spec.fileVariant ? `${name}_FILE` : undefined,
  }));
}

/** docs/configuration.md, generated from the schema (a spec fails when the file is stale). */
export function renderConfigurationDoc(): string {
  const rows = configVariables().map((variable) => {
    const name = variable.fileVariable ? `\`${variable.name}\`<br>\`${variable.fileVariable}\`` : `\`${variable.name}\``;
    const fallback =
      variable.default === undefined ? '(unset)' : CONFIG_SCHEMA_COMPUTED.has(variable.name) ? `(${variable.default})` : `\`${variable.default}\``;
    return `| ${name} | ${fallback} | ${variable.secret ? 'yes' : ''} | ${variable.description.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from libs/config/src/config.schema.ts. Do not edit by hand: run',
    '     `OMS_WRITE_CONFIG_DOC=1 npx jest -c libs/config/jest.config.cjs config.variables` to refresh. -->',
    '',
    'Every OMS process reads its configuration from environment variables once at start-up',
    '(names and defaults follow the Go OMS). An invalid value stops start-up with exit code 1',
    '(the migrator: 2) and one message listing every invalid variable, as a JSON log line on',
    'stderr (readable text when stderr is a terminal). Empty values count as unset. OMS_*',
    'variables that nothing reads are reported as warnings (likely typos).',
    '',
    'Formats:',
    '',
    '- durations: `50ms`, `10s`, `10m`, `1h`, `1h30m`, `0` (units ns, us, ms, s, m, h; whole milliseconds)',
    '- sizes: `512kb`, `1mb`, `1gb` or bytes (binary multiples)',
    '- listen addresses: `:8080` (all interfaces), `127.0.0.1:8080`, `[::1]:8080`; port 0 = any free port',
    '- booleans: `true`, `false`, `1`, `0`',
    '- secrets: a variable with a `_FILE` variant may instead name a file holding the value',
    '  (a trailing newline is removed); setting both is an error. Secret values are never',
    '  printed in errors, logs or `/healthz`.',
    '',
    'Conditional rules: `OMS_POSTGRES_DSN` is required when `OMS_STORAGE_DRIVER=postgres`;',
    '`KAFKA_BROKERS` is required when `OMS_BROKER_DRIVER=kafka`; the gRPC TLS key and',
    'certificate go together, and a client CA (mutual TLS) needs them. Kafka: the other',
    '`OMS_KAFKA_TLS_*` variables need `OMS_KAFKA_TLS_ENABLED=true`, its client certificate and key',
    'go together; `OMS_KAFKA_SASL_MECHANISM` needs the user name and password and they need it; a',
    "topic's `MIN_INSYNC_REPLICAS` may not exceed its `REPLICATION_FACTOR`. `OMS_INBOX_RETENTION`, when set,",
    'may not be below `OMS_KAFKA_ORDERS_RETENTION` nor `OMS_KAFKA_DLQ_RETENTION`. The listeners a process',
    'opens (`OMS_HTTP_ADDR`, `OMS_GRPC_ADDR`, `OMS_METRICS_ADDR`) must not share an address:',
    '`:8080` clashes with `127.0.0.1:8080`, port 0 never clashes. A variable set both directly',
    'and through its `_FILE` variant, or whose file cannot be read, is reported once.',
    '',
    'Kafka topics: each OMS topic has four settings, `OMS_KAFKA_<TOPIC>_PARTITIONS`, `_REPLICATION_FACTOR`,',
    '`_RETENTION` and `_MIN_INSYNC_REPLICAS`, with `<TOPIC>` one of `ORDERS`, `DLQ`, `SAGA`. `migrator topics',
    'create` applies them to missing topics (`--dry-run` prints them) and `migrator topics check` reports',
    'where a cluster differs. Connection security and a managed-cluster example: docs/deploy.md.',
    '',
    'Tracing, where enabled, is configured only by the standard OpenTelemetry `OTEL_*` variables (not listed here).',
    '',
    '| Variable | Default | Secret | Description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

const CONFIG_SCHEMA_COMPUTED = new Set(
  (Object.entries(CONFIG_SCHEMA) as [string, VariableSpec<unknown>][])
    .filter(([, spec]) => typeof spec.default === 'function')
    .map(([name]) => name),
);
