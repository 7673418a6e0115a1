// Unit tests of the port picker.   node --test tools/e2e/lib/
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ephemeralFloor, freePort } from './free-port.mjs';

describe('freePort', () => {
  it('picks distinct bindable ports below the ephemeral range', async () => {
    const floor = ephemeralFloor();
    const ports = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length);
    for (const port of ports) {
      assert.ok(port >= 10_000 && port < floor, `${port} outside 10000..${floor}`);
      const server = createServer();
      await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('skips a port something listens on', async () => {
    const taken = await freePort();
    const blocker = createServer();
    await new Promise((resolve) => blocker.listen(taken + 1, '127.0.0.1', resolve));
    try {
      assert.notEqual(await freePort(), taken + 1);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('reads the floor of the range, and falls back to the Linux default', () => {
    assert.equal(ephemeralFloor(() => '40000\t60999\n'), 40_000);
    assert.equal(ephemeralFloor(() => 'garbage'), 32_768);
    assert.equal(ephemeralFloor(() => { throw new Error('no /proc'); }), 32_768);
  });
});
