// The campaigns tell a crash of the mock broker (a test double) from a finding about OMS: the
// handle of a mock cluster that ended on its own says so, one that was stopped does not.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildKafkaMock, startKafkaMock } from './kafka.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const binary = buildKafkaMock(ROOT, join(tmpdir(), 'oms-e2e-kafka-mock', 'kafka-mock'));

test('a mock cluster that aborts reports it, with its signal', async () => {
  const kafka = await startKafkaMock(binary, ['t:1'], new PassThrough());
  assert.equal(kafka.crashed(), undefined);
  const ended = once(kafka.child, 'exit');
  kafka.child.kill('SIGABRT'); // as a failed librdkafka assertion ends it
  await ended;
  assert.match(kafka.crashed() ?? '', /^kafka-mock ended on its own \(SIGABRT\)/);
});

test('a mock cluster that was stopped reports no crash', async () => {
  const kafka = await startKafkaMock(binary, ['t:1'], new PassThrough());
  await kafka.stop();
  assert.equal(kafka.crashed(), undefined);
});
