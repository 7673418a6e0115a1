import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../topics';

export class MissingTopicsError extends Error {
  constructor(readonly topics: readonly string[]) {
    super(
      `Kafka topics missing: ${topics.join(', ')}. Create them first (migrator "topics create", ` +
        'or your platform tooling) with the partitions and retention declared in libs/messaging/src/topics.ts',
    );
    this.name = 'MissingTopicsError';
  }
}

/** Fails with MissingTopicsError naming every absent topic; returns partition-count differences as warnings. */
export async function checkKafkaTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name)).map((topic) => topic.name);
  if (missing.length > 0) throw new MissingTopicsError(missing);
  const metadata = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
  const warnings: string[] = [];
  for (const spec of topics) {
    const found = metadata.topics.find((topic) => topic.name === spec.name);
    if (found && found.partitions.length !== spec.partitions) {
      warnings.push(`topic ${spec.name} has ${found.partitions.length} partitions, ${spec.partitions} declared`);
    }
  }
  return warnings;
}

/**
 * Creates the topics that do not exist yet (through the admin API, where the broker allows
 * it); existing topics are left as they are. Returns the names created.
 */
export async function ensureKafkaTopics(
  admin: Admin,
  topics: readonly TopicSpec[],
  options: { readonly replicationFactor?: number } = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      ...(options.replicationFactor !== undefined ? { replicationFactor: options.replicationFactor } : {}),
      configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
    })),
  });
  return missing.map((topic) => topic.name);
}
