import type { BrokerDriver, OmsConfig } from '@oms/config';
import type { MessageConsumer, MessagePublisher } from '@oms/domain';
import { createKafkaDriver, type KafkaDriverOptions } from './kafka/kafka-driver';
import { MemoryBroker, type MemoryBrokerOptions, type PartitionLag } from './memory/memory-broker';
import { omsTopics } from './topics';

/** One broker connection set: the publisher and consumer of a process, plus its health and shutdown. */
export interface MessagingDriver {
  readonly driver: BrokerDriver;
  readonly publisher: MessagePublisher;
  readonly consumer: MessageConsumer;
  /** The groups and topics this process consumes right now. */
  subscriptions(): { groupId: string; topic: string }[];
  /** Messages of `topic` the group has not yet acknowledged, per partition (the lag metric). */
  consumerLag(groupId: string, topic: string): Promise<PartitionLag[]>;
  /** Resolves while the broker is usable; throws otherwise (readiness check). */
  ping(): Promise<void>;
  /** Stops consumers (in-flight messages finish) and closes connections. */
  close(): Promise<void>;
}

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
      const broker = new MemoryBroker({ topics: omsTopics(config.broker.kafka), ...options.memory });
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
