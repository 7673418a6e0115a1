import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A topic to create: the mock has no CreateTopics API, so it takes them on its command line or stdin. */
export interface KafkaTopic {
  readonly name: string;
  readonly partitions: number;
}

/** A running tools/kafka-mock process: librdkafka's mock cluster, a real Kafka-protocol broker. */
export interface KafkaMock {
  readonly brokers: string[];
  /** Creates a topic (the mock has no CreateTopics API). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Takes broker `id` (1..N) down or back up: a real outage for clients. */
  setBrokerDown(id: number, down: boolean): Promise<void>;
  /** Partition p of every topic gets leader ids[p % ids.length]: with setBrokerDown, a failover. */
  setLeaders(ids: readonly number[]): Promise<void>;
  /** Broker `id` coordinates consumer group `group`. */
  setCoordinator(group: string, id: number): Promise<void>;
  stop(): Promise<void>;
}

const WORKSPACE_ROOT = resolve(__dirname, '../../..');
const SOURCE = join(WORKSPACE_ROOT, 'tools/kafka-mock/kafka-mock.c');
const BUILD_SCRIPT = join(WORKSPACE_ROOT, 'tools/kafka-mock/build.sh');
const BINARY = join(tmpdir(), 'oms-kafka-mock', 'kafka-mock');
const MOCK_HEADER = '/usr/include/librdkafka/rdkafka_mock.h';

/** Why tools/kafka-mock cannot be built here (Debian's librdkafka-dev and a C compiler), or undefined when it can. */
export function kafkaMockUnavailable(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(MOCK_HEADER)) missing.push(`Debian's librdkafka-dev (no ${MOCK_HEADER})`);
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    missing.push('a C compiler (no cc: Debian gcc)');
  }
  if (!existsSync(SOURCE)) missing.push(`its source ${SOURCE}`);
  return missing.length > 0 ? `tools/kafka-mock cannot be built here: it needs ${missing.join(' and ')}` : undefined;
}

export interface KafkaMockOptions {
  /** Brokers of the cluster (default 1; topics get min(brokers, 3) replicas). */
  readonly brokers?: number;
  /** Listen on 127.0.0.1:port (broker i on port+i-1) instead of ports the system picks. */
  readonly port?: number;
}

/**
 * Builds tools/kafka-mock when needed and starts it with `topics` pre-created, on `brokers`
 * brokers (default 1; topics get min(brokers, 3) replicas). Throws, naming what is missing and
 * how to install it, when it cannot be built.
 */
export async function startKafkaMock(topics: readonly KafkaTopic[], options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const unavailable = kafkaMockUnavailable();
  if (unavailable) {
    throw new Error(`${unavailable}. Install them (bash tools/ci/install-system-packages.sh, as .ci/run does).`);
  }
  // One binary per version of the source: checkouts of different versions on one machine never run each other's.
  const binary = `${BINARY}-${createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 12)}`;
  if (!existsSync(binary)) execFileSync('sh', [BUILD_SCRIPT, binary], { stdio: ['ignore', 'ignore', 'inherit'] });
  const args = [
    ...(options.brokers ? ['--brokers', String(options.brokers)] : []),
    ...(options.port ? ['--port', String(options.port)] : []),
    ...topics.map((topic) => `${topic.name}:${topic.partitions}`),
  ];
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Never outlive the test process, even when it ends without calling stop().
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const lines = lineReader(child);
  const bootstrap = await lines.next();
  // Commands are answered in order, one line each.
  let queue: Promise<unknown> = Promise.resolve();
  const command = (line: string): Promise<void> => {
    const result = queue.then(async () => {
      child.stdin?.write(`${line}\n`);
      const reply = await lines.next();
      if (reply !== 'ok') throw new Error(`kafka-mock "${line}": ${reply}`);
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    brokers: bootstrap.split(',').filter(Boolean),
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    setBrokerDown: (id, down) => command(`${down ? 'down' : 'up'} ${id}`),
    setLeaders: (ids) => command(`leaders ${ids.join(',')}`),
    setCoordinator: (group, id) => command(`coordinator ${group} ${id}`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Stdout of the tool, line by line; fails when the process ends. */
function lineReader(child: ChildProcess): { next(): Promise<string> } {
  const ready: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  let buffered = '';
  let errors = '';
  let ended: Error | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(line);
      else ready.push(line);
    }
  });
  const fail = (error: Error): void => {
    ended = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  child.once('error', fail);
  child.once('exit', (code) => fail(new Error(`kafka-mock exited with code ${code}: ${errors.trim()}`)));
  return {
    next() {
      const line = ready.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
