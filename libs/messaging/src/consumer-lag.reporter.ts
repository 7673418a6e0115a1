import { Logger } from '@nestjs/common';
import { MessageConsumer, type ConsumerHandle, type Subscription } from '@oms/domain';
import type { OmsMetrics } from '@oms/observability';
import type { MessagingDriver } from './messaging-driver';

/** Remembers which groups and topics this process consumes, so their lag can be reported. */
export class TrackedConsumer extends MessageConsumer {
  readonly subscriptions = new Map<string, { groupId: string; topic: string }>();
  /** Called once a subscription has joined (the reporter takes a first reading then). */
  onSubscribed?: () => void;

  constructor(private readonly inner: MessageConsumer) {
    super();
  }

  async subscribe(subscription: Subscription): Promise<ConsumerHandle> {
    const handle = await this.inner.subscribe(subscription);
    for (const topic of subscription.topics) {
      this.subscriptions.set(`${subscription.groupId}\u0000${topic}`, { groupId: subscription.groupId, topic });
    }
    this.onSubscribed?.();
    return handle;
  }
}

/** Sets oms_kafka_consumer_lag{topic,partition} for every group this process consumes, periodically. */
export class ConsumerLagReporter {
  private readonly logger = new Logger('ConsumerLag');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly driver: MessagingDriver,
    private readonly consumer: TrackedConsumer,
    private readonly metrics: OmsMetrics,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    this.consumer.onSubscribed = () => void this.reportOnce();
    void this.reportOnce();
    this.timer = setInterval(() => void this.reportOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async reportOnce(): Promise<void> {
    for (const { groupId, topic } of this.consumer.subscriptions.values()) {
      try {
        for (const { partition, lag } of await this.driver.consumerLag(groupId, topic)) {
          this.metrics.kafkaConsumerLag.labels(topic, String(partition)).set(lag);
        }
      } catch (error) {
        this.logger.warn(`consumer lag of ${groupId} on ${topic} unavailable: ${(error as Error).message}`);
      }
    }
  }
}
