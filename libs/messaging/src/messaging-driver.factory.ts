import type { OmsConfig } from '@oms/config';
import { createKafkaDriver, type KafkaDriverOptions } from './kafka/kafka-driver';
import { MemoryBroker, type MemoryBrokerOptions } from './memory/memory-broker';
import type { MessagingDriver } from './messaging-driver';
import { omsTopics } from './topics';

export interface MessagingDriverOptions {
  readonly memory?: MemoryBrokerOptions;
  readonly kafka?: KafkaDriverOptions;
}

/** Picks the broker driver from config: the one place a driver is chosen. */
export async function createMessagingDriver(
  config: Pick<OmsConfig, 'broker'>,
  options: MessagingDriverOptions = {},
): Promise<MessagingDriver> {
  const driver = config.broker.driver;
  switch (driver) {
    case 'memory': {
      // One instance is both publisher and consumer, so a single process sees its own messages.
      const { retryDelayMs, maxRetryDelayMs } = config.broker.kafka.consumer;
      const broker = new MemoryBroker({
        topics: omsTopics(config.broker.kafka),
        redeliveryDelayMs: retryDelayMs,
        maxRedeliveryDelayMs: maxRetryDelayMs,
        ...options.memory,
      });
      return {
        driver,
        publisher: broker,
        consumer: broker,
        subscriptions: () => broker.subscriptions(),
        consumerLag: (groupId, topic) => broker.consumerLag(groupId, topic),
        ping: () => broker.ping(),
        close: () => broker.close(),
      };
    }
    case 'kafka':
      return createKafkaDriver(config, options.kafka);
    default: {
      const unknown: never = driver;
      throw new Error(`unknown broker driver "${String(unknown)}"`);
    }
  }
}
