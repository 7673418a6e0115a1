import { SystemClock, UuidV7IdGenerator } from '@oms/domain';
import { EventSourcedOrderStreams } from '@oms/orders';
import { loadPostgresStorage } from '@oms/storage';
import { createTestDatabase, postgresTestConfig, testConfig, type TestDatabase } from '@oms/testing';
import { Client } from 'pg';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runMigratorCli } from './migrator.cli';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

let database: TestDatabase;
/** Migrations the build ships (read from `status` below, so this spec does not change per migration). */
let total = 0;

beforeAll(async () => {
  database = await createTestDatabase('migrator');
});

afterAll(async () => {
  await database?.drop();
});

async function migrator(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigratorCli(argv, postgresTestConfig(database.dsn), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('migrator CLI', () => {
  it('runs the README sequence: status, up, status, down --steps 1, status, up', async () => {
    const initial = await migrator('migrate', 'status');
    expect(initial.code).toBe(EXIT_OK);
    total = initial.out.filter((line) => line.startsWith('[pending]')).length;
    expect(total).toBeGreaterThanOrEqual(6);
    expect(initial.out.at(-1)).toBe(`0 applied, ${total} pending`);
    const newest = initial.out.filter((line) => line.startsWith('[pending]')).at(-1)?.replace('[pending] ', '');

    const up = await migrator('migrate', 'up');
    expect(up).toMatchObject({ code: EXIT_OK, err: [] });
    expect(up.out.filter((line) => line.startsWith('applied '))).toHaveLength(total);
    expect(up.out.at(-1)).toBe(`${total} migration(s) applied`);

    expect((await migrator('status')).out.at(-1)).toBe(`${total} applied, 0 pending`);

    const down = await migrator('migrate', 'down', '--steps', '1');
    expect(down.code).toBe(EXIT_OK);
    expect(down.out).toEqual([`reverted ${newest}`, '1 migration(s) reverted']);
    const status = await migrator('migrate', 'status');
    expect(status.out).toContain(`[pending] ${newest}`);
    expect(status.out.at(-1)).toBe(`${total - 1} applied, 1 pending`);

    const again = await migrator('up');
    expect(again.out).toEqual([`applied  ${newest}`, '1 migration(s) applied']);
    expect((await migrator('up')).out).toEqual(['nothing to apply: the schema is up to date']);
  });

  it('applies only the requested number of steps', async () => {
    await migrator('down', '--steps', String(total)); // every migration
    const two = await migrator('up', '--steps', '2');
    expect(two.out.at(-1)).toBe('2 migration(s) applied');
    expect((await migrator('status')).out.at(-1)).toBe(`2 applied, ${total - 2} pending`);
    await migrator('up');
  });

  it('rebuilds orders_view from the event store', async () => {
    await migrator('up');
    const storage = await loadPostgresStorage();
    const drivers = await storage.createPostgresDrivers(postgresTestConfig(database.dsn));
    const ids = new UuidV7IdGenerator();
    try {
      const executor = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, new SystemClock(), ids);
      const orderIds = [ids.newId(), ids.newId(), ids.newId()];
      for (const orderId of orderIds) {
        await executor.execute(orderId, [
          { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku: 'A', qty: 3, unitPriceMinor: 250 }] } },
        ]);
      }
      const before = await Promise.all(orderIds.map((id) => drivers.projection.get(id)));
      await sql('DELETE FROM orders_view WHERE order_id = $1', [orderIds[0]]);
      await sql(`UPDATE orders_view SET status = 'PAID', total_minor = 0 WHERE order_id = $1`, [orderIds[1]]);

      const rebuilt = await migrator('projections', 'rebuild', '--batch-size', '2');
      expect(rebuilt.code).toBe(EXIT_OK);
      expect(rebuilt.out.at(-1)).toBe('orders_view rebuilt: 3 order(s), 0 orphaned row(s) removed');
      await expect(Promise.all(orderIds.map((id) => drivers.projection.get(id)))).resolves.toEqual(before);
    } finally {
      await drivers.close();
    }
  });

  it('answers bad usage with exit 2 and the usage text', async () => {
    const result = await migrator('migrate', 'sideways');
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.err[0]).toBe('migrator: unknown command "sideways" (expected: up, down, status)');
    expect(result.err[1]).toMatch(/^Usage: migrator/);
  });

  it('requires a DSN', async () => {
    const err: string[] = [];
    const code = await runMigratorCli(['up'], testConfig(), { out: () => undefined, err: (line) => err.push(line) });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toEqual(['migrator: OMS_POSTGRES_DSN (or OMS_POSTGRES_DSN_FILE) is required']);
  });

  it('fails with exit 1 and a clear message, password redacted, when the database is unreachable', async () => {
    const err: string[] = [];
    const config = postgresTestConfig('postgres://oms:s3cret@127.0.0.1:1/oms');
    const code = await runMigratorCli(['status'], config, { out: () => undefined, err: (line) => err.push(line) });
    expect(code).toBe(EXIT_FAILED);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^migrator: status failed on postgres:\/\/oms:.*@127\.0\.0\.1:1\/oms: .*ECONNREFUSED/);
    expect(err[0]).not.toContain('s3cret');
  });
});
