import type { OmsConfig } from './oms.config';

const MASK = '***';

/** Hides the password of a postgres:// URL or a libpq `password=` pair, keeping the rest. */
export function redactDsn(dsn: string): string {
  return redactSecrets(dsn);
}

/**
 * Scrubs secrets from free text (error messages, log lines, /healthz): URL credentials,
 * `password=` pairs and PEM private keys. Pass `known` values (the config's secrets) to hide
 * them wherever they appear verbatim.
 */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  // Patterns first, so a known DSN still shows its user and host once its password is masked.
  let result = text
    .replace(/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, '[REDACTED PRIVATE KEY]')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, `$1:${MASK}@`)
    .replace(/\b(password|passwd|pwd)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s;&]+)/gi, `$1=${MASK}`);
  for (const secret of known) {
    if (secret && secret.length >= 4) result = result.split(secret).join(MASK);
  }
  return result;
}

/** The secret values of a config, for `redactSecrets(text, configSecrets(config))`. */
export function configSecrets(config: OmsConfig): string[] {
  const secrets: string[] = [];
  const dsn = config.storage.postgres.dsn;
  if (dsn) {
    secrets.push(dsn);
    const password = dsnPassword(dsn);
    if (password) secrets.push(password);
  }
  if (config.grpc.tls.key) secrets.push(config.grpc.tls.key);
  const { tls, sasl } = config.broker.kafka;
  if (tls.key) secrets.push(tls.key);
  if (sasl) secrets.push(sasl.password);
  if (config.admin.token) secrets.push(config.admin.token);
  return secrets;
}

function dsnPassword(dsn: string): string | undefined {
  try {
    if (/^postgres(ql)?:\/\//i.test(dsn)) return decodeURIComponent(new URL(dsn).password) || undefined;
  } catch {
    return undefined;
  }
  return /\bpassword\s*=\s*'?([^'\s]+)/i.exec(dsn)?.[1];
}

/** A copy of the config that is safe to print or log: DSN password, TLS keys and the SASL password masked. */
export function redactConfig(config: OmsConfig): OmsConfig {
  const { dsn } = config.storage.postgres;
  const { key } = config.grpc.tls;
  const { kafka } = config.broker;
  return {
    ...config,
    broker: {
      ...config.broker,
      kafka: {
        ...kafka,
        tls: { ...kafka.tls, ...(kafka.tls.key === undefined ? {} : { key: MASK }) },
        ...(kafka.sasl ? { sasl: { ...kafka.sasl, password: MASK } } : {}),
      },
    },
    grpc: { ...config.grpc, tls: { ...config.grpc.tls, ...(key === undefined ? {} : { key: MASK }) } },
    storage: {
      ...config.storage,
      postgres: { ...config.storage.postgres, ...(dsn === undefined ? {} : { dsn: redactDsn(dsn) }) },
    },
    admin: config.admin.token === undefined ? config.admin : { token: MASK },
  };
}
