import { createServer, type Server } from 'node:net';
import { testKafka } from './kafka.testing';
import { probeTcp } from './service-probe';

async function listening(): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, address: `127.0.0.1:${port}` };
}

async function closedPort(): Promise<string> {
  const { server, address } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return address;
}

describe('probeTcp', () => {
  it('resolves when something listens and rejects with the reason when nothing does', async () => {
    const { server, address } = await listening();
    try {
      await expect(probeTcp(address)).resolves.toBeUndefined();
    } finally {
      server.close();
    }
    await expect(probeTcp(await closedPort())).rejects.toThrow(/ECONNREFUSED/);
    await expect(probeTcp('no-port-here')).rejects.toThrow(/not host:port/);
  });
});

describe('testKafka with OMS_TEST_KAFKA_BROKERS', () => {
  const saved = process.env['OMS_TEST_KAFKA_BROKERS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['OMS_TEST_KAFKA_BROKERS'];
    else process.env['OMS_TEST_KAFKA_BROKERS'] = saved;
  });

  it('hands out the configured brokers when one of them answers', async () => {
    const { server, address } = await listening();
    try {
      process.env['OMS_TEST_KAFKA_BROKERS'] = ` ${await closedPort()}, ${address} `;
      const kafka = await testKafka();
      expect(kafka.source).toBe('OMS_TEST_KAFKA_BROKERS');
      expect(kafka.brokers).toHaveLength(2);
      expect(kafka.brokers[1]).toBe(address);
      expect(kafka.mock).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('fails, naming the variable, the address and the alternatives, when no configured broker answers', async () => {
    const address = await closedPort();
    process.env['OMS_TEST_KAFKA_BROKERS'] = address;
    const failure = testKafka();
    await expect(failure).rejects.toThrow(`OMS_TEST_KAFKA_BROKERS=${address}, but no broker answers there`);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    await expect(failure).rejects.toThrow(/Testcontainers .* tools\/kafka-mock/);
  });
});
