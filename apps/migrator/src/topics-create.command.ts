import type { OmsConfig } from '@oms/config';
import { createOmsKafkaTopics } from '@oms/messaging';

/** The broker does not offer the CreateTopics API (e.g. librdkafka's mock cluster) or forbids it. */
export class TopicCreationUnsupportedError extends Error {
  constructor(cause: unknown) {
    super(
      'the Kafka broker refused CreateTopics (the API is not supported or not allowed, or the cluster names no controller ' +
        'to send it to, as in librdkafka\'s mock cluster): create the topics with your ' +
        'platform tooling, with the partitions and retention declared in libs/messaging/src/topics.ts ' +
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

function isUnsupported(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (UNSUPPORTED.test(`${current.name} ${String(type ?? '')} ${current.message}`)) return true;
    current = (current as { cause?: unknown; originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
}
