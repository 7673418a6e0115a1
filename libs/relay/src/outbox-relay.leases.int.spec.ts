import { randomUUID } from 'node:crypto';
import type { OmsConfig } from '@oms/config';
import { MessagePublisher, outboxPartition, type BrokerMessage } from '@oms/domain';
import { MemoryBroker } from '@oms/messaging';
import { loadPostgresStorage, type RelayLeases, type StorageDrivers } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { Client } from 'pg';
import { OutboxRelay, type RelayLogger } from './outbox-relay';
import type { PartitionAssignment } from './partition-assignment';
import type { RelayOptions } from './relay.options';

// Real PostgreSQL on a shared machine: databases, pools and lease expiries take seconds.
jest.setTimeout(120_000);

const TOPIC = 'oms.order.events';
const PARTITIONS = 16;
const TTL_MS = 1_200;
const silent: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

const relayOptions: RelayOptions = {
  partitions: PARTITIONS,
  // Small batches: many batch boundaries, so partitions change hands mid-stream.
  batchSize: 5,
  pollIntervalMs: 20,
  retryDelayMs: 20,
  maxRetryDelayMs: 200,
  maxAttempts: 5,
  retentionMs: 60 * 60 * 1000,
  pruneIntervalMs: 60 * 60 * 1000,
  pruneBatchSize: 100,
  statsIntervalMs: 60 * 60 * 1000,
  deadLetterTopic: 'oms.dlq',
};

type Storage = Awaited<ReturnType<typeof loadPostgresStorage>>;

let storage: Storage;
let database: TestDatabase;
let config: OmsConfig;
let drivers: StorageDrivers;

