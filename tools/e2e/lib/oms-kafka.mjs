// Kafka for the tools through OMS's own code: their clients come from createKafkaClient
// (libs/messaging/src/kafka/kafka-client.ts, the factory every app uses) fed by the same
// OMS_KAFKA_* variables through libs/config, and `--kafka-tls` runs put the TLS / SASL proxy of
// libs/testing (kafka-proxy.testing.ts) in front of the mock cluster. esbuild bundles those TypeScript
// files once per process (third-party packages stay external, taken from node_modules).
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENTRY = `
export { createKafkaClient } from './libs/messaging/src/kafka/kafka-client';
export { loadConfig } from './libs/config/src/load-config';
export { startKafkaProxy } from './libs/testing/src/kafka-proxy.testing';
export { testPki } from './libs/testing/src/tls.testing';
`;

let modules;
function oms() {
  if (!modules) {
    // Inside node_modules, so the bundle's external packages resolve from the workspace.
    const outfile = join(ROOT, 'node_modules', '.cache', 'oms-tools', `oms-kafka-${process.pid}.cjs`);
    buildSync({
      stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts', sourcefile: 'oms-kafka-entry.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'error',
    });
    modules = createRequire(import.meta.url)(outfile);
    rmSync(outfile, { force: true });
  }
  return modules;
}

/**
 * A kafkajs client for `brokers` ("host:port,...") built as the apps build theirs, with the
 * connection security of `kafkaEnv` (OMS_KAFKA_TLS_* / OMS_KAFKA_SASL_*); quiet, like the
 * tools' own output wants it.
 */
export function omsKafkaClient(brokers, clientId, kafkaEnv = {}) {
  const { createKafkaClient, loadConfig } = oms();
  const config = loadConfig({ ...kafkaEnv, OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: brokers, OMS_KAFKA_CLIENT_ID: clientId });
  return createKafkaClient(config, { logLevel: 0 /* kafkajs logLevel.NOTHING */ });
}

/**
 * `--kafka-tls`: the mock cluster behind TLS (a CA made by openssl now) and SASL/SCRAM-SHA-512.
 * Returns the proxy's bootstrap list and the variables every app (and the tools' clients) need;
 * the CA and the password reach the apps as files, as from a Kubernetes Secret.
 */
export async function startSecuredKafka(upstream, dir) {
  const { startKafkaProxy, testPki } = oms();
  const pki = testPki();
  const caFile = join(dir, 'kafka-ca.crt');
  writeFileSync(caFile, pki.ca);
  const password = `tools-${Math.random().toString(36).slice(2)}`;
  const passwordFile = join(dir, 'kafka-sasl-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const proxy = await startKafkaProxy({
    upstream: upstream.split(','),
    tls: { cert: pki.cert, key: pki.key },
    sasl: { mechanisms: ['SCRAM-SHA-512'], users: { oms: password } },
  });
  return {
    brokers: proxy.brokers.join(','),
    env: {
      OMS_KAFKA_TLS_ENABLED: 'true',
      OMS_KAFKA_TLS_CA_FILE: caFile,
      OMS_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      OMS_KAFKA_SASL_USERNAME: 'oms',
      OMS_KAFKA_SASL_PASSWORD_FILE: passwordFile,
    },
    proxy,
    stop: () => proxy.stop(),
  };
}

/** The metadata-rewriting Kafka proxy of libs/testing with `options` (e.g. plaintext, dialing through fault proxies). */
export function startKafkaProxy(options) {
  return oms().startKafkaProxy(options);
}
