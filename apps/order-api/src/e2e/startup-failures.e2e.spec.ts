import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { ORDER_EVENTS_TOPIC } from '@oms/contracts';
import { startKafkaMock, testPostgresServer, type KafkaMock } from '@oms/testing';
import { buildApp, freePort, startApp, waitFor, waitUntilReady, WORKSPACE_ROOT, type AppName } from './built-app';

// A start that cannot succeed prints ONE message and exits non-zero: no framework stack
// traces, no second report of the same failure. Each case runs the built app as an OS process
// with exactly the environment given (stderr is a pipe here, so the message is a JSON line).

jest.setTimeout(240_000);

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runToExit(app: AppName, env: Record<string, string>, args: string[] = [], timeoutMs = 60_000): Promise<Finished> {
  const main = buildApp(app);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Ports nobody listens on, so that a failing app never clashes with anything else running. */
async function ports(): Promise<Record<string, string>> {
  return {
    OMS_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
    OMS_GRPC_ADDR: `127.0.0.1:${await freePort()}`,
    OMS_METRICS_ADDR: `127.0.0.1:${await freePort()}`,
  };
}

/** The one failure line (stderr), after checking it is the only report and nothing printed a stack. */
function theFailure(run: Finished, exitCode = 1): { msg: string; problems?: string[] } {
  expect(run.code).toBe(exitCode);
  const errLines = run.stderr.split('\n').filter(Boolean);
  expect(errLines).toHaveLength(1);
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all).not.toMatch(/\n\s+at \S/); // no stack trace
  const loud = run.stdout.split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  expect(loud).toEqual([]); // the failure is not reported a second time in the log
  const line = JSON.parse(errLines[0] as string) as { level: string; msg: string; problems?: string[] };
  expect(line.level).toBe('fatal');
  return line;
}

