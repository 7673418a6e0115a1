import type { BrokerDriver } from '@oms/config';
import type { MessageConsumer, MessagePublisher } from '@oms/domain';
import type { PartitionLag } from './memory/memory-broker';

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
