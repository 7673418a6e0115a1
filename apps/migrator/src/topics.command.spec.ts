import type { TopicCheck, TopicPlan } from '@oms/messaging';
import { testConfig } from '@oms/testing';
import { reportTopicChecks } from './topics-check.command';
import { topicsDryRun } from './topics-create.command';
import { EXIT_OK, runMigratorCli } from './migrator.cli';

const nonDefault = {
  OMS_KAFKA_ORDERS_PARTITIONS: '48',
  OMS_KAFKA_ORDERS_REPLICATION_FACTOR: '5',
  OMS_KAFKA_ORDERS_RETENTION: '720h',
  OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '3',
  OMS_KAFKA_DLQ_TOPIC: 'shop.dead-letters',
};

describe('migrator topics create --dry-run', () => {
  it('prints every topic with the settings it would be created with, without a broker', async () => {
    const out: string[] = [];
    const code = await runMigratorCli(['topics', 'create', '--dry-run'], testConfig(nonDefault), { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(EXIT_OK);
    expect(out).toEqual([
      'oms.order.events: would create if missing: partitions 48, replication factor 5, retention.ms=2592000000 (30d), min.insync.replicas=3',
      'shop.dead-letters: would create if missing: partitions 3, replication factor 3, retention.ms=1209600000 (14d), min.insync.replicas=2',
      'oms.saga.events: would create if missing: partitions 12, replication factor 3, retention.ms=604800000 (7d), min.insync.replicas=2',
      'dry run: KAFKA_BROKERS is not set, so existing topics are unknown; these are the settings each topic would be created with',
    ]);
  });

  it('says which topics exist when the cluster was asked', async () => {
    const plan = async (): Promise<TopicPlan[]> => [
      { spec: { name: 'oms.order.events', partitions: 12, retentionMs: 3_600_000, replicationFactor: 3, minInsyncReplicas: 2 }, exists: true },
      { spec: { name: 'oms.dlq', partitions: 3, retentionMs: 90_000 }, exists: false },
    ];
    expect(await topicsDryRun(testConfig(), plan)).toEqual([
      'oms.order.events: exists, left as is: partitions 12, replication factor 3, retention.ms=3600000 (1h), min.insync.replicas=2',
      'oms.dlq: would create: partitions 3, replication factor (cluster default), retention.ms=90000 (90s)',
      'dry run: 1 topic(s) would be created with these settings; nothing changed (run without --dry-run to create them)',
    ]);
  });
});

describe('migrator topics check report', () => {
  const checks: TopicCheck[] = [
    {
      topic: 'oms.order.events',
      missing: false,
      settings: [
        { setting: 'partitions', declared: '12', actual: '12' },
        { setting: 'replication factor', declared: '3', actual: '1' },
        { setting: 'retention.ms', declared: '604800000', unknownBecause: 'DescribeConfigs failed: no controller' },
      ],
    },
    { topic: 'oms.saga.events', missing: true, settings: [] },
  ];

  it('lists ok, drifted and unknown settings and missing topics, and fails on drift', () => {
    expect(reportTopicChecks(checks, false)).toEqual({
      failed: true,
      lines: [
        'oms.order.events:',
        '  partitions          ok (12)',
        '  replication factor  DRIFT: 1, declared 3',
        '  retention.ms        unknown, declared 604800000 (DescribeConfigs failed: no controller)',
        'oms.saga.events: MISSING',
        '1 missing topic(s), 1 setting(s) drifted; 1 setting(s) unknown: not verified',
      ],
    });
  });

  it('passes with unknown settings, unless --strict', () => {
    const onlyUnknown: TopicCheck[] = [{ ...checks[0], settings: [checks[0].settings[0], checks[0].settings[2]] }];
    expect(reportTopicChecks(onlyUnknown, false).failed).toBe(false);
    expect(reportTopicChecks(onlyUnknown, true)).toMatchObject({ failed: true });
    expect(reportTopicChecks(onlyUnknown, true).lines.at(-1)).toBe('0 missing topic(s), 0 setting(s) drifted; 1 setting(s) unknown: not verified (--strict: fails)');
  });
});
