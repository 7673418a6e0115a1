import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportOnSignalArgs } from './diagnostic-report.mjs';
import { freePort, ManagedProcess, waitReady } from './processes.mjs';

/** Runs `script` in a node that never gets ready and returns waitReady's failure. */
async function notReady(script, { reportsOnSignal }) {
  const logDir = mkdtempSync(join(tmpdir(), 'oms-diagnostic-'));
  const hung = new ManagedProcess({
    name: 'hung-app',
    command: process.execPath,
    args: [...(reportsOnSignal ? reportOnSignalArgs(logDir) : []), '-e', script],
    env: process.env,
    cwd: logDir,
    logDir,
    reportsOnSignal,
  });
  try {
    const port = await freePort();
    const error = await waitReady(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 2_000, process: hung }).then(
      () => assert.fail('an app that never listens was reported ready'),
      (failure) => failure,
    );
    return { message: error.message, stillRunning: hung.running };
  } finally {
    await hung.stop(2_000);
    rmSync(logDir, { recursive: true, force: true });
  }
}

test('a start-up that never gets ready is reported with what its event loop waits on, its TCP peers included', async () => {
  // Alive, connected to a "database" that never answers, never listening: a start-up stuck before its ops server.
  const database = createServer(() => undefined);
  await new Promise((resolve) => database.listen(0, '127.0.0.1', resolve));
  const { port } = database.address();
  try {
    const { message } = await notReady(`require('node:net').connect(${port}, '127.0.0.1'); setInterval(() => {}, 1000)`, { reportsOnSignal: true });
    assert.match(message, /not ready within 2000 ms/);
    assert.match(message, /hung-app \(state [A-Z], wait channel [^,]+, CPU [\d.]+ s\), idle in its event loop; diagnostic report .*report\..*\.json/);
    assert.match(message, /active handles: \{[^}]*"timer":1/);
    assert.match(message, new RegExp(`TCP peers: 127\\.0\\.0\\.1:${port}`));
  } finally {
    database.close();
  }
});

test('a process not started for reports gets only the kernel view, never the signal that would end it', async () => {
  const { message, stillRunning } = await notReady('setInterval(() => {}, 1000)', { reportsOnSignal: false });
  assert.match(message, /hung-app: state [A-Z], wait channel [^,]+, CPU [\d.]+ s$/);
  assert.equal(stillRunning, true);
});
