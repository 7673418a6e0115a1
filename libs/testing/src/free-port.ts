import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports for the apps a test starts, picked below the kernel's ephemeral range: outgoing
// connections take their local ports from that range, so a port found free there can be taken
// by a client socket between the check and the app's bind (tools/e2e/lib/free-port.mjs does the
// same for the run tools).
const LOWEST = 10_000;
const handedOut = new Set<number>();
let next: number | undefined;

function ephemeralFloor(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A port free now, below the ephemeral range, not handed out before by this process (each process scans from a random offset: pids of workers started together are close). */
export async function freePort(): Promise<number> {
  const span = ephemeralFloor() - LOWEST;
  if (span < 1_000) return anyPort(); // an unusual range: let the OS pick
  next ??= LOWEST + randomInt(span);
  for (let tried = 0; tried < span; tried++) {
    const port = LOWEST + ((next - LOWEST + tried) % span);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    next = port + 1;
    handedOut.add(port);
    return port;
  }
  return anyPort();
}
