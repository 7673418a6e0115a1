import { containerRuntimeAvailable } from './container-runtime';
import { testVariable } from './test-env';

let brokers: Promise<string[] | null> | undefined;

/**
 * Kafka bootstrap servers for integration tests: OMS_TEST_KAFKA_BROKERS (comma separated)
 * when set; else a Kafka container when a Docker engine answers; else null, and the caller
 * skips its Kafka tests saying why.
 */
export function testKafkaBrokers(): Promise<string[] | null> {
  brokers ??= (async () => {
    const configured = testVariable('OMS_TEST_KAFKA_BROKERS');
    if (configured) return configured.split(',').map((broker) => broker.trim()).filter(Boolean);
    if (!(await containerRuntimeAvailable())) return null;
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    return [`${container.getHost()}:${container.getMappedPort(9093)}`];
  })();
  return brokers;
}
