import { containerRuntimeAvailable } from './container-runtime';
import { kafkaMockUnavailable, startKafkaMock, type KafkaMock, type KafkaTopic } from './kafka-mock.testing';
import { probeTcp } from './service-probe';
import { testVariable } from './test-env';

/** A Kafka-protocol broker for one integration test file. */
export interface TestKafka {
  readonly brokers: string[];
  /** Where it came from, for test names and logs. */
  readonly source: string;
  /** Set when it is tools/kafka-mock: it has no CreateTopics, so topics are created through it. */
  readonly mock?: KafkaMock;
  /** Stops what this call started (the mock); a configured broker or a shared container stays. */
  stop(): Promise<void>;
}

const HOW_TO_PROVIDE =
  'set OMS_TEST_KAFKA_BROKERS=host:port of a running broker, run a Docker engine for Testcontainers, ' +
  "or install Debian's librdkafka-dev and gcc for tools/kafka-mock (bash tools/ci/install-system-packages.sh, as .ci/run does)";

let container: Promise<string[]> | undefined;

/**
 * The broker of an integration test: OMS_TEST_KAFKA_BROKERS when set (it must answer); else a
 * Kafka container where a Docker engine answers; else the repo's own Kafka-protocol broker,
 * tools/kafka-mock, started with `topics` (and said so on stderr). When none can be had it
 * throws, naming what is missing and how to provide it: a missing broker fails the test, it
 * never skips it.
 */
export async function testKafka(options: { readonly topics?: readonly KafkaTopic[] } = {}): Promise<TestKafka> {
  const configured = testVariable('OMS_TEST_KAFKA_BROKERS');
  if (configured) {
    const brokers = configured.split(',').map((broker) => broker.trim()).filter(Boolean);
    const failures = await Promise.all(brokers.map((broker) => probeTcp(broker).then(() => undefined, (error: Error) => `${broker}: ${error.message}`)));
    if (failures.every((failure) => failure !== undefined)) {
      throw new Error(
        `Kafka for integration tests: OMS_TEST_KAFKA_BROKERS=${configured}, but no broker answers there (${failures.join('; ')}). ` +
          'Start that broker, or unset OMS_TEST_KAFKA_BROKERS so that the tests start one (Testcontainers where a Docker engine ' +
          "answers, else tools/kafka-mock from Debian's librdkafka-dev and gcc).",
      );
    }
    return { brokers, source: 'OMS_TEST_KAFKA_BROKERS', stop: async () => undefined };
  }
  if (await containerRuntimeAvailable()) {
    container ??= (async () => {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const started = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
      return [`${started.getHost()}:${started.getMappedPort(9093)}`];
    })();
    return { brokers: await container, source: 'Testcontainers', stop: async () => undefined };
  }
  const unavailable = kafkaMockUnavailable();
  if (unavailable) {
    throw new Error(
      `Kafka for integration tests: none available. OMS_TEST_KAFKA_BROKERS is not set, no Docker engine answers, and ${unavailable}. ` +
        `To provide one: ${HOW_TO_PROVIDE}.`,
    );
  }
  const mock = await startKafkaMock(options.topics ?? []);
  process.stderr.write(
    `Kafka for integration tests: tools/kafka-mock (librdkafka's mock cluster) at ${mock.brokers.join(',')}, ` +
      'as neither OMS_TEST_KAFKA_BROKERS nor a Docker engine is there\n',
  );
  return { brokers: mock.brokers, source: 'tools/kafka-mock', mock, stop: () => mock.stop() };
}
