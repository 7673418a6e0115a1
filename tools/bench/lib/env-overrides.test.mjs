import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletesSentRows, envOverrides } from './env-overrides.mjs';

test('reads NAME=VALUE pairs, a value may hold = and be empty', () => {
  assert.deepEqual(envOverrides(['OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT=20ms', 'OMS_X=a=b', 'OMS_EMPTY=']), {
    OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '20ms',
    OMS_X: 'a=b',
    OMS_EMPTY: '',
  });
  assert.deepEqual(envOverrides([]), {});
});

test('refuses a pair without a name or with a lower-case one, naming it', () => {
  assert.throws(() => envOverrides(['20ms']), /--env takes NAME=VALUE .*got "20ms"/);
  assert.throws(() => envOverrides(['oms_x=1']), /got "oms_x=1"/);
});

test('tells a retention of 0, in any unit, from any other', () => {
  for (const zero of ['0', '0s', '0ms', '00m', '0.0h']) assert.equal(deletesSentRows({ OMS_OUTBOX_RETENTION: zero }), true, zero);
  for (const kept of ['1h', '10ms', '0.5s', '', 'abc']) assert.equal(deletesSentRows({ OMS_OUTBOX_RETENTION: kept }), false, kept);
  assert.equal(deletesSentRows({}), false);
});
