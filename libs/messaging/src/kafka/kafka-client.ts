import type { OmsConfig } from '@oms/config';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logger';
import { kafkaSecurityOptions } from './kafka-security';
import { fixKafkajsIdleTimer } from './kafkajs-idle-timer.fix';

export interface KafkaClientOptions {
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs log level (default WARN, through the app's logger); tools pass NOTHING. */
  readonly logLevel?: logLevel;
}

/**
 * The one place a kafkajs client is made: brokers, client id, TLS and SASL from the config,
 * our logger, bounded retries. Every Kafka connection of OMS (producer, consumers, the admin
 * of health checks, lag and the migrator's topic commands, and the e2e, chaos and bench tools'
 * observers through tools/e2e/lib/oms-kafka.mjs) comes from a client built here.
 */
export function createKafkaClient(config: Pick<OmsConfig, 'broker'>, options: KafkaClientOptions = {}): Kafka {
  const { kafka } = config.broker;
  if (kafka.brokers.length === 0) throw new Error('KAFKA_BROKERS is empty: the kafka driver needs at least one broker');
  fixKafkajsIdleTimer();
  return new Kafka({
    clientId: kafka.clientId,
    brokers: [...kafka.brokers],
    ...kafkaSecurityOptions(kafka),
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: kafkaLogCreator,
    connectionTimeout: options.connectionTimeoutMs ?? kafka.timeouts.connectionMs,
    requestTimeout: options.requestTimeoutMs ?? kafka.timeouts.requestMs,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}
