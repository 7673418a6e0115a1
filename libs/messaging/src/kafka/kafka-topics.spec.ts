import { loadConfig } from '@oms/config';
import type { Admin, DescribeConfigResponse, ITopicConfig, ITopicMetadata } from 'kafkajs';
import { omsTopics } from '../topics';
import { checkKafkaTopicSettings, createTopicsRequest, ensureKafkaTopics, settingDrifts, settingUnknown } from './kafka-topics';

const DAY_MS = 24 * 3_600_000;

/** Topics of a config with non-default settings for every topic. */
const declared = omsTopics(
  loadConfig({
    OMS_KAFKA_ORDERS_TOPIC: 'shop.orders',
    OMS_KAFKA_ORDERS_PARTITIONS: '48',
    OMS_KAFKA_ORDERS_REPLICATION_FACTOR: '5',
    OMS_KAFKA_ORDERS_RETENTION: '720h',
    OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '3',
    OMS_KAFKA_DLQ_PARTITIONS: '6',
    OMS_KAFKA_DLQ_RETENTION: '1440h',
    OMS_KAFKA_SAGA_REPLICATION_FACTOR: '1',
    OMS_KAFKA_SAGA_MIN_INSYNC_REPLICAS: '1',
  }).broker.kafka,
);

/** An Admin that answers from a fixed cluster state and records what it was asked to create. */
function fakeAdmin(cluster: {
  topics: Record<string, { partitions: number; replicas: number }>;
  configs?: Record<string, Record<string, string>> | Error;
}) {
  const created: ITopicConfig[][] = [];
  const admin = {
    listTopics: async () => Object.keys(cluster.topics),
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(topics);
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> => ({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: cluster.topics[name].partitions }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: 1,
          replicas: Array.from({ length: cluster.topics[name].replicas }, (_, i) => i + 1),
          isr: [],
          offlineReplicas: [],
        })),
      })),
    }),
    describeConfigs: async ({ resources }: { resources: { name: string; configNames: string[] }[] }): Promise<DescribeConfigResponse> => {
      if (cluster.configs instanceof Error) throw cluster.configs;
      const configs = cluster.configs ?? {};
      return {
        throttleTime: 0,
        resources: resources.map((resource) => ({
          errorCode: 0,
          errorMessage: '',
          resourceName: resource.name,
          resourceType: 2,
          configEntries: resource.configNames
            .filter((name) => configs[resource.name]?.[name] !== undefined)
            .map((name) => ({ configName: name, configValue: configs[resource.name][name], isDefault: false, isSensitive: false, readOnly: false, configSource: 1, configSynonyms: [] })),
        })),
      };
    },
  };
  return { admin: admin as unknown as Admin, created };
}

describe('topics create: the admin requests built from the configured settings', () => {
  it('asks for partitions, replication factor, retention.ms and min.insync.replicas of each topic', () => {
    expect(createTopicsRequest(declared)).toEqual([
      {
        topic: 'shop.orders',
        numPartitions: 48,
        replicationFactor: 5,
        configEntries: [
          { name: 'retention.ms', value: String(30 * DAY_MS) },
          { name: 'min.insync.replicas', value: '3' },
        ],
      },
      {
        topic: 'oms.dlq',
        numPartitions: 6,
        replicationFactor: 3,
        configEntries: [
          { name: 'retention.ms', value: String(60 * DAY_MS) },
          { name: 'min.insync.replicas', value: '2' },
        ],
      },
      {
        topic: 'oms.saga.events',
        numPartitions: 12,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: String(7 * DAY_MS) },
          { name: 'min.insync.replicas', value: '1' },
        ],
      },
    ]);
  });

  it('leaves the broker defaults to a topic that declares no replication settings (tests, the memory broker)', () => {
    expect(createTopicsRequest([{ name: 't', partitions: 2, retentionMs: 1_000 }])).toEqual([
      { topic: 't', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1000' }] },
    ]);
  });

  it('creates only the missing topics, in one CreateTopics request', async () => {
    const { admin, created } = fakeAdmin({ topics: { 'oms.dlq': { partitions: 3, replicas: 3 } } });
    await expect(ensureKafkaTopics(admin, declared)).resolves.toEqual(['shop.orders', 'oms.saga.events']);
    expect(created).toEqual([createTopicsRequest([declared[0], declared[2]])]);
  });

  it('sends nothing when every topic exists', async () => {
    const { admin, created } = fakeAdmin({
      topics: { 'shop.orders': { partitions: 1, replicas: 1 }, 'oms.dlq': { partitions: 1, replicas: 1 }, 'oms.saga.events': { partitions: 1, replicas: 1 } },
    });
    await expect(ensureKafkaTopics(admin, declared)).resolves.toEqual([]);
    expect(created).toEqual([]);
  });
});

