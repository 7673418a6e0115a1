#!/usr/bin/env node
// `npm start`: builds the standalone app (cached by Nx when unchanged) and runs it in this
// process group, so Ctrl-C / SIGTERM reach OMS directly.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, NX_DAEMON: 'false' };
const build = spawnSync('npx', ['nx', 'build', 'standalone', '--outputStyle=static'], { stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);

const main = 'dist/apps/standalone/main.cjs';
if (!existsSync(main)) {
  console.error(`build finished but ${main} is missing`);
  process.exit(1);
}
const app = spawn(process.execPath, ['--enable-source-maps', main, ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
