import { PostgresOutboxLeases } from './outbox-leases.postgres';
import type { SqlExecutor } from './postgres-database';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

const PARTITIONS = 16;
const TTL_MS = 900;

let database: MigratedTestDatabase;
let replicas: PostgresOutboxLeases[] = [];

beforeAll(async () => {
  database = await createMigratedTestDatabase('outbox_leases');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql.query('DELETE FROM outbox_leases');
  await database.sql.query('DELETE FROM outbox_relay_members');
});

afterEach(async () => {
  for (const replica of replicas) await replica.close();
  replicas = [];
});

function replica(owner: string): PostgresOutboxLeases {
  const leases = new PostgresOutboxLeases(database.sql, { partitions: PARTITIONS, leaseTtlMs: TTL_MS, owner });
  replicas.push(leases);
  return leases;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Asks every replica, as its relay does between batches; returns what each holds. */
async function round(members: readonly PostgresOutboxLeases[]): Promise<number[][]> {
  return Promise.all(members.map(async (member) => [...(await member.owned())]));
}

function disjointCover(held: readonly number[][]): boolean {
  const all = held.flat().sort((a, b) => a - b);
  return all.length === PARTITIONS && all.every((partition, index) => partition === index);
}

/** Lease rows as the database has them: partition -> owner, for the live leases. */
async function liveLeases(): Promise<Map<number, string>> {
  const { rows } = await database.sql.query<{ partition: number; owner: string }>(
    'SELECT partition, owner FROM outbox_leases WHERE lease_until > now() ORDER BY partition',
  );
  return new Map(rows.map((row) => [row.partition, row.owner]));
}

describe('PostgresOutboxLeases', () => {
  it('splits 16 partitions between 3 replicas 6/5/5, disjoint and complete, as the database records them', async () => {
    const members = [replica('relay-a'), replica('relay-b'), replica('relay-c')];
    let held: number[][] = [];
    await until('the replicas agree on a fair split', async () => {
      held = await round(members);
      return disjointCover(held) && held.every((partitions) => partitions.length >= 5 && partitions.length <= 6);
    });
    expect(held.map((partitions) => partitions.length).sort()).toEqual([5, 5, 6]);

    const leases = await liveLeases();
    members.forEach((member, index) => {
      for (const partition of held[index]) expect(leases.get(partition)).toBe(member.owner);
    });
    expect(members.every((member) => member.heartbeatFresh())).toBe(true);
    expect(members.map((member) => member.status().members)).toEqual([3, 3, 3]);
  });

  it('moves the partitions of a replica that stops gracefully to the others', async () => {
    const [a, b, c] = [replica('relay-a'), replica('relay-b'), replica('relay-c')];
    await until('a fair split of three', async () => {
      const held = await round([a, b, c]);
      return disjointCover(held) && held.every((partitions) => partitions.length >= 5);
    });
    const leaving = [...(await b.owned())];
    expect(leaving.length).toBeGreaterThanOrEqual(5);

    await b.release();
    expect([...(await liveLeases()).values()]).not.toContain('relay-b');
    const startedAt = Date.now();
    let held: number[][] = [];
    await until('the two others hold everything, 8 each', async () => {
      held = await round([a, c]);
      return disjointCover(held) && held.every((partitions) => partitions.length === 8);
    });
    // Released leases are free at once; the rest follows the next heartbeat of each survivor.
    expect(Date.now() - startedAt).toBeLessThan(TTL_MS * 4);
    for (const partition of leaving) expect(held.flat()).toContain(partition);
  });

  it('takes over the partitions of a replica that died (no release) only after its leases expire', async () => {
    const [a, b] = [replica('relay-a'), replica('relay-b')];
    await until('a fair split of two', async () => {
      const held = await round([a, b]);
      return disjointCover(held) && held.every((partitions) => partitions.length === 8);
    });
    const orphaned = [...(await b.owned())];
    await b.close(); // stops heartbeating, gives nothing up: a killed process

    // Right after the death the leases still name b: a may not publish its partitions yet.
    const immediately = [...(await a.owned())];
    expect(immediately.some((partition) => orphaned.includes(partition))).toBe(false);
    const leases = await liveLeases();
    expect(orphaned.filter((partition) => leases.get(partition) === 'relay-b').length).toBeGreaterThan(0);

    await until('a holds every partition', async () => (await a.owned()).length === PARTITIONS, TTL_MS * 8);
    expect([...(await liveLeases()).values()].every((owner) => owner === 'relay-a')).toBe(true);
  });

  it('hands partitions over only when asked between batches; a heartbeat alone keeps them and signals the change', async () => {
    const a = replica('relay-a');
    expect(await a.owned()).toHaveLength(PARTITIONS);
    let signalled = 0;
    a.onChange(() => signalled++);

    const b = replica('relay-b');
    expect(await b.owned()).toEqual([]); // everything is leased to a
    // a's relay is "mid-batch" (owned() not called): its timer renews, gives nothing away.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS * 1.5));
    expect(await b.owned()).toEqual([]);
    expect([...(await liveLeases()).values()].filter((owner) => owner === 'relay-a')).toHaveLength(PARTITIONS);
    await until('a is told to give partitions up', async () => signalled > 0);

    expect(await a.owned()).toHaveLength(8); // between batches: the excess goes
    await until('b takes the rest', async () => (await b.owned()).length === 8);
    expect(disjointCover(await round([a, b]))).toBe(true);
  });

  it('stops offering partitions once its leases may have expired, even while the database is unreachable', async () => {
    let down = false;
    const flaky = {
      query: database.sql.query.bind(database.sql),
      transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) =>
        down ? Promise.reject(new Error('connection refused (simulated)')) : database.sql.transaction(work),
    };
    const a = new PostgresOutboxLeases(flaky, { partitions: PARTITIONS, leaseTtlMs: TTL_MS, owner: 'relay-a' });
    replicas.push(a);
    expect(await a.owned()).toHaveLength(PARTITIONS);

    down = true;
    // Within the lease the cached partitions stay usable without a round trip...
    expect(a.status().partitions).toHaveLength(PARTITIONS);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    // ...after it, none: another replica may have taken them over.
    await expect(a.owned()).rejects.toThrow('connection refused');
    expect(a.status().partitions).toEqual([]);
    expect(a.heartbeatFresh()).toBe(false);
  });
});
