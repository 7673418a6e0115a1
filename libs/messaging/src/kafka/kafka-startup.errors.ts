import { errorText } from './kafka-errors';

/** The Kafka driver could not start: says which setting or service to look at. */
export class KafkaStartupError extends Error {
  override readonly name = 'KafkaStartupError';

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/** No broker of KAFKA_BROKERS answered the first connection. */
export function brokersUnreachable(brokers: readonly string[], cause: unknown): KafkaStartupError {
  return new KafkaStartupError(`cannot reach the Kafka brokers ${brokers.join(',')} (KAFKA_BROKERS): ${errorText(cause)}`, cause);
}

/**
 * The brokers answered, but the idempotent producer could not get a producer id
 * (InitProducerId). Brokers without it — librdkafka's mock cluster (tools/kafka-mock) — answer
 * so that kafkajs fails with KafkaJSBrokerNotFound; without this check at start-up every
 * publish would fail the same way later, after the process reported ready.
 */
export function idempotenceUnavailable(brokers: readonly string[], cause: unknown): KafkaStartupError {
  return new KafkaStartupError(
    `the Kafka brokers ${brokers.join(',')} answered, but the idempotent producer could not start (${errorText(cause)}). ` +
      'Set OMS_KAFKA_IDEMPOTENT=false for brokers without idempotent-producer support (such as tools/kafka-mock); ' +
      'on Apache Kafka, grant the IdempotentWrite permission to this client',
    cause,
  );
}
