// Faults of a real network and a real cluster, as rows of the chaos fault table: links that go
// silent without closing (blackhole), a slow link, and a broker failover. Each entry is
// { name, inject } like the run's other faults; `inject` resolves when the fault has ended.
import { sleep } from '../../e2e/lib/processes.mjs';

/**
 * `links`: the run's Links; `kafka`: the mock cluster (command()); `groups`: the consumer groups
 * whose coordinator moves with the failover; `say`: the run's log line.
 */
export function networkFaults({ links, kafka, groups, say, blackholeMs, slowMs, partnerHoldMs, callTimeoutMs, failoverHoldMs }) {
  const hold = async (apps, kind, faults, ms, what) => {
    links.set(apps, kind, faults);
    say(`  ${what}: ${apps.join(', ')}`);
    try {
      await sleep(ms);
    } finally {
      links.set(apps, kind, {});
      say(`  ${kind} links healthy again`);
    }
  };
  const s = (ms) => `${ms / 1000}s`;
  return {
    postgresBlackhole: {
      name: `PostgreSQL blackholed ${s(blackholeMs)} for order-api-1 and saga-1`,
      inject: () => hold(['order-api-1', 'saga-1'], 'postgres', { blackhole: true }, blackholeMs, 'PostgreSQL link blackholed'),
    },
    brokerBlackhole: {
      name: `broker blackholed ${s(blackholeMs)} for outbox-relay-1`,
      inject: () => hold(['outbox-relay-1'], 'broker', { blackhole: true }, blackholeMs, 'broker links blackholed'),
    },
    postgresSlow: {
      // 150 ms each way: every round trip to PostgreSQL takes 300 ms more, for every app.
      name: `PostgreSQL link +300 ms round trip for ${s(slowMs)} (every app)`,
      inject: () => hold(links.appsWith('postgres'), 'postgres', { latencyMs: 150 }, slowMs, 'PostgreSQL links +300 ms'),
    },
    partnerBlackhole: {
      name: `partner link blackholed ${s(partnerHoldMs)} > call timeout ${callTimeoutMs}ms for saga-1`,
      inject: () => hold(['saga-1'], 'partner', { blackhole: true }, partnerHoldMs, 'partner link blackholed'),
    },
    brokerFailover: {
      name: 'broker failover: broker 1 (leader of every partition) down, leaders to 2 and 3',
      inject: async () => {
        // As a cluster does: the leader dies, the controller elects the in-sync followers, the
        // group coordinators move with their partitions' leadership.
        await kafka.command('down 1');
        await kafka.command('leaders 2,3');
        for (const group of groups) await kafka.command(`coordinator ${group} 2`);
        say('  broker 1 down; partitions led by brokers 2 and 3, coordinators on broker 2');
        await sleep(failoverHoldMs);
        await kafka.command('up 1');
        say('  broker 1 back (a follower now)');
      },
    },
  };
}

/** Puts broker 1 in the lead of every partition and coordinator of `groups`: the failover's victim. */
export async function leadFromBrokerOne(kafka, groups) {
  await kafka.command('leaders 1');
  for (const group of groups) await kafka.command(`coordinator ${group} 1`);
}
