import { OMS_TOPICS } from '@oms/messaging';
import { startKafkaMock, testConfig, type KafkaMock } from '@oms/testing';
import { EXIT_FAILED, EXIT_OK, runMigratorCli } from './migrator.cli';

// `migrator topics create --dry-run` and `topics check` against the Kafka-protocol test broker
// (librdkafka's mock cluster, one broker). It reports partitions and replicas in its metadata
// but answers no DescribeConfigs, so retention.ms and min.insync.replicas must come out as
// "unknown" with the reason, never as a match.

jest.setTimeout(60_000);

let complete: KafkaMock;
let withoutSaga: KafkaMock;

beforeAll(async () => {
  complete = await startKafkaMock(OMS_TOPICS);
  withoutSaga = await startKafkaMock(OMS_TOPICS.filter((topic) => topic.name !== 'oms.saga.events'));
}, 60_000);

afterAll(async () => {
  await complete?.stop();
  await withoutSaga?.stop();
});

/** One broker: replication factor and min.insync.replicas 1 match what the mock reports. */
const singleBroker = {
  OMS_KAFKA_ORDERS_REPLICATION_FACTOR: '1',
  OMS_KAFKA_ORDERS_MIN_INSYNC_REPLICAS: '1',
  OMS_KAFKA_DLQ_REPLICATION_FACTOR: '1',
  OMS_KAFKA_DLQ_MIN_INSYNC_REPLICAS: '1',
  OMS_KAFKA_SAGA_REPLICATION_FACTOR: '1',
  OMS_KAFKA_SAGA_MIN_INSYNC_REPLICAS: '1',
};

async function migrator(mock: KafkaMock, env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigratorCli(argv, testConfig({ KAFKA_BROKERS: mock.brokers.join(','), ...env }), {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

describe('migrator topics create --dry-run against the test broker', () => {
  it('asks the cluster which topics exist and changes nothing', async () => {
    const result = await migrator(withoutSaga, { OMS_KAFKA_SAGA_PARTITIONS: '24' }, 'topics', 'create', '--dry-run');
    expect(result.code).toBe(EXIT_OK);
    expect(result.out).toEqual([
      'oms.order.events: exists, left as is: partitions 12, replication factor 3, retention.ms=604800000 (7d), min.insync.replicas=2',
      'oms.dlq: exists, left as is: partitions 3, replication factor 3, retention.ms=1209600000 (14d), min.insync.replicas=2',
      'oms.saga.events: would create: partitions 24, replication factor 3, retention.ms=604800000 (7d), min.insync.replicas=2',
      'dry run: 1 topic(s) would be created with these settings; nothing changed (run without --dry-run to create them)',
    ]);
    // Still missing: a dry run creates nothing.
    const check = await migrator(withoutSaga, singleBroker, 'topics', 'check');
    expect(check.out).toContain('oms.saga.events: MISSING');
  });
});

describe('migrator topics check against the test broker', () => {
  it('matches partitions and replicas the mock reports, and says the configs are unknown', async () => {
    const result = await migrator(complete, singleBroker, 'topics', 'check');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.out.slice(0, 5)).toEqual([
      'oms.order.events:',
      '  partitions          ok (12)',
      '  replication factor  ok (1)',
      expect.stringMatching(/^ {2}retention\.ms {8}unknown, declared 604800000 \(DescribeConfigs failed: .+\)$/),
      expect.stringMatching(/^ {2}min\.insync\.replicas unknown, declared 1 \(DescribeConfigs failed: .+\)$/),
    ]);
    expect(result.out.at(-1)).toBe('0 missing topic(s), 0 setting(s) drifted; 6 setting(s) unknown: not verified');
    expect(result.out.filter((line) => line.includes('ok ('))).toHaveLength(6);
  });

  it('fails with --strict while settings are unknown', async () => {
    const result = await migrator(complete, singleBroker, 'topics', 'check', '--strict');
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.out.at(-1)).toBe('0 missing topic(s), 0 setting(s) drifted; 6 setting(s) unknown: not verified (--strict: fails)');
  });

  it('reports drift from the production defaults and a missing topic, and exits 1', async () => {
    const result = await migrator(withoutSaga, { OMS_KAFKA_ORDERS_PARTITIONS: '24' }, 'topics', 'check');
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.out).toEqual(
      expect.arrayContaining([
        '  partitions          DRIFT: 12, declared 24',
        '  replication factor  DRIFT: 1, declared 3',
        'oms.saga.events: MISSING',
        '1 missing topic(s), 3 setting(s) drifted; 4 setting(s) unknown: not verified',
      ]),
    );
  });
});
