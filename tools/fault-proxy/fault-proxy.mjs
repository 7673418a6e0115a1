// A TCP proxy for one link (client -> upstream) whose network can be made worse at run time:
// added latency, a bandwidth limit, a blackhole (connections stay open, nothing passes, as on a
// path that went silent without closing) and a reset (every connection destroyed). The chaos
// run puts one in front of PostgreSQL, the broker and the partners per app (tools/chaos).
import { connect, createServer } from 'node:net';

/** Bytes queued per direction before the sending side is paused. */
const HIGH_WATER_BYTES = 1 << 20;

/**
 * @typedef {object} LinkFaults
 * @property {number} [latencyMs] added to every chunk, each direction (0 = none)
 * @property {number} [bytesPerSecond] rate of each direction of each connection (0 = unlimited)
 * @property {boolean} [blackhole] hold every byte (both directions) and open no upstream connection
 */

const NO_FAULTS = Object.freeze({ latencyMs: 0, bytesPerSecond: 0, blackhole: false });

function checkedFaults(faults) {
  const merged = { ...NO_FAULTS, ...faults };
  const unknown = Object.keys(faults).filter((key) => !(key in NO_FAULTS));
  if (unknown.length) throw new Error(`fault-proxy: unknown fault ${unknown.join(', ')} (known: ${Object.keys(NO_FAULTS).join(', ')})`);
  for (const key of ['latencyMs', 'bytesPerSecond']) {
    if (!Number.isFinite(merged[key]) || merged[key] < 0) throw new Error(`fault-proxy: ${key} must be a number >= 0, got ${merged[key]}`);
  }
  if (typeof merged.blackhole !== 'boolean') throw new Error(`fault-proxy: blackhole must be true or false, got ${merged.blackhole}`);
  return merged;
}

/**
 * One direction of one connection: chunks leave in order, each no earlier than its arrival plus
 * the latency and its turn at the bandwidth limit, and not at all while the link is blackholed.
 */
class Pump {
  constructor(source, link) {
    this.source = source;
    this.link = link;
    this.queue = []; // { chunk, due }
    this.queued = 0;
    this.nextFree = 0; // when the bandwidth limit lets the next chunk start
    this.timer = undefined;
    this.target = undefined;
    this.ended = false; // the source half-closed: end the target once the queue is sent
  }

  end() {
    this.ended = true;
    this.flush();
  }

  push(chunk) {
    const { latencyMs, bytesPerSecond } = this.link.faults;
    const now = Date.now();
    let due = now + latencyMs;
    if (bytesPerSecond > 0) {
      const start = Math.max(due, this.nextFree);
      this.nextFree = start + (chunk.length * 1000) / bytesPerSecond;
      due = this.nextFree;
    }
    // Never overtake an earlier chunk.
    if (this.queue.length) due = Math.max(due, this.queue.at(-1).due);
    this.queue.push({ chunk, due });
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER_BYTES) this.source.pause();
    this.flush();
  }

  /** Sends every chunk that is due, then waits for the next one. */
  flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.target || this.link.faults.blackhole || this.target.destroyed) return;
    const now = Date.now();
    while (this.queue.length && this.queue[0].due <= now) {
      const { chunk } = this.queue.shift();
      this.queued -= chunk.length;
      this.target.write(chunk);
    }
    if (this.queued <= HIGH_WATER_BYTES && this.source.isPaused()) this.source.resume();
    if (!this.queue.length && this.ended) this.target.end();
    if (this.queue.length) this.timer = setTimeout(() => this.flush(), this.queue[0].due - now);
  }

  stop() {
    clearTimeout(this.timer);
    this.queue = [];
  }
}

/**
 * Starts a proxy listening on `listen` (port, default a free one) of 127.0.0.1 that forwards to
 * `upstream` ("host:port"). `set(faults)` replaces the link's faults at run time; `reset()`
 * destroys every open connection (the peers see ECONNRESET).
 */
export async function startFaultProxy({ upstream, listen = 0, host = '127.0.0.1', name = upstream }) {
  const colon = upstream.lastIndexOf(':');
  const target = { host: upstream.slice(0, colon), port: Number(upstream.slice(colon + 1)) };
  const connections = new Set();
  const stats = { accepted: 0, resets: 0 };
  const link = { faults: { ...NO_FAULTS } };

  const server = createServer((client) => {
    stats.accepted += 1;
    const pair = { client, upstream: undefined, up: new Pump(client, link), down: undefined };
    connections.add(pair);
    const close = () => {
      if (!connections.delete(pair)) return;
      pair.up.stop();
      pair.down?.stop();
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', close);
    client.on('close', close);
    client.on('data', (chunk) => pair.up.push(chunk));
    client.on('end', () => pair.up.end());
    pair.open = () => {
      if (pair.upstream || !connections.has(pair)) return;
      const socket = connect(target);
      pair.upstream = socket;
      pair.down = new Pump(socket, link);
      pair.down.target = client;
      socket.setNoDelay(true);
      socket.on('connect', () => {
        pair.up.target = socket;
        pair.up.flush();
      });
      socket.on('data', (chunk) => pair.down.push(chunk));
      socket.on('end', () => pair.down.end());
      socket.on('error', close);
      socket.on('close', close);
    };
    client.setNoDelay(true);
    // A blackholed link accepts (the kernel would have) but opens nothing behind: the client waits.
    if (!link.faults.blackhole) pair.open();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen, host, resolve);
  });
  const { port } = server.address();

  return {
    name,
    upstream,
    port,
    address: `${host}:${port}`,
    get faults() {
      return { ...link.faults };
    },
    /** Replaces the faults (unnamed ones go back to none); held bytes flow again when a blackhole ends. */
    set(faults = {}) {
      link.faults = checkedFaults(faults);
      for (const pair of connections) {
        if (!link.faults.blackhole) pair.open();
        pair.up.flush();
        pair.down?.flush();
      }
    },
    /** Destroys every open connection now, with a TCP reset to both peers. */
    reset() {
      for (const pair of [...connections]) {
        stats.resets += 1;
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
    },
    stats: () => ({ ...stats, open: connections.size }),
    async stop() {
      for (const pair of connections) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