describe('topics check: declared settings against the cluster', () => {
  const matching = {
    'shop.orders': { partitions: 48, replicas: 5 },
    'oms.dlq': { partitions: 6, replicas: 3 },
    'oms.saga.events': { partitions: 12, replicas: 1 },
  };
  const matchingConfigs = {
    'shop.orders': { 'retention.ms': String(30 * DAY_MS), 'min.insync.replicas': '3' },
    'oms.dlq': { 'retention.ms': String(60 * DAY_MS), 'min.insync.replicas': '2' },
    'oms.saga.events': { 'retention.ms': String(7 * DAY_MS), 'min.insync.replicas': '1' },
  };

  it('finds no drift on a cluster that matches', async () => {
    const { admin } = fakeAdmin({ topics: matching, configs: matchingConfigs });
    const checks = await checkKafkaTopicSettings(admin, declared);
    const settings = checks.flatMap((check) => check.settings);
    expect(checks.map((check) => check.missing)).toEqual([false, false, false]);
    expect(settings).toHaveLength(12);
    expect(settings.filter(settingDrifts)).toEqual([]);
    expect(settings.filter(settingUnknown)).toEqual([]);
  });

  it('reports each difference and a missing topic', async () => {
    const { admin } = fakeAdmin({
      topics: { 'shop.orders': { partitions: 12, replicas: 3 }, 'oms.dlq': { partitions: 6, replicas: 3 } },
      configs: { ...matchingConfigs, 'shop.orders': { 'retention.ms': String(7 * DAY_MS), 'min.insync.replicas': '3' } },
    });
    const checks = await checkKafkaTopicSettings(admin, declared);
    expect(checks.find((check) => check.topic === 'oms.saga.events')).toEqual({ topic: 'oms.saga.events', missing: true, settings: [] });
    expect(checks[0].settings.filter(settingDrifts)).toEqual([
      { setting: 'partitions', declared: '48', actual: '12' },
      { setting: 'replication factor', declared: '5', actual: '3' },
      { setting: 'retention.ms', declared: String(30 * DAY_MS), actual: String(7 * DAY_MS) },
    ]);
    expect(checks[1].settings.filter(settingDrifts)).toEqual([]);
  });

  it('says "unknown" with the reason when the broker cannot describe configs, never a match', async () => {
    const { admin } = fakeAdmin({ topics: matching, configs: new Error('Broker 0 not found in the cached metadata') });
    const checks = await checkKafkaTopicSettings(admin, declared);
    const unknown = checks.flatMap((check) => check.settings).filter(settingUnknown);
    expect(unknown.map((setting) => setting.setting)).toEqual([
      'retention.ms',
      'min.insync.replicas',
      'retention.ms',
      'min.insync.replicas',
      'retention.ms',
      'min.insync.replicas',
    ]);
    expect(unknown.every((setting) => setting.unknownBecause === 'DescribeConfigs failed: Broker 0 not found in the cached metadata')).toBe(true);
    expect(checks.flatMap((check) => check.settings).filter(settingDrifts)).toEqual([]);
  });
});
