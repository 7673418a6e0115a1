// The Kafka-protocol broker of the run (tools/kafka-mock) and the topic observer.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { omsKafkaClient } from './oms-kafka.mjs';

/**
 * Builds tools/kafka-mock beside `binary`, named for a hash of its source, when missing; returns
 * its path. Checkouts of different versions on one machine never run each other's build.
 */
export function buildKafkaMock(root, binary) {
  const source = join(root, 'tools/kafka-mock/kafka-mock.c');
  const built = `${binary}-${createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12)}`;
  if (!existsSync(built)) execFileSync('sh', [join(root, 'tools/kafka-mock/build.sh'), built], { stdio: ['ignore', 'ignore', 'inherit'] });
  return built;
}

/**
 * Starts the mock cluster with the topics pre-created (it has no CreateTopics) on `brokers`
 * brokers (default 1); resolves to its bootstrap address and `command(line)`, which sends one
 * stdin command (tools/kafka-mock/README.md) and resolves to its answer, failing on an error.
 */
export async function startKafkaMock(binary, topics, log, { brokers: brokerCount = 1 } = {}) {
  const child = spawn(binary, [...(brokerCount > 1 ? ['--brokers', String(brokerCount)] : []), ...topics], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.pipe(log, { end: false });
  let stderrTail = '';
  child.stderr.on('data', (chunk) => (stderrTail = (stderrTail + chunk.toString()).slice(-2_000)));
  let stopping = false;
  let crash;
  child.once('exit', (code, signal) => {
    if (!stopping) crash = `kafka-mock ended on its own (${signal ?? `exit code ${code}`}): ${stderrTail.trim().split('\n').at(-1) ?? ''}`;
  });
  const answers = [];
  const brokers = await new Promise((resolve, reject) => {
    let buffered = '';
    let first = true;
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (first) resolve(line);
        else answers.shift()?.(line);
        first = false;
      }
    });
    child.once('exit', (code) => reject(new Error(`kafka-mock exited with code ${code} before printing its address`)));
    child.once('error', reject);
  });
  return {
    brokers,
    child,
    /** One command, answered in order ("ok" or "error: ..."). */
    command(line) {
      return new Promise((resolve, reject) => {
        answers.push((answer) => (answer === 'ok' ? resolve() : reject(new Error(`kafka-mock ${line}: ${answer}`))));
        child.stdin.write(`${line}\n`);
      });
    },
    /** Why the mock cluster ended on its own (a librdkafka assertion, a signal), or undefined while it runs or after stop(). */
    crashed() {
      return crash;
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const ended = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await ended;
      clearTimeout(timer);
    },
    killNow() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

const header = (headers, name) => {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

/**
 * Waits until consumer group `groupId` is Stable with `members` members (bounded); returns what
 * it saw last. A run started mid-rebalance would measure the rebalance, not OMS.
 */
export async function waitForStableGroup(brokers, groupId, members, timeoutMs, kafkaEnv = {}) {
  const kafka = omsKafkaClient(brokers, 'oms-e2e-admin', kafkaEnv);
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  let last = 'unknown';
  try {
    while (Date.now() < deadline) {
      try {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        last = `${group?.state} with ${group?.members?.length ?? 0} members`;
        if (group?.state === 'Stable' && group.members.length === members) return { stable: true, last };
      } catch (error) {
        last = String(error?.message ?? error);
        // librdkafka's mock cluster has no DescribeGroups: nothing to wait for there.
        if (error?.type === 'UNSUPPORTED_VERSION' || /does not support/.test(last)) return { stable: false, last, unsupported: true };
      }
      await new Promise((done) => setTimeout(done, 500));
    }
    return { stable: false, last };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Records every message of the given topics from the beginning, in its own consumer group,
 * in the order the consumer receives them (per partition = offset order). `kafkaEnv`: the
 * OMS_KAFKA_TLS_* / OMS_KAFKA_SASL_* variables the apps of the run get.
 */
export async function startObserver(brokers, topics, groupId, kafkaEnv = {}) {
  const kafka = omsKafkaClient(brokers, 'oms-e2e-observer', kafkaEnv);
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  const records = [];
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic, partition, message }) => {
      const value = message.value?.toString('utf8') ?? '';
      let envelope;
      try {
        envelope = JSON.parse(value);
      } catch {
        envelope = undefined;
      }
      // The body OMS publishes: the Go OMS envelope (id, aggregate_id, event_type, payload) plus
      // streamId, version and position (docs/events.md); the previous body's names as a fallback.
      records.push({
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString('utf8'),
        ceType: header(message.headers, 'ce_type'),
        ceId: header(message.headers, 'ce_id'),
        eventId: envelope?.id ?? envelope?.eventId,
        streamId: envelope?.streamId,
        orderId: envelope?.aggregate_id ?? envelope?.orderId,
        version: envelope?.version,
        position: envelope?.position,
        type: envelope?.event_type ?? envelope?.type,
        // oms.saga.events bodies: order_id, and the saga in metadata (docs/events.md).
        sagaOrderId: envelope?.order_id,
        sagaId: envelope?.metadata?.saga_id,
      });
    },
  });
  await Promise.race([joined, new Promise((_, reject) => setTimeout(() => reject(new Error('observer did not join its group within 30 s')), 30_000))]);
  return {
    records,
    async stop() {
      await consumer.disconnect().catch(() => undefined);
    },
  };
}

/**
 * The mock cluster (a test double) aborted: the run can say nothing about OMS after it. Runs
 * exit with MOCK_BROKER_CRASHED for it, so that a caller tells it from a finding (.ci/run runs the
 * campaign once more). Seen: librdkafka 2.0.2's mock group coordinator asserting
 * `!member->resp` in rd_kafka_mock_cgrp_member_add while members rejoin after a broker outage.
 */
export class MockBrokerCrashed extends Error {}
export const MOCK_BROKER_CRASHED = 3;
