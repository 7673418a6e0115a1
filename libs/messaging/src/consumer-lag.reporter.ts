import { Logger } from '@nestjs/common';
import type { OmsMetrics } from '@oms/observability';
import type { MessagingDriver } from './messaging-driver';

/** Sets oms_kafka_consumer_lag{topic,partition} for every group this process consumes, periodically. */
export class ConsumerLagReporter {
  private readonly logger = new Logger('ConsumerLag');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly driver: MessagingDriver,
    private readonly metrics: OmsMetrics,
    // The in-process broker answers from memory; a Kafka reading costs admin round trips.
    private readonly intervalMs = driver.driver === 'memory' ? 1_000 : 5_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.reportOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async reportOnce(): Promise<void> {
    for (const { groupId, topic } of this.driver.subscriptions()) {
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
