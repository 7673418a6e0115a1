// deploy/node-start.sh: the heap bound it derives from a (fake) cgroup memory limit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'oms-node-start-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A stand-in `node` that prints the arguments it got.
mkdirSync(join(dir, 'bin'));
writeFileSync(join(dir, 'bin', 'node'), '#!/bin/sh\necho "$@"\n');
chmodSync(join(dir, 'bin', 'node'), 0o755);

function start({ memoryMax, v1Limit, env = {} }) {
  const cgroup = mkdtempSync(join(dir, 'cgroup-'));
  if (memoryMax !== undefined) writeFileSync(join(cgroup, 'memory.max'), `${memoryMax}\n`);
  if (v1Limit !== undefined) {
    mkdirSync(join(cgroup, 'memory'));
    writeFileSync(join(cgroup, 'memory', 'memory.limit_in_bytes'), `${v1Limit}\n`);
  }
  return execFileSync('sh', [join(ROOT, 'deploy/node-start.sh'), '/app'], {
    env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, OMS_CGROUP_ROOT: cgroup, ...env },
    encoding: 'utf8',
  }).trim();
}

test('half of a cgroup v2 memory limit becomes the heap bound', () => {
  assert.equal(start({ memoryMax: 512 * 1024 * 1024 }), '--max-old-space-size=256 /app');
});

test('a cgroup v1 limit counts too, and the share can be changed', () => {
  assert.equal(start({ v1Limit: 400 * 1024 * 1024, env: { OMS_NODE_HEAP_PERCENT: '75' } }), '--max-old-space-size=300 /app');
});

test('no limit means no bound', () => {
  assert.equal(start({ memoryMax: 'max' }), '/app');
  assert.equal(start({ v1Limit: '9223372036854771712' }), '/app');
  assert.equal(start({}), '/app');
});

test('OMS_NODE_HEAP_MB overrides the derived bound, 0 turns it off', () => {
  assert.equal(start({ memoryMax: 512 * 1024 * 1024, env: { OMS_NODE_HEAP_MB: '180' } }), '--max-old-space-size=180 /app');
  assert.equal(start({ memoryMax: 512 * 1024 * 1024, env: { OMS_NODE_HEAP_MB: '0' } }), '/app');
});

test('a bound already in NODE_OPTIONS wins', () => {
  assert.equal(start({ memoryMax: 512 * 1024 * 1024, env: { NODE_OPTIONS: '--max-old-space-size=384' } }), '/app');
});
