import type { OmsConfig } from '@oms/config';
import type { Admin } from 'kafkajs';
import { omsTopics, type TopicSpec } from '../topics';
import { createKafkaClient } from './kafka-client';
import { checkKafkaTopicSettings, ensureKafkaTopics, type TopicCheck } from './kafka-topics';

/** What `topics create` would do with each OMS topic. */
export interface TopicPlan {
  readonly spec: TopicSpec;
  /** undefined = not known (no broker was asked). */
  readonly exists?: boolean;
}

type BrokerConfig = Pick<OmsConfig, 'broker'>;

async function withAdmin<T>(config: BrokerConfig, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafkaClient(config).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The migrator's dry run: every OMS topic with the settings `topics create` would apply, and
 * whether it exists already (asked of the cluster when KAFKA_BROKERS is set).
 */
export async function planOmsKafkaTopics(config: BrokerConfig): Promise<TopicPlan[]> {
  const topics = omsTopics(config.broker.kafka);
  if (config.broker.kafka.brokers.length === 0) return topics.map((spec) => ({ spec }));
  const existing = new Set(await withAdmin(config, (admin) => admin.listTopics()));
  return topics.map((spec) => ({ spec, exists: existing.has(spec.name) }));
}

/** For the migrator's `topics create`: creates the missing OMS topics, returns their names. */
export function createOmsKafkaTopics(config: BrokerConfig): Promise<string[]> {
  return withAdmin(config, (admin) => ensureKafkaTopics(admin, omsTopics(config.broker.kafka)));
}

/** For the migrator's `topics check`: how the cluster's OMS topics differ from their configured settings. */
export function checkOmsKafkaTopics(config: BrokerConfig): Promise<TopicCheck[]> {
  return withAdmin(config, (admin) => checkKafkaTopicSettings(admin, omsTopics(config.broker.kafka)));
}
