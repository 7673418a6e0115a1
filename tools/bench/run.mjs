#!/usr/bin/env node
// OMS benchmarks against the PostgreSQL ceiling, in one run (see tools/bench/README.md).
//
//   node tools/bench/run.mjs            full run (< 15 min): docs/benchmarks.md + docs/benchmarks.json
//   node tools/bench/run.mjs --smoke    every section at tiny scale (< 2 min), output under the temp
//                                       folder; exits non-zero when a section produced no figures
//   node tools/bench/run.mjs --render docs/benchmarks.json   re-renders benchmarks.md from a JSON
//                                       (after editing tools/bench/analysis.md), no measurement
//   options: --out DIR (where benchmarks.md / .json go), --keep-logs,
//            --dist DIR (built apps as they are; default: dist/apps, built with nx first),
//            --only a,b (sections by key, e.g. endToEnd; for investigating one figure),
//            --profile APP (node --cpu-prof for that process, `outbox-relay` for every relay;
//            .cpuprofile files in the logs; profile-top.mjs --skip 15 leaves out start-up),
//            --rates 50,100 (end-to-end arrival rates instead of the mode's),
//            --e2e-warmup S (unmeasured load before the end-to-end rates; full 60, smoke 2),
//            --env NAME=VALUE (a setting for every app), --mock-fetch-wait (clients talk to the mock
//            broker itself, without the front that answers a waiting Fetch as Kafka does)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CpuMeter } from './lib/cpu-usage.mjs';
import { machineFacts } from './lib/machine.mjs';
import { createDatabase, dropDatabase, query, serverFacts, useServer } from './lib/postgres.mjs';
import { startPrivatePostgres } from '../e2e/lib/private-postgres.mjs';
import { Sampler } from './lib/processes.mjs';
import { SATURATION_SVG, renderReport, renderSaturationSvg } from './lib/report.mjs';
import { missingFigures } from './lib/figures.mjs';
import { APPS, PROFILED_PROCESSES, Topology, appMain, buildKafkaMock, migrate } from './lib/topology.mjs';
import { deletesSentRows, envOverrides } from './lib/env-overrides.mjs';
import { createThroughput } from './sections/create-throughput.mjs';
import { endToEnd } from './sections/end-to-end.mjs';
import { grpcCreate } from './sections/grpc-create.mjs';
import { loadGate } from './sections/load-gate.mjs';
import { relay } from './sections/relay.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const FULL = {
  mode: 'full',
  warmupSeconds: 5,
  createLevels: [8, 32, 128],
  createSeconds: 20,
  pgbenchVariantSeconds: 10,
  grpcSeconds: 20,
  grpcChannels: 8,
  e2eRates: [50, 100, 200, 400],
  e2eWarmupSeconds: 60,
  e2eSeconds: 20,
  e2eDrainSeconds: 30,
  statsFlushMs: 11_000,
  relayRows: 100_000,
  relayTimeoutMs: 240_000,
  gateScenarios: 400,
  gateConcurrency: 40,
};

