// The fault proxy over real sockets: an echo server behind it, a client in front.
//   node --test tools/fault-proxy/
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy } from './fault-proxy.mjs';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** An echo server that counts the connections it accepted. */
async function startEcho() {
  const sockets = new Set();
  const echo = { accepted: 0, closed: 0 };
  const server = createServer((socket) => {
    echo.accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      echo.closed += 1;
      sockets.delete(socket);
    });
    socket.pipe(socket);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  echo.address = `127.0.0.1:${server.address().port}`;
  echo.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => server.close(done));
  };
  return echo;
}

/** A connected client that collects what it reads. */
async function client(port) {
  const socket = connect({ host: '127.0.0.1', port });
  const state = { socket, received: Buffer.alloc(0), error: undefined, closed: false };
  socket.on('data', (chunk) => (state.received = Buffer.concat([state.received, chunk])));
  socket.on('error', (error) => (state.error = error));
  socket.on('close', () => (state.closed = true));
  await new Promise((done, fail) => {
    socket.once('connect', done);
    socket.once('error', fail);
  });
  return state;
}

async function until(condition, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('fault proxy', () => {
  let echo;
  let proxy;
  const opened = [];
  const open = async () => {
    const state = await client(proxy.port);
    opened.push(state);
    return state;
  };

  before(async () => {
    echo = await startEcho();
    proxy = await startFaultProxy({ upstream: echo.address, name: 'echo' });
  });
  after(async () => {
    for (const state of opened) state.socket.destroy();
    await proxy.stop();
    await echo.stop();
  });

  it('passes bytes unchanged both ways, more than its queue holds', async () => {
    proxy.set({});
    const state = await open();
    const payload = randomBytes(3 * 1024 * 1024);
    state.socket.write(payload);
    await until(() => state.received.length >= payload.length);
    assert.ok(state.received.equals(payload));
  });

  it('adds the latency to each direction', async () => {
    proxy.set({ latencyMs: 150 });
    const state = await open();
    const sent = Date.now();
    state.socket.write('ping');
    await until(() => state.received.length === 4);
    const roundTrip = Date.now() - sent;
    assert.ok(roundTrip >= 290, `round trip ${roundTrip} ms, expected >= 300 ms`);
    assert.ok(roundTrip < 2_000, `round trip ${roundTrip} ms`);
    proxy.set({});
  });

  it('limits the bandwidth', async () => {
    proxy.set({ bytesPerSecond: 200_000 });
    const state = await open();
    const sent = Date.now();
    state.socket.write(randomBytes(100_000));
    await until(() => state.received.length === 100_000);
    const took = Date.now() - sent;
    // 100 kB at 200 kB/s is 500 ms upstream and again on the way back; the echo overlaps them.
    assert.ok(took >= 480, `100 kB took ${took} ms at 200 kB/s`);
    proxy.set({});
  });

  it('blackholes: an open connection stays open and silent, then the held bytes flow when it ends', async () => {
    proxy.set({});
    const state = await open();
    proxy.set({ blackhole: true });
    state.socket.write('held');
    await sleep(400);
    assert.equal(state.received.length, 0);
    assert.equal(state.closed, false);
    proxy.set({});
    await until(() => state.received.toString() === 'held');
  });

  it('blackholes: a new connection is accepted but nothing is opened behind it', async () => {
    proxy.set({ blackhole: true });
    const acceptedBefore = echo.accepted;
    const state = await open();
    state.socket.write('hello');
    await sleep(400);
    assert.equal(echo.accepted, acceptedBefore, 'no upstream connection while blackholed');
    assert.equal(state.received.length, 0);
    assert.equal(state.closed, false);
    proxy.set({});
    await until(() => state.received.toString() === 'hello');
    assert.equal(echo.accepted, acceptedBefore + 1);
  });

  it('reset destroys every connection on both sides', async () => {
    proxy.set({});
    const state = await open();
    state.socket.write('x');
    await until(() => state.received.length === 1);
    const closedBefore = echo.closed;
    proxy.reset();
    await until(() => state.closed);
    assert.equal(state.error?.code, 'ECONNRESET');
    await until(() => echo.closed > closedBefore);
    assert.equal(proxy.stats().open, 0);
  });

  it('refuses unknown or negative faults, naming them', () => {
    assert.throws(() => proxy.set({ latency: 5 }), /unknown fault latency/);
    assert.throws(() => proxy.set({ latencyMs: -1 }), /latencyMs must be a number >= 0/);
    assert.throws(() => proxy.set({ blackhole: 'yes' }), /blackhole must be true or false/);
  });
});