beforeAll(async () => {
  storage = await loadPostgresStorage();
  database = await createTestDatabase('relay_leases');
  config = postgresTestConfig(database.dsn, { OMS_OUTBOX_PARTITIONS: String(PARTITIONS), OMS_OUTBOX_LEASE_TTL: `${TTL_MS}ms` });
  await storage.runMigrations(storage.postgresSettingsOf(config));
  drivers = await storage.createPostgresDrivers(config);
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

/** Every publication, with a check that the publishing replica alone holds the row's partition. */
class CheckedBroker {
  readonly broker = new MemoryBroker();
  readonly violations: string[] = [];
  readonly replicas = new Map<string, RelayLeases>();
  inFlight = 0;
  private gate: Promise<void> | undefined;

  /** Publications wait from now on until the returned function is called. */
  hold(): () => void {
    let open: () => void = () => undefined;
    this.gate = new Promise((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }

  publisherOf(name: string): MessagePublisher {
    return new ReplicaPublisher(this, name);
  }

  async publishAs(name: string, messages: readonly BrokerMessage[]): Promise<void> {
    this.inFlight++;
    try {
      if (this.gate) await this.gate;
      for (const message of messages) if (message.topic === TOPIC) this.check(name, message);
      await this.broker.publish(messages);
    } finally {
      this.inFlight--;
    }
  }

  private check(name: string, message: BrokerMessage): void {
    const partition = outboxPartition(message.key, PARTITIONS);
    for (const [other, leases] of this.replicas) {
      const holds = leases.status().partitions.includes(partition);
      if (other === name && !holds) this.violations.push(`${name} published partition ${partition} it does not hold`);
      if (other !== name && holds) this.violations.push(`${name} published partition ${partition} held by ${other}`);
    }
  }

  /** Values of `key` in the order they reached the topic. */
  delivered(key: string): string[] {
    return this.broker
      .messages(TOPIC)
      .filter((message) => message.key === key)
      .sort((a, b) => Number(a.offset) - Number(b.offset))
      .map((message) => message.value);
  }
}

class ReplicaPublisher extends MessagePublisher {
  constructor(
    private readonly target: CheckedBroker,
    private readonly name: string,
  ) {
    super();
  }

  publish(messages: readonly BrokerMessage[]): Promise<void> {
    return this.target.publishAs(this.name, messages);
  }
}

interface Replica {
  readonly name: string;
  readonly leases: RelayLeases;
  readonly relay: OutboxRelay;
  /** Graceful: finishes the batch, releases the leases. */
  stop(): Promise<void>;
  /** Like kill -9: the loop ends, nothing is released, the heartbeat stops. */
  kill(): Promise<void>;
}

const running: Replica[] = [];

async function startReplica(name: string, target: CheckedBroker): Promise<Replica> {
  const leases = await storage.openPostgresOutboxLeases(config, { owner: `${name}-${randomUUID().slice(0, 8)}` });
  target.replicas.set(name, leases);
  let killed = false;
  // A killed process gives nothing back: its release() is never reached.
  const assignment: PartitionAssignment = {
    owned: () => leases.owned(),
    release: () => (killed ? Promise.resolve() : leases.release()),
    onChange: (listener) => leases.onChange(listener),
  };
  const relay = new OutboxRelay({ outbox: drivers.outbox, publisher: target.publisherOf(name), options: relayOptions, assignment, logger: silent });
  relay.start();
  const replica: Replica = {
    name,
    leases,
    relay,
    async stop() {
      await relay.stop();
      await leases.close();
      target.replicas.delete(name);
    },
    async kill() {
      killed = true;
      await leases.close(); // the heartbeat stops first, as it would with the process
      await relay.stop();
      target.replicas.delete(name);
    },
  };
  running.push(replica);
  return replica;
}

afterEach(async () => {
  for (const replica of running.splice(0)) if (replica.relay.isRunning) await replica.stop();
});

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const held = (replicas: readonly Replica[]): number[][] => replicas.map((replica) => [...replica.leases.status().partitions]);
const covers = (partitions: readonly number[][]): boolean => {
  const all = partitions.flat().sort((a, b) => a - b);
  return all.length === PARTITIONS && all.every((partition, index) => partition === index);
};

async function commit(key: string, value: string): Promise<void> {
  const messageId = randomUUID();
  await drivers.unitOfWork.commit(
    { outbox: [{ messageId, topic: TOPIC, key, payload: value, headers: { ce_id: messageId } }] },
    new Date(),
  );
}

async function pending(): Promise<number> {
  return (await drivers.outbox.stats()).pending;
}

describe('outbox relays sharing partitions through PostgreSQL leases', () => {
  it('3 relays share 16 partitions 6/5/5; when one stops, the other two take its partitions over', async () => {
    const target = new CheckedBroker();
    const replicas = [await startReplica('r1', target), await startReplica('r2', target), await startReplica('r3', target)];
    await until('a fair split of three', () => {
      const now = held(replicas);
      return covers(now) && now.every((partitions) => partitions.length >= 5 && partitions.length <= 6);
    });
    expect(held(replicas).map((partitions) => partitions.length).sort()).toEqual([5, 5, 6]);

    const leaving = held(replicas)[1];
    await replicas[1].stop();
    const stoppedAt = Date.now();
    const survivors = [replicas[0], replicas[2]];
    await until('the two survivors hold 8 partitions each', () => {
      const now = held(survivors);
      return covers(now) && now.every((partitions) => partitions.length === 8);
    });
    // Released leases are free at once: no TTL to wait out after a graceful stop.
    expect(Date.now() - stoppedAt).toBeLessThan(TTL_MS * 4);
    expect(held(survivors).flat()).toEqual(expect.arrayContaining(leaving));

    // Rows of every partition still go out, each from the one relay that holds it.
    const keys = Array.from({ length: 32 }, (_, i) => `order-${randomUUID()}-${i}`);
    for (const key of keys) await commit(key, `${key}#0`);
    await until('every row is published', async () => (await pending()) === 0);
    for (const key of keys) expect(target.delivered(key)).toEqual([`${key}#0`]);
    expect(target.violations).toEqual([]);
  });

  it('keeps each order in stream order while relays join and leave under a steady write load', async () => {
    const target = new CheckedBroker();
    const orders = Array.from({ length: 24 }, (_, i) => `order-${randomUUID()}-${i}`);
    const written = new Map(orders.map((key) => [key, 0]));
    let keepWriting = true;
    // Four writers, each committing its orders' events in version order, interleaved with the
    // others, until every move below is done.
    const writers = [0, 1, 2, 3].map(async (writer) => {
      const mine = orders.filter((_, i) => i % 4 === writer);
      while (keepWriting) {
        for (const key of mine) {
          const version = (written.get(key) ?? 0) + 1;
          await commit(key, `${key}#${version}`);
          written.set(key, version);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });

    const first = await startReplica('r1', target);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await startReplica('r2', target);
    const third = await startReplica('r3', target);
    await until('three relays split the partitions', () => held([first, second, third]).every((partitions) => partitions.length >= 5));
    await first.stop(); // its partitions move to r2 and r3 mid-stream
    await until('r2 and r3 hold everything', () => covers(held([second, third])));
    const fourth = await startReplica('r4', target); // and some move again
    await until('three relays split the partitions again', () =>
      held([second, third, fourth]).every((partitions) => partitions.length >= 5),
    );
    keepWriting = false;
    await Promise.all(writers);

    await until('every row is published', async () => (await pending()) === 0, 60_000);
    for (const key of orders) {
      const count = written.get(key) ?? 0;
      expect(count).toBeGreaterThan(3);
      expect(target.delivered(key)).toEqual(Array.from({ length: count }, (_, i) => `${key}#${i + 1}`));
    }
    expect(target.violations).toEqual([]);
  });

  it('hands partitions to a joining relay only after the in-flight batch is done', async () => {
    const target = new CheckedBroker();
    const r1 = await startReplica('r1', target);
    await until('r1 holds every partition', () => held([r1])[0].length === PARTITIONS);

    const open = target.hold();
    const keys = Array.from({ length: 16 }, (_, i) => `order-${randomUUID()}-${i}`);
    for (const key of keys) await commit(key, `${key}#1`);
    await until('r1 is stuck mid-batch', () => target.inFlight > 0);

    const r2 = await startReplica('r2', target);
    // Well past the TTL: r1 keeps renewing everything it holds while its batch is in flight.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS * 2));
    expect(held([r1, r2]).map((partitions) => partitions.length)).toEqual([PARTITIONS, 0]);

    open();
    await until('r1 and r2 hold 8 partitions each', () => held([r1, r2]).every((partitions) => partitions.length === 8));
    await until('every row is published', async () => (await pending()) === 0);
    for (const key of keys) expect(target.delivered(key)).toEqual([`${key}#1`]);
    expect(target.violations).toEqual([]);
  });

  it('takes over the partitions of a killed relay (no release) once their leases expire, and publishes their rows', async () => {
    const target = new CheckedBroker();
    const [r1, r2] = [await startReplica('r1', target), await startReplica('r2', target)];
    await until('an even split of two', () => held([r1, r2]).every((partitions) => partitions.length === 8));
    const orphaned = held([r2])[0];
    await r2.kill();

    // Its leases are still valid: r1 must not touch those partitions yet.
    expect(held([r1])[0].some((partition) => orphaned.includes(partition))).toBe(false);
    const stillLeased = await sql<{ partition: number }>(
      `SELECT partition FROM outbox_leases WHERE owner = $1 AND lease_until > now()`,
      [r2.leases.owner],
    );
    expect(stillLeased.length).toBeGreaterThan(0);

    const keys = Array.from({ length: 40 }, (_, i) => `order-${randomUUID()}-${i}`).filter((key) =>
      orphaned.includes(outboxPartition(key, PARTITIONS)),
    );
    for (const key of keys) await commit(key, `${key}#1`);
    await until('r1 holds all 16 partitions', () => held([r1])[0].length === PARTITIONS, TTL_MS * 10);
    await until('the orphaned rows are published', async () => (await pending()) === 0);
    for (const key of keys) expect(target.delivered(key)).toEqual([`${key}#1`]);
    expect(target.violations).toEqual([]);
  });
});

/** One statement on the test database, for looking at the leases table. */
async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
