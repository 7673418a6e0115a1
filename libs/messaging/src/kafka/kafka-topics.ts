import { ConfigResourceTypes, type Admin, type ITopicConfig } from 'kafkajs';
import type { TopicSpec } from '../topics';

export class MissingTopicsError extends Error {
  constructor(readonly topics: readonly string[]) {
    super(
      `Kafka topics missing: ${topics.join(', ')}. Create them first (migrator "topics create", ` +
        'or your platform tooling) with the partitions and retention of OMS_KAFKA_<TOPIC>_* (docs/configuration.md)',
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

/** The topic-level configs OMS sets on a topic, as Kafka names them. */
export function topicConfigEntries(topic: TopicSpec): { name: string; value: string }[] {
  return [
    { name: 'retention.ms', value: String(topic.retentionMs) },
    ...(topic.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(topic.minInsyncReplicas) }]),
  ];
}

/** The CreateTopics entries for `topics`: partitions, replication factor and configs as declared. */
export function createTopicsRequest(topics: readonly TopicSpec[]): ITopicConfig[] {
  return topics.map((topic) => ({
    topic: topic.name,
    numPartitions: topic.partitions,
    ...(topic.replicationFactor === undefined ? {} : { replicationFactor: topic.replicationFactor }),
    configEntries: topicConfigEntries(topic),
  }));
}

/**
 * Creates the topics that do not exist yet (through the admin API, where the broker allows
 * it); existing topics are left as they are (`topics check` reports how they differ).
 * Returns the names created.
 */
export async function ensureKafkaTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length === 0) return [];
  await admin.createTopics({ waitForLeaders: true, topics: createTopicsRequest(missing) });
  return missing.map((topic) => topic.name);
}

export type TopicSettingName = 'partitions' | 'replication factor' | 'retention.ms' | 'min.insync.replicas';

/** One declared setting against what the cluster reports; `actual` undefined = the cluster did not say. */
export interface TopicSettingCheck {
  readonly setting: TopicSettingName;
  readonly declared: string;
  readonly actual?: string;
  /** Why `actual` is unknown. */
  readonly unknownBecause?: string;
}

export interface TopicCheck {
  readonly topic: string;
  readonly missing: boolean;
  readonly settings: readonly TopicSettingCheck[];
}

export const settingDrifts = (check: TopicSettingCheck): boolean => check.actual !== undefined && check.actual !== check.declared;
export const settingUnknown = (check: TopicSettingCheck): boolean => check.actual === undefined;

/**
 * Compares each declared topic with the cluster: missing topics, partition count, replication
 * factor (replicas per partition, from the metadata) and the topic configs (DescribeConfigs).
 * A broker that does not answer DescribeConfigs leaves those settings unknown, with the
 * reason, never assumed to match.
 */
export async function checkKafkaTopicSettings(admin: Admin, topics: readonly TopicSpec[]): Promise<TopicCheck[]> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((topic) => existing.has(topic.name));
  const metadata = present.length === 0 ? { topics: [] } : await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
  const configs = await describeTopicConfigs(admin, present);
  return topics.map((spec) => {
    if (!existing.has(spec.name)) return { topic: spec.name, missing: true, settings: [] };
    const partitions = metadata.topics.find((topic) => topic.name === spec.name)?.partitions ?? [];
    const replicaCounts = [...new Set(partitions.map((partition) => partition.replicas.length))].sort((a, b) => a - b);
    const settings: TopicSettingCheck[] = [{ setting: 'partitions', declared: String(spec.partitions), actual: String(partitions.length) }];
    if (spec.replicationFactor !== undefined) {
      settings.push({
        setting: 'replication factor',
        declared: String(spec.replicationFactor),
        ...(replicaCounts.length === 0
          ? { unknownBecause: 'the metadata lists no partitions' }
          : { actual: replicaCounts.length === 1 ? String(replicaCounts[0]) : `${replicaCounts[0]} to ${replicaCounts[replicaCounts.length - 1]}` }),
      });
    }
    const found = configs.byTopic.get(spec.name);
    for (const entry of topicConfigEntries(spec)) {
      const actual = typeof found === 'string' ? undefined : (found?.get(entry.name) ?? undefined);
      const unknownBecause = typeof found === 'string' ? found : (configs.failure ?? 'the broker did not report it');
      settings.push({ setting: entry.name as TopicSettingName, declared: entry.value, ...(actual === undefined ? { unknownBecause } : { actual }) });
    }
    return { topic: spec.name, missing: false, settings };
  });
}

async function describeTopicConfigs(
  admin: Admin,
  topics: readonly TopicSpec[],
): Promise<{ byTopic: Map<string, Map<string, string | null> | string>; failure?: string }> {
  // Per topic: its configs by name, or why the broker refused to describe it.
  const byTopic = new Map<string, Map<string, string | null> | string>();
  if (topics.length === 0) return { byTopic };
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((topic) => ({
        type: ConfigResourceTypes.TOPIC,
        name: topic.name,
        configNames: topicConfigEntries(topic).map((entry) => entry.name),
      })),
    });
    for (const resource of described.resources) {
      byTopic.set(
        resource.resourceName,
        resource.errorCode === 0
          ? new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue]))
          : `DescribeConfigs answered error ${resource.errorCode}${resource.errorMessage ? `: ${resource.errorMessage}` : ''}`,
      );
    }
    return { byTopic };
  } catch (error) {
    // librdkafka's mock cluster, for one, has no DescribeConfigs.
    return { byTopic, failure: `DescribeConfigs failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
