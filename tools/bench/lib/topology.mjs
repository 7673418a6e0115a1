// The OMS under test: kafka-mock, partner-mocks, order-api, outbox-relay(s) and
// saga-orchestrator as separate OS processes on one fresh PostgreSQL database.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultHeapMiB, maxOldSpaceArgs } from '../../e2e/lib/heap-bound.mjs';
import { reportOnSignalArgs } from './diagnostic-report.mjs';
import { dsnOf } from './postgres.mjs';
import { freePort, ManagedProcess, waitReady } from './processes.mjs';

export const APPS = ['order-api', 'outbox-relay', 'saga-orchestrator', 'partner-mocks', 'migrator'];
const TOPICS = ['oms.order.events:12', 'oms.dlq:3', 'oms.saga.events:12']; // the OMS topics at their default settings (docs/configuration.md)

/** Names `--profile` takes: an app the run starts, or one relay of several (outbox-relay-2). */
export const PROFILED_PROCESSES = /^(order-api|saga-orchestrator|partner-mocks|outbox-relay(-\d+)?)$/;

export const appMain = (distDir, app) => join(distDir, app, 'main.cjs');

/** Builds the tools/kafka-mock binary into the run's own folder (none of the tests' binaries are shared). */
export function buildKafkaMock(root, binary) {
  const source = join(root, 'tools/kafka-mock/kafka-mock.c');
  if (!existsSync(source)) throw new Error('tools/kafka-mock/kafka-mock.c is missing');
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    execFileSync('sh', [join(root, 'tools/kafka-mock/build.sh'), binary], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return binary;
}

/** Runs `migrator up` against a database. */
export function migrate(root, distDir, database) {
  execFileSync(process.execPath, [appMain(distDir, 'migrator'), 'up'], {
    cwd: root,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), OMS_POSTGRES_DSN: dsnOf(database), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export class Topology {
  /** `nodeArgs`: Node flags per process name, e.g. { 'order-api': ['--cpu-prof'] } to profile one app. */
  /** `mockFetchWait`: clients talk to the mock itself, which answers a waiting Fetch only when its wait ends. */
  constructor({ root, distDir, database, logDir, kafkaMockBinary, log, nodeArgs = {}, extraEnv = {}, mockFetchWait = false }) {
    this.nodeArgs = nodeArgs;
    this.mockFetchWait = mockFetchWait;
    this.root = root;
    this.distDir = distDir;
    this.database = database;
    this.logDir = logDir;
    this.kafkaMockBinary = kafkaMockBinary;
    this.extraEnv = extraEnv;
    this.log = log;
    this.processes = [];
    this.relays = [];
  }

  /** Every process started so far (stopped ones included, for their peak RSS). */
  all() {
    return this.processes;
  }

  commonEnv() {
    return {
      // Settings given with --env reach every app (an experiment such as
      // --env OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT=20ms); the topology's own settings below win.
      ...this.extraEnv,
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Bundles keep third-party packages external; a --dist outside the workspace still finds them.
      NODE_PATH: join(this.root, 'node_modules'),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      OMS_STORAGE_DRIVER: 'postgres',
      OMS_POSTGRES_DSN: dsnOf(this.database),
      OMS_BROKER_DRIVER: 'kafka',
      KAFKA_BROKERS: this.brokers,
      OMS_KAFKA_IDEMPOTENT: 'false', // the mock cluster has no idempotent producer
      // The relay benchmark fills 100,000 rows at once; readiness must not flap on that backlog.
      OMS_OUTBOX_MAX_PENDING: '1000000',
    };
  }

  async startApp(name, app, env) {
    const ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort() };
    const heap = defaultHeapMiB(this.root, app);
    const process_ = new ManagedProcess({
      name,
      command: process.execPath,
      // A start-up that never gets ready is asked for a diagnostic report (waitReady): where it waits.
      args: [
        ...maxOldSpaceArgs(heap),
        ...reportOnSignalArgs(this.logDir),
        ...(this.nodeArgs[name] ?? this.nodeArgs[app] ?? []),
        appMain(this.distDir, app),
      ],
      cwd: this.root,
      logDir: this.logDir,
      reportsOnSignal: true,
      env: {
        ...this.commonEnv(),
        OMS_SERVICE_NAME: name,
        OMS_HTTP_ADDR: `127.0.0.1:${ports.http}`,
        OMS_GRPC_ADDR: `127.0.0.1:${ports.grpc}`,
        OMS_METRICS_ADDR: `127.0.0.1:${ports.metrics}`,
        ...env,
      },
    });
    process_.ports = ports;
    process_.app = app;
    process_.heapMiB = heap;
    this.processes.push(process_);
    return process_;
  }

  async start() {
    const kafka = new ManagedProcess({
      name: 'kafka-mock',
      command: this.kafkaMockBinary,
      args: TOPICS,
      cwd: this.root,
      logDir: this.logDir,
      env: process.env,
    });
    this.processes.push(kafka);
    this.kafka = kafka;
    this.brokers = await kafka.firstLine();
    this.log(`kafka-mock at ${this.brokers}`);
    if (!this.mockFetchWait) {
      // Kafka's long poll in front of the mock (tools/kafka-mock/README.md): without it, every hop
      // through an idle consumer waits about half of OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT.
      const front = new ManagedProcess({
        name: 'kafka-mock-front',
        command: process.execPath,
        args: [join(this.root, 'tools/kafka-mock/long-poll-front.mjs'), this.brokers],
        cwd: this.root,
        logDir: this.logDir,
        env: process.env,
      });
      this.processes.push(front);
      this.front = front;
      this.brokers = await front.firstLine(30_000);
      this.log(`kafka-mock's long-poll front at ${this.brokers}`);
    }

    this.partners = await this.startApp('partner-mocks', 'partner-mocks', { OMS_PARTNER_LATENCY: '0' });
    await waitReady(this.readyUrl(this.partners), { process: this.partners });
    const partnerAddr = `127.0.0.1:${this.partners.ports.grpc}`;
    this.api = await this.startApp('order-api', 'order-api', {});
    this.saga = await this.startApp('saga-orchestrator', 'saga-orchestrator', {
      OMS_PARTNER_DRIVER: 'grpc',
      OMS_PARTNER_INVENTORY_ADDR: partnerAddr,
      OMS_PARTNER_PAYMENT_ADDR: partnerAddr,
      OMS_PARTNER_LATENCY: '0',
    });
    await this.addRelay();
    await Promise.all([this.api, this.saga].map((app) => waitReady(this.readyUrl(app), { process: app })));
  }

  async addRelay() {
    const relay = await this.startApp(`outbox-relay-${this.relays.length + 1}`, 'outbox-relay', {});
    this.relays.push(relay);
    await waitReady(this.readyUrl(relay), { process: relay });
    return relay;
  }

  readyUrl(app) {
    return `http://127.0.0.1:${app.ports.metrics}/readyz`;
  }

  get apiUrl() {
    return `http://127.0.0.1:${this.api.ports.http}`;
  }

  get grpcAddress() {
    return `127.0.0.1:${this.api.ports.grpc}`;
  }

  /** Running processes by name, for CPU accounting. */
  running() {
    return this.processes.filter((process_) => process_.running);
  }

  async stop() {
    // Apps first (they drain into the broker), then the front the apps talk through, the broker last.
    const apps = this.processes.filter((process_) => process_ !== this.kafka && process_ !== this.front);
    await Promise.all(apps.map((process_) => process_.stop()));
    if (this.front) await this.front.stop(5_000);
    if (this.kafka) await this.kafka.stop(5_000);
  }

  /**
   * What the long-poll front reported at its stop when it saw protocol problems (it exits 1 then):
   * a connection it had to close disturbed the run's clients. Null when it saw none (or is not used).
   */
  frontProblems() {
    if (!this.front || this.front.exitCode === 0 || this.front.exitCode === undefined) return null;
    const lines = readFileSync(this.front.logPath, 'utf8').split('\n').filter((line) => line.startsWith('long-poll front:'));
    return `kafka-mock-front exited ${this.front.exitSignal ?? this.front.exitCode}: ${lines.join('; ') || `see ${this.front.logPath}`}`;
  }
}
