import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './free-port';

const floor = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

it('hands out distinct ports below the ephemeral range that an app can bind', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 10; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(floor);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

it('skips a port something listens on', async () => {
  const taken = await freePort();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(taken + 1, '127.0.0.1', resolve));
  try {
    expect(await freePort()).not.toBe(taken + 1);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
