#!/usr/bin/env node
// `npm start`: builds the standalone app (cached by Nx when unchanged; the console with it) and
// runs it in this process group, so Ctrl-C / SIGTERM reach OMS directly. Once OMS is up it prints
// one banner with the URLs. On a terminal the JSON logs are shown readable (pino-pretty);
// anywhere else they pass through unchanged.
//
//   npm start                 the console on, a random admin token for this run
//   npm start -- --seed       the same, then a handful of orders in every status (tools/dev/fixtures.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';
import { bannerLines } from './start-banner.mjs';

const args = process.argv.slice(2);
const seeding = args.includes('--seed');
const appArgs = args.filter((arg) => arg !== '--seed');

const env = { ...process.env, NX_DAEMON: 'false' };
const build = spawnSync('npx', ['nx', 'build', 'standalone', '--outputStyle=static'], { stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);

const main = 'dist/apps/standalone/main.cjs';
if (!existsSync(main)) {
  console.error(`build finished but ${main} is missing`);
  process.exit(1);
}

// The console is on unless the caller said otherwise; the admin API it uses needs a token, so a
// run without one gets a random token of its own (printed in the banner, valid for this run only).
const appEnv = { ...process.env };
appEnv.OMS_CONSOLE_ENABLED ??= 'true';
let adminToken;
if (!appEnv.OMS_ADMIN_TOKEN && !appEnv.OMS_ADMIN_TOKEN_FILE) {
  adminToken = randomBytes(12).toString('base64url');
  appEnv.OMS_ADMIN_TOKEN = adminToken;
}
const consoleOn = ['true', '1'].includes(appEnv.OMS_CONSOLE_ENABLED.trim());

const app = spawn(process.execPath, ['--enable-source-maps', main, ...appArgs], { stdio: ['inherit', 'pipe', 'inherit'], env: appEnv });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// One line per entry on a terminal: time, level, [context] message, then the other fields.
const pretty = process.stdout.isTTY
  ? prettyFactory({
      colorize: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,app,name,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    })
  : undefined;
let announced = false;
createInterface({ input: app.stdout, crlfDelay: Infinity }).on('line', (line) => {
  process.stdout.write(pretty ? pretty(line) || `${line}\n` : `${line}\n`);
  if (announced) return;
  const listening = readyAddresses(line);
  if (!listening) return;
  announced = true;
  process.stdout.write(`${bannerLines(listening, { console: consoleOn, adminToken, seeding }).join('\n')}\n`);
  if (seeding) seed(listening.rest);
});

/** The `listening` field of the app's "ready" log line, or undefined for any other line. */
function readyAddresses(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line);
    return entry && typeof entry.listening === 'object' && entry.listening.rest ? entry.listening : undefined;
  } catch {
    return undefined;
  }
}

/** Places the sample orders through the public API, as a client would. */
function seed(restUrl) {
  const url = restUrl.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  const fixtures = spawn(process.execPath, ['tools/dev/fixtures.mjs', '--url', url, '--customers', '4', '--seed', 'start', '--wait', '30'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  fixtures.on('exit', (code) => {
    if (code !== 0) console.error(`seeding failed (exit ${code}); OMS keeps running`);
  });
}
