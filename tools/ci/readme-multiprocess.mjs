#!/usr/bin/env node
// Runs the README's "Separate processes over PostgreSQL and Kafka" block exactly as written
// (read from README.md, so the two cannot drift), then checks that it works: every app becomes
// ready and says where it listens, and one order goes from create to CONFIRMED over REST.
//
//   node tools/ci/readme-multiprocess.mjs
//
// The block is run by bash with job control (each background line its own process group) and
// without any OMS_* / KAFKA_* variable of the caller, as a fresh shell would be. Before it runs:
// the ports the block uses must be free and the database it creates must not exist (the README
// walks through a fresh machine). Afterwards, whatever happened: every process the block started
// is stopped (SIGTERM, then SIGKILL) and the database it created is dropped. Exit status 0 when
// it worked; 1 with the block's output otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEADING = '## Separate processes over PostgreSQL and Kafka';
const READY_TIMEOUT_MS = 120_000;
const CONFIRM_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

const say = (line) => process.stdout.write(`readme-multiprocess: ${line}\n`);

/** The first ```bash block after the heading. */
export function readmeBlock(readme) {
  const at = readme.indexOf(`\n${HEADING}\n`);
  if (at < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const fence = /```bash\n([\s\S]*?)\n```/.exec(readme.slice(at));
  if (!fence) throw new Error(`the "${HEADING}" section has no bash block`);
  return fence[1];
}

/** Ports the block listens on: every :NNNN it names, plus the defaults of order-api (REST, gRPC, ops). */
export function portsOf(block) {
  const named = [...block.matchAll(/(?:^|[\s=])(?:127\.0\.0\.1)?:(\d{2,5})\b/g)].map((match) => Number(match[1]));
  return [...new Set([...named, 8080, 50051, 9090])].filter((port) => port !== 5432).sort((a, b) => a - b);
}

/** Ops ports of the apps the block starts: each OMS_METRICS_ADDR it sets, and order-api's default. */
export function opsPortsOf(block) {
  return [...new Set([...[...block.matchAll(/OMS_METRICS_ADDR=:(\d+)/g)].map((match) => Number(match[1])), 9090])];
}

/** The database the block creates (`createdb ... <name>`). */
export function databaseOf(block) {
  const match = /^createdb\b.*?\s(\w+)\s*(?:#.*)?$/m.exec(block);
  if (!match) throw new Error('the block creates no database (createdb)');
  return match[1];
}

function portFree(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
  });
}

function psql(sql) {
  const result = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-Atc', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

async function json(method, url, body, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function until(what, probe, timeoutMs, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error.fatal) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

function alive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Last started first, each drained before the next (the apps before the broker they use). */
async function stopGroups(pgids) {
  const stuck = [];
  for (const pgid of [...pgids].reverse()) {
    if (!alive(pgid)) continue;
    process.kill(-pgid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pgid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    if (alive(pgid)) {
      process.kill(-pgid, 'SIGKILL');
      stuck.push(pgid);
    }
  }
  return stuck;
}

async function main() {
  const block = readmeBlock(readFileSync(join(root, 'README.md'), 'utf8'));
  const database = databaseOf(block);
  const ports = portsOf(block);
  const busy = [];
  for (const port of ports) if (!(await portFree(port))) busy.push(port);
  if (busy.length > 0) throw new Error(`ports the README uses are taken: ${busy.join(', ')}; stop what listens there first`);
  if (psql(`SELECT count(*) FROM pg_database WHERE datname = '${database}'`) !== '0') {
    throw new Error(`database "${database}" exists; the README starts without it (dropdb -h 127.0.0.1 -U postgres ${database})`);
  }

  const work = mkdtempSync(join(tmpdir(), 'oms-readme-'));
  const script = join(work, 'block.sh');
  const pidFile = join(work, 'pids');
  const logFile = join(work, 'output.log');
  // set -m: every background line is a process group of its own, stopped as a whole below.
  writeFileSync(script, `set -euo pipefail\nset -m\n${block}\njobs -p > '${pidFile}'\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OMS_|KAFKA_)/.test(name)));
  const pgids = [];
  let createdDatabase = false;
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const cleanUp = async () => {
    const stuck = await stopGroups(pgids);
    if (stuck.length > 0) say(`process groups ${stuck.join(', ')} did not stop on SIGTERM within ${STOP_TIMEOUT_MS / 1000}s: killed`);
    if (createdDatabase) psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanUp().finally(() => process.exit(1)));

  say(`running the README block (${block.split('\n').length} lines); output in ${logFile}`);
  const started = Date.now();
  try {
    const out = openSync(logFile, 'a');
    const code = await new Promise((done) => {
      const bash = spawn('bash', [script], { cwd: root, env, stdio: ['ignore', out, out] });
      bash.once('exit', (exitCode) => done(exitCode));
    });
    try {
      pgids.push(...readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number));
    } catch {
      // the block failed before its last line: nothing was recorded, see the output
    }
    createdDatabase = psql(`SELECT count(*) FROM pg_database WHERE datname = '${database}'`) === '1';
    if (code !== 0) throw new Error(`the block failed (exit ${code})`);
    say(`block done in ${((Date.now() - started) / 1000).toFixed(1)}s; ${pgids.length} background processes`);

    const opsPorts = opsPortsOf(block);
    for (const port of opsPorts) {
      await until(`:${port}/readyz`, async () => {
        const dead = pgids.filter((pgid) => !alive(pgid));
        if (dead.length > 0) throw Object.assign(new Error(`background process group(s) ${dead.join(', ')} exited`), { fatal: true });
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        await response.text();
        return response.status === 200;
      }, READY_TIMEOUT_MS).catch((error) => {
        throw new Error(`an app did not become ready: ${error.message}`);
      });
    }
    const readyLines = log().split('\n').filter((line) => line.includes(' ready: '));
    if (readyLines.length < opsPorts.length) throw new Error(`${opsPorts.length} apps are ready but only ${readyLines.length} said where they listen`);
    say(`${opsPorts.length} apps ready on ops ports ${opsPorts.join(', ')}`);

    const api = 'http://127.0.0.1:8080';
    const key = `readme-${process.pid}`;
    const { order } = await json(
      'POST',
      `${api}/v1/orders`,
      { customerId: 'readme-check', currency: 'EUR', items: [{ sku: 'BOOK-1', qty: 2, price: { currency: 'EUR', amountMinor: '1250' } }] },
      { 'idempotency-key': `${key}-create` },
    );
    await json('POST', `${api}/v1/orders/${order.id}/pay`, undefined, { 'idempotency-key': `${key}-pay` });
    const paidAt = Date.now();
    await until(
      `order ${order.id} CONFIRMED`,
      async () => (await json('GET', `${api}/v1/orders/${order.id}`)).order.status === 'ORDER_STATUS_CONFIRMED',
      CONFIRM_TIMEOUT_MS,
    );
    say(`order ${order.id} CONFIRMED ${((Date.now() - paidAt) / 1000).toFixed(1)}s after pay, through order-api, relays, Kafka, saga and partners`);
    if (!log().includes('consumer group oms-saga-orchestrator joined')) throw new Error('the saga orchestrator did not log its partitions');
  } catch (error) {
    process.stderr.write(`readme-multiprocess: FAILED: ${error.message}\n--- output of the README block (last 60 lines)\n`);
    process.stderr.write(`${log().split('\n').slice(-60).join('\n')}\n`);
    await cleanUp();
    process.exit(1);
  }
  await cleanUp();
  say('ok: the README section works as written');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`readme-multiprocess: ${error.message}\n`);
    process.exit(1);
  });
}