describe('a start that fails says so once', () => {
  it('three bad variables: exactly one problem list, exit 1', async () => {
    const run = await runToExit('order-api', { OMS_HTTP_ADDR: '8080', LOG_LEVEL: 'loud', OMS_OUTBOX_BATCH_SIZE: '0' });
    const failure = theFailure(run);
    expect(failure.msg).toMatch(/^order-api failed to start: invalid configuration \(3 problems\): /);
    expect(failure.problems?.map((problem) => problem.split(':')[0])).toEqual(['LOG_LEVEL', 'OMS_HTTP_ADDR', 'OMS_OUTBOX_BATCH_SIZE']);
    expect(run.stdout).toBe('');
  });

  it('a DSN set both ways is one problem, not also a missing DSN', async () => {
    const run = await runToExit('outbox-relay', {
      OMS_STORAGE_DRIVER: 'postgres',
      OMS_POSTGRES_DSN: 'postgres://postgres@127.0.0.1:5432/oms',
      OMS_POSTGRES_DSN_FILE: '/run/secrets/oms-dsn',
    });
    expect(theFailure(run).problems).toEqual(['OMS_POSTGRES_DSN: and OMS_POSTGRES_DSN_FILE are both set; set only one']);
  });

  it('a missing DSN file is one problem', async () => {
    const run = await runToExit('saga-orchestrator', { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN_FILE: '/nonexistent/oms-dsn' });
    expect(theFailure(run).problems).toEqual(['OMS_POSTGRES_DSN_FILE: cannot read "/nonexistent/oms-dsn" (ENOENT)']);
  });

  it('metrics on the REST address is a configuration error naming both variables', async () => {
    const run = await runToExit('order-api', { OMS_HTTP_ADDR: ':18080', OMS_METRICS_ADDR: ':18080' });
    expect(theFailure(run).problems).toEqual([
      'OMS_METRICS_ADDR: uses the same address as OMS_HTTP_ADDR (0.0.0.0:18080 and 0.0.0.0:18080); give each listener its own port',
    ]);
  });

  it('the migrator answers bad configuration with exit 2, as its help says', async () => {
    const run = await runToExit('migrator', { OMS_POSTGRES_DSN: 'mysql://nope' }, ['migrate', 'status']);
    expect(theFailure(run, 2).msg).toMatch(/^migrator failed to start: invalid configuration \(1 problem\): OMS_POSTGRES_DSN: /);
  });

  // An unreachable database is waited for, not ready (database-down-at-start.e2e.spec.ts); a
  // server that refuses (here: no such database) will not change its mind.
  it('a database the server does not have: where, how to create it, and exit 1', async () => {
    const server = new URL(await testPostgresServer());
    const dsn = `postgres://${server.username || 'postgres'}:s3cret@${server.host}/oms_missing_${Date.now().toString(36)}`;
    const run = await runToExit('order-api', { ...(await ports()), OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: dsn });
    const failure = theFailure(run);
    expect(failure.msg).toMatch(/^order-api failed to start: PostgreSQL at .*\/oms_missing_\w+ \(OMS_POSTGRES_DSN\): .*does not exist; create it first: createdb /);
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret');
  });

  it.each(['OMS_HTTP_ADDR', 'OMS_GRPC_ADDR', 'OMS_METRICS_ADDR'])('an address in use (%s): which variable, and exit 1', async (variable) => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await runToExit('order-api', { ...(await ports()), [variable]: `127.0.0.1:${port}` });
      expect(theFailure(run).msg).toBe(
        `order-api failed to start: ${variable}=127.0.0.1:${port}: the address is already in use by another process; stop it or choose another port`,
      );
    } finally {
      taken.close();
    }
  });

  it('an unreachable broker names KAFKA_BROKERS', async () => {
    const run = await runToExit('outbox-relay', {
      ...(await ports()),
      OMS_BROKER_DRIVER: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
      OMS_KAFKA_IDEMPOTENT: 'false',
    });
    expect(theFailure(run).msg).toMatch(/^outbox-relay failed to start: cannot reach the Kafka brokers 127\.0\.0\.1:1 \(KAFKA_BROKERS\): /);
  });

  describe('against the Kafka-protocol test broker', () => {
    let mock: KafkaMock | undefined;
    /** The topics the first case leaves missing; created once for the cases after it. */
    const createTheOtherTopics = async (broker: KafkaMock) => {
      for (const name of ['oms.dlq', 'oms.saga.events']) await broker.createTopic(name, 1).catch(() => undefined);
    };
    beforeAll(async () => {
      mock = await startKafkaMock([{ name: ORDER_EVENTS_TOPIC, partitions: 4 }]); // throws, saying why, where it cannot be built
    });
    afterAll(async () => {
      await mock?.stop();
    });

    it('a missing topic is named, with the command that creates it', async () => {
      const run = await runToExit('outbox-relay', {
        ...(await ports()),
        OMS_BROKER_DRIVER: 'kafka',
        KAFKA_BROKERS: (mock as KafkaMock).brokers.join(','),
        OMS_KAFKA_IDEMPOTENT: 'false',
      });
      expect(theFailure(run).msg).toMatch(/^outbox-relay failed to start: Kafka topics missing: oms\.dlq, oms\.saga\.events\. Create them first \(migrator "topics create"/);
    });

    it('a broker without the idempotent producer fails the start, naming OMS_KAFKA_IDEMPOTENT=false', async () => {
      await createTheOtherTopics(mock as KafkaMock);
      const run = await runToExit('outbox-relay', {
        ...(await ports()),
        OMS_BROKER_DRIVER: 'kafka',
        KAFKA_BROKERS: (mock as KafkaMock).brokers.join(','),
      });
      expect(theFailure(run).msg).toMatch(
        /^outbox-relay failed to start: the Kafka brokers .* answered, but the idempotent producer could not start \(KafkaJSBrokerNotFound: .*\)\. Set OMS_KAFKA_IDEMPOTENT=false/,
      );
    });

    it('a started saga orchestrator says where it listens and which partitions its group member owns', async () => {
      await createTheOtherTopics(mock as KafkaMock);
      const app = await startApp(buildApp('saga-orchestrator'), {
        OMS_BROKER_DRIVER: 'kafka',
        KAFKA_BROKERS: (mock as KafkaMock).brokers.join(','),
        OMS_KAFKA_IDEMPOTENT: 'false',
      });
      try {
        await waitUntilReady(app);
        const line = await waitFor('the assignment line', async () =>
          app.output().split('\n').find((candidate) => candidate.includes('consumer group oms-saga-orchestrator joined')),
        );
        expect(JSON.parse(line).msg).toMatch(/joined \(member .+, leader\): oms\.order\.events partitions 0,1,2,3$/);
        const ready = await waitFor('the ready line', async () =>
          app.output().split('\n').find((candidate) => candidate.includes('saga-orchestrator ready: ')),
        );
        expect(JSON.parse(ready).msg).toBe(`saga-orchestrator ready: ops ${app.opsUrl}`);
        expect(app.output().split('\n').filter((candidate) => candidate.includes(' ready: '))).toHaveLength(1);
      } finally {
        await app.stop();
      }
    });
  });
});
