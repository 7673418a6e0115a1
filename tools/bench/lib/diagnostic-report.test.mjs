import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportOnSignalArgs } from './diagnostic-report.mjs';
import { freePort, ManagedProcess, waitReady } from './processes.mjs';

test('a process that never gets ready is reported with its JS stack and what its event loop waits on', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'oms-diagnostic-'));
  // Alive, with a timer, never listening: what a start-up stuck before its ops server looks like.
  const hung = new ManagedProcess({
    name: 'hung-app',
    command: process.execPath,
    args: [...reportOnSignalArgs(logDir), '-e', 'setInterval(function waitingForever() {}, 1000)'],
    env: process.env,
    cwd: logDir,
    logDir,
  });
  try {
    const port = await freePort();
    const error = await waitReady(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 1_000, process: hung }).then(
      () => assert.fail('an app that never listens was reported ready'),
      (failure) => failure,
    );
    assert.match(error.message, /not ready within 1000 ms/);
    assert.match(error.message, /hung-app \(state [A-Z], wait channel \S+, CPU [\d.]+ s\), diagnostic report .*report\..*\.json/);
    assert.match(error.message, /active handles: \{[^}]*"timer":1/);
  } finally {
    await hung.stop(2_000);
    rmSync(logDir, { recursive: true, force: true });
  }
});
