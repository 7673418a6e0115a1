// The command-line front of the fault proxy, as a user drives it: a child process, stdin commands.
//   node --test tools/fault-proxy/
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseFaults, parseLink } from './cli.mjs';

const CLI = fileURLToPath(new URL('./cli.mjs', import.meta.url));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

describe('fault-proxy cli', () => {
  it('parses links and faults, refusing malformed ones', () => {
    assert.deepEqual(parseLink('pg=15432:127.0.0.1:5432'), { name: 'pg', listen: 15432, upstream: '127.0.0.1:5432' });
    assert.throws(() => parseLink('pg:5432'), /name=LISTEN_PORT:HOST:PORT/);
    assert.deepEqual(parseFaults(['latencyMs=300', 'blackhole=true']), { latencyMs: 300, blackhole: true });
    assert.throws(() => parseFaults(['blackhole']), /name=value/);
  });

  it('exits 2 with the usage on a bad link', () => {
    const result = spawnSync(process.execPath, [CLI, 'nonsense'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /name=LISTEN_PORT:HOST:PORT/);
  });

  describe('a running proxy', () => {
    let echo;
    let child;
    let lines = [];
    const nextLine = async () => {
      const deadline = Date.now() + 5_000;
      while (lines.length === 0) {
        if (Date.now() > deadline) throw new Error('no line from the cli');
        await sleep(10);
      }
      return lines.shift();
    };
    const command = async (text) => {
      child.stdin.write(`${text}\n`);
      return nextLine();
    };

    before(async () => {
      echo = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
      await new Promise((done) => echo.listen(0, '127.0.0.1', done));
      child = spawn(process.execPath, [CLI, `echo=0:127.0.0.1:${echo.address().port}`], { stdio: ['pipe', 'pipe', 'inherit'] });
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        const parts = buffered.split('\n');
        buffered = parts.pop();
        lines.push(...parts);
      });
    });
    after(async () => {
      child.kill('SIGTERM');
      await new Promise((done) => echo.close(done));
    });

    it('announces the link, then blackholes and heals it on command', async () => {
      const [, address] = (await nextLine()).split(' ');
      const socket = connect({ host: '127.0.0.1', port: Number(address.split(':')[1]) });
      let received = '';
      let resetSeen;
      socket.on('data', (chunk) => (received += chunk));
      socket.on('error', (error) => (resetSeen = error.code));
      await new Promise((done) => socket.once('connect', done));
      assert.equal(await command('set echo blackhole=true'), 'ok');
      socket.write('quiet');
      await sleep(300);
      assert.equal(received, '');
      assert.equal(await command('set echo'), 'ok');
      const deadline = Date.now() + 5_000;
      while (received !== 'quiet' && Date.now() < deadline) await sleep(10);
      assert.equal(received, 'quiet');
      assert.match(await command('set echo latency=3'), /^error: fault-proxy: unknown fault latency/);
      assert.match(await command('reset other'), /^error: unknown link "other"/);
      assert.equal(await command('reset echo'), 'ok');
      while (resetSeen === undefined && Date.now() < deadline + 5_000) await sleep(10);
      assert.equal(resetSeen, 'ECONNRESET');
      lines = [];
    });
  });
});