const SMOKE = {
  mode: 'smoke',
  warmupSeconds: 1,
  createLevels: [8],
  createSeconds: 2,
  pgbenchVariantSeconds: 2,
  grpcSeconds: 2,
  grpcChannels: 2,
  e2eRates: [10, 20],
  e2eWarmupSeconds: 2,
  e2eSeconds: 2,
  e2eDrainSeconds: 15,
  statsFlushMs: 2_000,
  relayRows: 2_000,
  relayTimeoutMs: 30_000,
  gateScenarios: 40,
  gateConcurrency: 10,
};

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    dist: { type: 'string' },
    render: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'string', multiple: true, default: [] },
    rates: { type: 'string' },
    'e2e-warmup': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    'mock-fetch-wait': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: node tools/bench/run.mjs [--smoke] [--out DIR] [--dist DIR] [--keep-logs] [--only SECTION,..] [--profile PROCESS] [--rates R,..] [--e2e-warmup S] [--env NAME=VALUE] [--mock-fetch-wait]');
  process.exit(0);
}
if (args.render) {
  const results = JSON.parse(readFileSync(args.render, 'utf8'));
  const target = join(args.out ? resolve(args.out) : dirname(resolve(args.render)), 'benchmarks.md');
  writeFileSync(target, renderReport(results, ROOT));
  writeFileSync(join(dirname(target), SATURATION_SVG), renderSaturationSvg(results));
  console.log(`rendered ${target}`);
  process.exit(0);
}
function usageError(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
let extraEnv;
try {
  extraEnv = envOverrides(args.env);
} catch (error) {
  usageError(error.message);
}
// The relay section times its rows by their sent_at: at retention 0 the relay deletes them instead.
if (deletesSentRows(extraEnv) && (!args.only || args.only.split(',').some((name) => name.trim() === 'relay'))) {
  usageError('--env OMS_OUTBOX_RETENTION=0 leaves no sent rows for the relay section to time: add --only without relay (the end-to-end hop table then has no relay split)');
}
// A name that matches no process would profile nothing, silently: refuse it up front.
const unknownProfiles = args.profile.filter((name) => !PROFILED_PROCESSES.test(name));
if (unknownProfiles.length > 0) {
  usageError(`--profile ${unknownProfiles.join(', ')}: not a process of the run (order-api, saga-orchestrator, partner-mocks, outbox-relay = every relay, outbox-relay-N)`);
}
const scale = { ...(args.smoke ? SMOKE : FULL) };
// --rates 50,100: the end-to-end arrival rates (orders/s) instead of the mode's.
if (args.rates) scale.e2eRates = args.rates.split(',').map(Number);
if (scale.e2eRates.some((rate) => !(rate > 0))) usageError(`--rates: positive numbers expected, got ${args.rates}`);
// --e2e-warmup 0: measure processes as started (their first minute costs more; see the README).
if (args['e2e-warmup'] !== undefined) scale.e2eWarmupSeconds = Number(args['e2e-warmup']);
if (!(scale.e2eWarmupSeconds >= 0)) usageError(`--e2e-warmup: seconds (0 or more) expected, got ${args['e2e-warmup']}`);
// Partial runs never overwrite the published docs/benchmarks.md unless --out says so.
const defaultOut = args.smoke ? join(tmpdir(), 'oms-bench-smoke') : args.only ? join(tmpdir(), 'oms-bench-partial') : join(ROOT, 'docs');
const outDir = resolve(args.out ?? defaultOut);
const distDir = resolve(args.dist ?? join(ROOT, 'dist', 'apps'));
const workDir = mkdtempSync(join(tmpdir(), 'oms-bench-'));
const started = Date.now();
const log = (message) => console.log(`[bench +${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}`);

/**
 * --dist is measured as given. Without it the apps are built every run: a dist/apps left from an
 * older checkout would otherwise be measured as this one (nx's cache makes an unchanged build quick).
 */
function ensureBuilt() {
  if (args.dist) {
    const missing = APPS.filter((app) => !existsSync(appMain(distDir, app)));
    if (missing.length > 0) throw new Error(`--dist ${distDir} lacks ${missing.join(', ')}`);
    return;
  }
  log(`building ${APPS.join(', ')} (nx: cached when unchanged)`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...APPS, '--outputStyle=static'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.status !== 0) throw new Error(`nx build failed with status ${build.status}`);
}

function ensurePgbench() {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('pgbench is missing: apt-get install -y postgresql-contrib (Debian ships it with postgresql-15)');
  }
}

/**
 * The run's own PostgreSQL cluster, with a production server's settings (autovacuum on) and
 * pg_stat_statements loaded; the bench's own queries use the role oms_bench, the apps postgres.
 */
async function startPostgres() {
  const cluster = await startPrivatePostgres(workDir, {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track_planning': 'on',
  });
  process.on('exit', () => cluster.killNow());
  useServer({ ...cluster.server, observer: cluster.server.user });
  await query('postgres', 'CREATE ROLE oms_bench LOGIN SUPERUSER');
  useServer({ observer: 'oms_bench' });
  log(`private PostgreSQL cluster on port ${cluster.port}`);
  return cluster;
}

const SECTIONS = [
  ['createThroughput', createThroughput, '1. create throughput (REST) + pgbench'],
  ['grpcCreate', grpcCreate, '6. create throughput (gRPC)'],
  ['endToEnd', endToEnd, '2. end to end create -> pay -> CONFIRMED'],
  ['loadGate', loadGate, '4. Go OMS load gate'],
  ['relay', relay, '3. relay backlog'],
];

