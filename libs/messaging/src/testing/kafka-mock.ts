import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OMS_TOPICS, type TopicSpec } from '../topics';

/** A running tools/kafka-mock process: librdkafka's mock cluster, a real Kafka-protocol broker. */
export interface KafkaMock {
  readonly brokers: string[];
  /** Creates a topic (the mock has no CreateTopics API). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Takes broker `id` (1..N) down or back up: a real outage for clients. */
  setBrokerDown(id: number, down: boolean): Promise<void>;
  stop(): Promise<void>;
}

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const SOURCE = join(WORKSPACE_ROOT, 'tools/kafka-mock/kafka-mock.c');
const BUILD_SCRIPT = join(WORKSPACE_ROOT, 'tools/kafka-mock/build.sh');
const BINARY = join(tmpdir(), 'oms-kafka-mock', 'kafka-mock');

/** Whether the mock can be built here (Debian's librdkafka-dev and a C compiler). */
export function kafkaMockAvailable(): boolean {
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h') || !existsSync(SOURCE)) return false;
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the tool when needed and starts it with the given topics pre-created (default: the
 * OMS topics), on `brokers` brokers (default 1; topics get min(brokers, 3) replicas).
 */
export async function startKafkaMock(topics: readonly TopicSpec[] = OMS_TOPICS, options: { readonly brokers?: number } = {}): Promise<KafkaMock> {
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    execFileSync('sh', [BUILD_SCRIPT, BINARY], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const args = [...(options.brokers ? ['--brokers', String(options.brokers)] : []), ...topics.map((topic) => `${topic.name}:${topic.partitions}`)];
  const child = spawn(BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
