import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envOverrides } from './env-overrides.mjs';

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
