// Ports for the processes a run starts (apps, brokers, PostgreSQL clusters), picked below the
// kernel's ephemeral range. Outgoing connections take their local ports from that range, so a
// port found free there can be taken by some client socket (a PostgreSQL or Kafka connection)
// between the check and the app's bind, or while a killed app waits to start again on it.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;
const handedOut = new Set();
let next;

/** The lowest port of the ephemeral range (Linux's default when it cannot be read). */
export function ephemeralFloor(read = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')) {
  try {
    const low = Number(read().trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that is free now, below the ephemeral range, and not handed out before by this process.
 * Each process starts its scan at a random offset, so runs side by side rarely meet (pids of
 * processes started together are close, so an offset derived from them would not spread them).
 */
export async function freePort() {
  const ceiling = ephemeralFloor();
  const span = ceiling - LOWEST;
  if (span >= 1_000) {
    next ??= LOWEST + randomInt(span);
    for (let tried = 0; tried < span; tried++) {
      const port = LOWEST + ((next - LOWEST + tried) % span);
      if (handedOut.has(port) || !(await bindable(port))) continue;
      next = port + 1;
      handedOut.add(port);
      return port;
    }
  }
  return anyPort(); // an unusual range: let the OS pick
}

function anyPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
