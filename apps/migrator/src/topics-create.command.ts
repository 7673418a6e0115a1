import type { OmsConfig } from '@oms/config';
import { createOmsKafkaTopics, planOmsKafkaTopics, topicConfigEntries, type TopicPlan, type TopicSpec } from '@oms/messaging';

/** The broker does not offer the CreateTopics API (e.g. librdkafka's mock cluster) or forbids it. */
export class TopicCreationUnsupportedError extends Error {
  constructor(cause: unknown) {
    super(
      'the Kafka broker refused CreateTopics (the API is not supported or not allowed, or the cluster names no controller ' +
        'to send it to, as in librdkafka\'s mock cluster): create the topics with your platform tooling, with the ' +
        'settings "migrator topics create --dry-run" prints (OMS_KAFKA_<TOPIC>_*) ' +
        `(${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
    this.name = 'TopicCreationUnsupportedError';
  }
}

// kafkajs errors for an API the broker lacks, an ACL refusal, or no controller to send CreateTopics to
// (KafkaJSBrokerNotFound: the controller id in the metadata is not a broker of the cluster).
const UNSUPPORTED =
  /UNSUPPORTED_VERSION|not supported|ApiVersion|TOPIC_AUTHORIZATION_FAILED|CLUSTER_AUTHORIZATION_FAILED|INVALID_REQUEST|KafkaJSBrokerNotFound/i;

/** Creates the OMS topics that do not exist yet; returns their names. */
export async function createTopics(
  config: Pick<OmsConfig, 'broker'>,
  create: typeof createOmsKafkaTopics = createOmsKafkaTopics,
): Promise<string[]> {
  try {
    return await create(config);
  } catch (error) {
    if (isUnsupported(error)) throw new TopicCreationUnsupportedError(error);
    throw error;
  }
}

/** `topics create --dry-run`: what would be created, with which settings; nothing changes. */
export async function topicsDryRun(
  config: Pick<OmsConfig, 'broker'>,
  plan: typeof planOmsKafkaTopics = planOmsKafkaTopics,
): Promise<string[]> {
  const plans = await plan(config);
  const lines = plans.map(describePlan);
  const toCreate = plans.filter((entry) => entry.exists !== true).length;
  lines.push(
    plans.every((entry) => entry.exists === undefined)
      ? `dry run: KAFKA_BROKERS is not set, so existing topics are unknown; these are the settings each topic would be created with`
      : `dry run: ${toCreate} topic(s) would be created with these settings; nothing changed (run without --dry-run to create them)`,
  );
  return lines;
}

function describePlan(entry: TopicPlan): string {
  const action = entry.exists === undefined ? 'would create if missing' : entry.exists ? 'exists, left as is' : 'would create';
  return `${entry.spec.name}: ${action}: ${describeSettings(entry.spec)}`;
}

/** "partitions 12, replication factor 3, retention.ms=604800000 (7d), min.insync.replicas=2" */
export function describeSettings(spec: TopicSpec): string {
  const parts = [`partitions ${spec.partitions}`];
  parts.push(`replication factor ${spec.replicationFactor ?? '(cluster default)'}`);
  for (const entry of topicConfigEntries(spec)) {
    parts.push(`${entry.name}=${entry.value}${entry.name === 'retention.ms' ? ` (${humanDuration(spec.retentionMs)})` : ''}`);
  }
  return parts.join(', ');
}

function humanDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function isUnsupported(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (UNSUPPORTED.test(`${current.name} ${String(type ?? '')} ${current.message}`)) return true;
    current = (current as { cause?: unknown; originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
}
