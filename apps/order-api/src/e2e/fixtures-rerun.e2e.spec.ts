import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildApp, startApp, waitUntilReady, WORKSPACE_ROOT, type AppProcess } from './built-app';

// `make fixtures` twice against the same running OMS (the built standalone, as `npm start`):
// both runs exit 0; the second recognises every order that already reached its scenario's
// status, so it waits for none (no 90 s wait for a CONFIRMED that a refunded order never shows).

jest.setTimeout(300_000);

let app: AppProcess | undefined;

afterAll(async () => {
  await app?.stop();
});

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly passed: number;
  readonly failed: number;
  readonly alreadyFinal: number;
  readonly waited: number;
  readonly seconds: number;
}

function fixtures(url: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools/dev/fixtures.mjs'), '--url', url], { cwd: WORKSPACE_ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const summary = /fixtures: (\d+) passed, (\d+) failed; (\d+) already in their final status, (\d+) waited for \(([\d.]+)s\)/.exec(output);
      resolve({
        code,
        output,
        passed: Number(summary?.[1] ?? NaN),
        failed: Number(summary?.[2] ?? NaN),
        alreadyFinal: Number(summary?.[3] ?? NaN),
        waited: Number(summary?.[4] ?? NaN),
        seconds: Number(summary?.[5] ?? NaN),
      });
    });
  });
}

it('runs twice in a row against the same OMS: both exit 0, the second waits for no order', async () => {
  app = await startApp(buildApp('standalone'), { LOG_LEVEL: 'warn' });
  await waitUntilReady(app);

  const first = await fixtures(app.httpUrl);
  expect({ code: first.code, failed: first.failed }).toEqual({ code: 0, failed: 0 });
  expect(first.passed).toBeGreaterThan(0);
  expect(first.waited).toBeGreaterThan(0); // the sagas had work to do

  const second = await fixtures(app.httpUrl);
  expect({ code: second.code, failed: second.failed, passed: second.passed, waited: second.waited }).toEqual({
    code: 0,
    failed: 0,
    passed: first.passed,
    waited: 0,
  });
  expect(second.alreadyFinal).toBeGreaterThan(0);
  // The durations, for the record (not judged: a loaded machine is slower).
  process.stdout.write(`fixtures: first run ${first.seconds}s, second run ${second.seconds}s\n`);
});
