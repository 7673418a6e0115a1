import type { KafkaSaslConfig, KafkaTlsConfig } from '@oms/config';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';

/** The connection security part of a kafkajs client config, built from OMS_KAFKA_TLS_* / OMS_KAFKA_SASL_*. */
export type KafkaSecurityOptions = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * TLS and SASL as kafkajs takes them. TLS without a CA trusts the system's CAs; a client
 * certificate and key make it mutual TLS. SASL works with or without TLS (SASL_SSL or
 * SASL_PLAINTEXT listeners), the mechanism names are kafkajs's own.
 */
export function kafkaSecurityOptions(kafka: { readonly tls: KafkaTlsConfig; readonly sasl?: KafkaSaslConfig }): KafkaSecurityOptions {
  const options: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  const { tls, sasl } = kafka;
  if (tls.enabled) {
    options.ssl = {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
    };
  }
  if (sasl) options.sasl = saslOptions(sasl);
  return options;
}

function saslOptions(sasl: KafkaSaslConfig): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    default: {
      const unknown: never = sasl.mechanism;
      throw new Error(`unknown SASL mechanism "${String(unknown)}"`);
    }
  }
}
