// 3. Relay: a backlog of outbox rows appears at once (one committing transaction plus the
//    NOTIFY the unit of work sends); time until the last one is marked sent, with 1 and with
//    3 outbox-relay processes. The saga orchestrator is stopped first so that it does not
//    compete for the two cores while consuming the backlog.
import { omsKafkaClient } from '../../e2e/lib/oms-kafka.mjs';
import { connect } from '../lib/postgres.mjs';
import { sumOfMetric } from '../lib/metrics.mjs';
import { waitQuiet } from '../lib/quiet.mjs';
import { round } from '../lib/stats.mjs';

const PARTITIONS = 16; // OMS_OUTBOX_PARTITIONS default
const EVENTS_PER_ORDER = 5; // a confirmed order: placed, payment requested, reserved, paid, confirmed
const INSERT_BATCH = 5_000;

/** The outbox partition of a key: FNV-1a 32-bit mod partitions, as outboxPartition in @oms/domain. */
function outboxPartition(key, partitions) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

async function publishedByRelays(relays) {
  const counts = await Promise.all(relays.map((relay) => sumOfMetric(relay, 'oms_outbox_events_total')));
  return counts.reduce((sum, count) => sum + count, 0);
}

async function brokerMessages(admin) {
  const offsets = await admin.fetchTopicOffsets('oms.order.events');
  return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
}

async function drain({ database, rows, relays, admin, sample, label, timeoutMs, log, cpu }) {
  const db = await connect(database);
  try {
    const publishedBefore = await publishedByRelays(relays);
    const brokerBefore = await brokerMessages(admin);
    const keys = Array.from({ length: rows }, (_, index) => `${label}-order-${Math.floor(index / EVENTS_PER_ORDER)}`);
    await db.query('BEGIN');
    const { rows: [{ max, existing }] } = await db.query('SELECT coalesce(max(id), 0)::bigint AS max, count(*)::int AS existing FROM outbox');
    for (let offset = 0; offset < rows; offset += INSERT_BATCH) {
      const batch = keys.slice(offset, offset + INSERT_BATCH);
      await db.query(
        `INSERT INTO outbox (message_id, topic, key, partition, payload, headers, created_at)
         SELECT gen_random_uuid()::text, 'oms.order.events', k, p, $3, $4::jsonb, now()
         FROM unnest($1::text[], $2::int[]) AS u(k, p)`,
        [batch, batch.map((key) => outboxPartition(key, PARTITIONS)), sample.payload, sample.headers],
      );
    }
    await db.query(`SELECT pg_notify('oms_outbox', $1)`, [Array.from({ length: PARTITIONS }, (_, i) => i).join(',')]);
    await db.query('COMMIT');
    const committedAt = Date.now();
    const cpuBefore = await cpu.snapshot();
    log(`  ${rows} rows committed; waiting for ${relays.length} relay(s)`);

    const deadline = committedAt + timeoutMs;
    for (;;) {
      const { rows: [{ pending }] } = await db.query(`SELECT count(*)::int AS pending FROM outbox WHERE id > $1 AND status = 'pending'`, [max]);
      if (pending === 0) break;
      if (Date.now() > deadline) throw new Error(`${pending} of ${rows} rows still pending after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows: [{ last }] } = await db.query(`SELECT extract(epoch FROM max(sent_at)) * 1000 AS last FROM outbox WHERE id > $1`, [max]);
    const seconds = (Number(last) - committedAt) / 1000;
    // CPU per 1,000 events of the relays, the broker and PostgreSQL: steadier than events/s on a shared machine.
    const cpuSeconds = await cpu.since(cpuBefore);
    const relayCpu = Object.entries(cpuSeconds).filter(([name]) => name.startsWith('outbox-relay')).reduce((sum, [, value]) => sum + value, 0);
    const per1000 = (value) => round(((value ?? 0) / rows) * 1000, 3);
    const published = (await publishedByRelays(relays)) - publishedBefore;
    const onBroker = (await brokerMessages(admin)) - brokerBefore;
    return {
      relays: relays.length,
      rows,
      // Rows already in the table (sent ones are kept for OMS_OUTBOX_RETENTION), as in production.
      existingOutboxRows: existing,
      seconds: round(seconds, 3),
      eventsPerSecond: round(rows / seconds, 0),
      publishedByRelays: published,
      messagesOnBroker: onBroker,
      duplicatesOnBroker: onBroker - rows,
      cpuSecondsPer1000Events: {
        relays: per1000(relayCpu),
        postgres: per1000((cpuSeconds['postgres (backends)'] ?? 0) + (cpuSeconds['postgres (other processes)'] ?? 0)),
        // The broker: the mock and its long-poll front, when there is one.
        'kafka-mock': per1000((cpuSeconds['kafka-mock'] ?? 0) + (cpuSeconds['kafka-mock-front'] ?? 0)),
      },
    };
  } finally {
    await db.end();
  }
}

export async function relay({ topology, scale, database, log, cpu }) {
  const settledBefore = await waitQuiet({ topology, database });
  log(`  backlog of earlier load: waited ${settledBefore.waitedSeconds} s (sagas running ${settledBefore.runningSagas})`);
  await topology.saga.stop();
  const db = await connect(database);
  const { rows } = await db.query(`SELECT payload, headers::text AS headers FROM outbox ORDER BY id LIMIT 1`);
  await db.end();
  if (!rows[0]) throw new Error('no outbox row to copy the payload from');

  const kafka = omsKafkaClient(topology.brokers, 'oms-bench-relay');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const runs = [];
    const common = { database, rows: scale.relayRows, admin, sample: rows[0], timeoutMs: scale.relayTimeoutMs, log, cpu };
    runs.push(await drain({ ...common, relays: [...topology.relays], label: 'relay1' }));
    log(`  1 relay: ${runs[0].seconds} s, ${runs[0].eventsPerSecond} events/s, ${runs[0].messagesOnBroker} messages on the broker; CPU s / 1,000 events ${JSON.stringify(runs[0].cpuSecondsPer1000Events)}`);
    while (topology.relays.length < 3) await topology.addRelay();
    runs.push(await drain({ ...common, relays: [...topology.relays], label: 'relay3' }));
    log(`  3 relays: ${runs[1].seconds} s, ${runs[1].eventsPerSecond} events/s, ${runs[1].messagesOnBroker} messages on the broker; CPU s / 1,000 events ${JSON.stringify(runs[1].cpuSecondsPer1000Events)}`);
    return { runs, settledBefore };
  } finally {
    await admin.disconnect();
  }
}
