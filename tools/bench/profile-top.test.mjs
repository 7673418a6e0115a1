// Unit tests of the profile summary (no I/O).   node --test tools/bench/
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { areaOf, selfTimes, summarize } from './profile-top.mjs';

const frame = (functionName, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('decideOrder', 'file:///srv/dist/apps/saga-orchestrator/main.cjs', 41) },
    { id: 4, callFrame: frame('parse', 'file:///srv/node_modules/pg-protocol/dist/parser.js', 9) },
    { id: 5, callFrame: frame('writeBuffer', 'node:internal/net', 2) },
    { id: 6, callFrame: frame('encode', 'file:///srv/node_modules/@grpc/grpc-js/build/src/x.js', 4) },
  ],
  // 10 ms idle, 6 ms OMS, 3 ms pg-protocol, 1 ms Node, no grpc sample
  samples: [2, 3, 3, 4, 5, 2, 3, 4, 3, 4],
  timeDeltas: [5000, 2000, 2000, 1000, 1000, 5000, 1000, 1000, 1000, 1000],
};

describe('profile summary', () => {
  it('adds the time deltas of each node', () => {
    const times = selfTimes(PROFILE);
    assert.equal(times.get(2), 10);
    assert.equal(times.get(3), 6);
    assert.equal(times.get(4), 3);
    assert.equal(times.get(6), undefined);
  });

  it('leaves out the samples of the first milliseconds asked for', () => {
    // The first 10 ms of samples: 5 idle, 2 + 2 OMS, 1 pg-protocol.
    const times = selfTimes(PROFILE, 10);
    assert.equal(times.get(2), 5);
    assert.equal(times.get(3), 2);
    assert.equal(times.get(4), 2);
    assert.equal(times.get(5), 1);
    assert.match(summarize(PROFILE, 5, 10), /^after the first 0\.01 s: sampled 0\.0 s/);
  });

  it('puts frames into areas: npm package (scoped too), Node, OMS, V8', () => {
    assert.equal(areaOf(frame('x', 'file:///a/node_modules/@grpc/grpc-js/build/src/x.js')), '@grpc/grpc-js');
    assert.equal(areaOf(frame('x', 'file:///a/node_modules/pg/lib/client.js')), 'pg');
    assert.equal(areaOf(frame('x', 'node:internal/streams')), 'node:internal');
    assert.equal(areaOf(frame('x', 'file:///a/dist/apps/order-api/main.cjs')), 'OMS');
    assert.equal(areaOf(frame('(garbage collector)')), '(garbage collector)');
  });

  it('gives shares of busy time, idle left out, the busiest first', () => {
    const text = summarize(PROFILE, 5);
    assert.match(text, /^sampled 0\.0 s, busy 0\.0 s/);
    const areas = text.split('\n').filter((line) => /^ {2}\s*\d+\.\d%\s+\d/.test(line));
    assert.deepEqual(areas.map((line) => line.trim().split(/\s+/)[0]), ['60.0%', '30.0%', '10.0%']);
    assert.match(areas[0], /OMS$/);
    assert.match(text, /60\.0% {2}decideOrder saga-orchestrator\/main\.cjs:42 {2}\[OMS\]/);
    assert.doesNotMatch(text, /idle/);
  });
});
