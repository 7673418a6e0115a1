import { createServer } from 'node:net';
import { createTestDatabase } from './postgres.testing';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('testPostgresServer with OMS_TEST_POSTGRES_DSN', () => {
  const saved = process.env['OMS_TEST_POSTGRES_DSN'];
  afterEach(() => {
    if (saved === undefined) delete process.env['OMS_TEST_POSTGRES_DSN'];
    else process.env['OMS_TEST_POSTGRES_DSN'] = saved;
  });

  it('fails creating a test database, naming the server (password hidden) and how to provide one, when it does not answer', async () => {
    const port = await closedPort();
    process.env['OMS_TEST_POSTGRES_DSN'] = `postgres://postgres:secret@127.0.0.1:${port}/postgres`;
    // The first call of this file: the server is chosen (and checked) once, now.
    const failure = createTestDatabase('unreachable');
    await expect(failure).rejects.toThrow(`OMS_TEST_POSTGRES_DSN at postgres://postgres:***@127.0.0.1:${port}/postgres does not answer`);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    await expect(failure).rejects.toThrow(/ensure-postgres\.sh.*Testcontainers/);
    await expect(failure).rejects.not.toThrow(/secret/);
  });
});