/** The sections asked for with --only (all by default); an unknown name stops the run. */
function chosenSections() {
  if (!args.only) return SECTIONS;
  const wanted = args.only.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !SECTIONS.some(([key]) => key === name));
  if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(', ')}; known: ${SECTIONS.map(([key]) => key).join(', ')}`);
  return SECTIONS.filter(([key]) => wanted.includes(key));
}

async function main() {
  const sections = chosenSections();
  const results = {
    generatedAt: new Date().toISOString(),
    command: ['node tools/bench/run.mjs', ...process.argv.slice(2)].join(' '),
    scale,
    machine: machineFacts(),
    topology: null,
    sections: {},
    processes: {},
    errors: {},
  };
  log(`mode ${scale.mode}; output ${relative(ROOT, outDir) || '.'}; logs ${workDir}`);
  ensureBuilt();
  ensurePgbench();
  const kafkaMockBinary = buildKafkaMock(ROOT, join(workDir, 'kafka-mock'));
  const cluster = await startPostgres();
  results.postgres = await serverFacts();

  const database = await createDatabase();
  const pgbenchDatabase = `${database}_pgbench`;
  let topology;
  let sampler;
  try {
    await createDatabase(pgbenchDatabase);
    await query(database, 'CREATE EXTENSION pg_stat_statements');
    migrate(ROOT, distDir, database);
    migrate(ROOT, distDir, pgbenchDatabase);
    log(`databases ${database} (OMS) and ${pgbenchDatabase} (pgbench), migrated`);

    const nodeArgs = Object.fromEntries(args.profile.map((name) => [name, ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles', name)}`]]));
    topology = new Topology({ root: ROOT, distDir, database, logDir: workDir, kafkaMockBinary, log, nodeArgs, extraEnv, mockFetchWait: args['mock-fetch-wait'] });
    await topology.start();
    results.topology =
      'separate processes: order-api, outbox-relay (1, then 3), saga-orchestrator (partners over gRPC), ' +
      'partner-mocks (latency 0), kafka-mock (librdkafka mock cluster, Kafka protocol' +
      (args['mock-fetch-wait'] ? ', clients connected to it directly: a waiting Fetch is answered when its wait ends' : ', behind kafka-mock-front, which answers a waiting Fetch when a message is produced, as Kafka does') +
      '); a private PostgreSQL 15 cluster ' +
      '(default settings, autovacuum on, pg_stat_statements loaded)';
    log('topology ready');
    sampler = new Sampler(() => topology.all(), 250);
    const cpu = new CpuMeter(topology, database, cluster.postmasterPid());
    const context = { topology, scale, database, pgbenchDatabase, cpu, root: ROOT, log };

    for (const [key, run, title] of sections) {
      log(title);
      try {
        results.sections[key] = await run(context);
      } catch (error) {
        results.errors[key] = error.stack ?? String(error);
        log(`  FAILED: ${error.message}`);
      }
    }
  } catch (error) {
    results.errors.setup = error.stack ?? String(error);
    log(`setup FAILED: ${error.message}`);
  } finally {
    sampler?.sampleAll();
    sampler?.stop();
    if (topology) {
      await topology.stop();
      const frontProblems = topology.frontProblems();
      if (frontProblems) {
        results.errors.kafkaFront = frontProblems;
        log(`  FAILED: ${frontProblems}`);
      }
      for (const process_ of topology.all()) {
        results.processes[process_.name] = {
          peakRssMiB: process_.lastMemory ? Number(process_.lastMemory.peakRss.toFixed(1)) : null,
          heapBoundMiB: process_.heapMiB ?? null,
          exit: process_.exitSignal ?? process_.exitCode,
        };
      }
    }
    await dropDatabase(database).catch((error) => log(`could not drop ${database}: ${error.message}`));
    await dropDatabase(pgbenchDatabase).catch((error) => log(`could not drop ${pgbenchDatabase}: ${error.message}`));
    await cluster.stop();
  }

  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  // A partial run only answers for its own sections.
  const missing = args.only ? Object.keys(results.errors).map((section) => `${section}: failed`) : missingFigures(results);
  results.missingFigures = missing;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'benchmarks.md'), renderReport(results, ROOT));
  writeFileSync(join(outDir, SATURATION_SVG), renderSaturationSvg(results));
  log(`wrote ${join(outDir, 'benchmarks.md')} and benchmarks.json in ${results.durationSeconds} s`);

  if (!args['keep-logs'] && args.profile.length === 0 && missing.length === 0) rmSync(workDir, { recursive: true, force: true });
  else log(`process logs kept in ${workDir}`);
  if (missing.length > 0) {
    log(`figures missing: ${missing.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
