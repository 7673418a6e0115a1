// docs/benchmarks.md from the results of one run. The figures are generated; the written
// analysis (limits, profiles, fixes) comes from tools/bench/analysis.md and is kept as is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saturationSvg } from './plot.mjs';

export const SATURATION_SVG = 'benchmarks-saturation.svg';

/** The saturation plot's points: one per end-to-end arrival rate. */
function saturationPoints({ endToEnd }) {
  return (endToEnd?.rates ?? []).map((rate) => ({
    rate: rate.targetRate,
    confirmedPerSecond: rate.confirmedPerSecond,
    p50: rate.payToConfirmedCommittedMs.p50,
    p99: rate.payToConfirmedCommittedMs.p99,
  }));
}

/** The SVG written next to benchmarks.md. */
export function renderSaturationSvg(results) {
  return saturationSvg(saturationPoints(results.sections), `OMS end to end, ${results.machine.nproc} cores, ${results.generatedAt.slice(0, 10)}`);
}

const dash = '–';
const fmt = (value, digits = 1) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits).replace(/\.0+$/, '') : dash);
/** Average busy cores of the whole machine during a measurement. */
const cores = (machine) => (machine && machine.wallSeconds > 0 ? fmt(machine.busyCpuSeconds / machine.wallSeconds, 2) : dash);
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (header, rows) => [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');

function goals(results) {
  const { createThroughput, endToEnd, relay, loadGate } = results.sections;
  const at32 = createThroughput?.levels?.find((level) => level.connections === 32);
  const e2e100 = endToEnd?.rates?.find((rate) => rate.targetRate === 100);
  const e2e400 = endToEnd?.rates?.find((rate) => rate.targetRate === 400);
  const relay1 = relay?.runs?.find((run) => run.relays === 1);
  const relay3 = relay?.runs?.find((run) => run.relays === 3);
  const appRss = Object.entries(results.processes).filter(([name]) => !name.startsWith('kafka-mock'));
  const maxRss = appRss.reduce((max, [, process_]) => Math.max(max, process_.peakRssMiB ?? 0), 0);
  const largest = appRss.find(([, process_]) => process_.peakRssMiB === maxRss)?.[0];
  const verdict = (ok) => (ok === null ? dash : ok ? 'met' : '**missed**');
  const known = (...values) => values.every((value) => typeof value === 'number' && Number.isFinite(value));
  const cpu100 = e2e100?.cpu;
  const pgMs = cpu100 ? (cpu100.cpuSecondsPer1000Orders['postgres (backends)'] ?? 0) + (cpu100.cpuSecondsPer1000Orders['postgres (other processes)'] ?? 0) : null;
  const failures400 = e2e400 ? Object.values(e2e400.failures).reduce((sum, count) => sum + count, 0) : null;
  return table(
    ['goal', 'target', 'measured', ''],
    [
      [
        'CPU per confirmed order at 100 orders/s, every process incl. PostgreSQL and the broker',
        '<= 6.5 ms',
        cpu100 ? `${fmt(cpu100.totalCpuSecondsPer1000Orders, 2)} ms` : dash,
        verdict(cpu100 && known(cpu100.totalCpuSecondsPer1000Orders) ? cpu100.totalCpuSecondsPer1000Orders <= 6.5 : null),
      ],
      ['of which PostgreSQL (backends + the rest of the cluster)', '<= 3 ms', known(pgMs) ? `${fmt(pgMs, 2)} ms` : dash, verdict(known(pgMs) ? pgMs <= 3 : null)],
      [
        'end to end p99 at 100 orders/s (pay -> CONFIRMED committed)',
        '<= 150 ms',
        e2e100
          ? `${fmt(e2e100.payToConfirmedCommittedMs.p99)} ms (p50 ${fmt(e2e100.payToConfirmedCommittedMs.p50)} ms, ${fmt(e2e100.confirmedPerSecond)}/s confirmed)` +
            (e2e100.complete === false ? `; ${e2e100.notConfirmedInTime} of ${e2e100.paid} not confirmed in time` : '')
          : dash,
        verdict(e2e100 && known(e2e100.payToConfirmedCommittedMs.p99) ? e2e100.payToConfirmedCommittedMs.p99 <= 150 && e2e100.complete !== false : null),
      ],
      [
        'at 400 orders/s offered',
        '>= 250 confirmed/s, every order confirmed, 0 errors',
        e2e400 ? `${fmt(e2e400.confirmedPerSecond)} confirmed/s, ${e2e400.confirmed} of ${e2e400.scheduled} confirmed, ${failures400} errors, p99 ${fmt(e2e400.payToConfirmedCommittedMs.p99)} ms` : dash,
        verdict(e2e400 ? e2e400.confirmedPerSecond >= 250 && e2e400.confirmed === e2e400.scheduled && failures400 === 0 : null),
      ],
      [
        'create throughput at 32 connections',
        '>= 0.6 x pgbench',
        at32 ? `${fmt(at32.oms.requestsPerSecond)} req/s = ${fmt(at32.ratio, 2)} x pgbench ${fmt(at32.pgbench.tps)} tps` : dash,
        verdict(at32 && known(at32.ratio) ? at32.ratio >= 0.6 : null),
      ],
      ['create p99 at 32 connections', '<= 25 ms', at32 ? `${fmt(at32.oms.latencyMs.p99)} ms` : dash, verdict(at32 ? at32.oms.latencyMs.p99 <= 25 : null)],
      [
        'relay, one process (and 3 relays > 1)',
        '>= 10,000 events/s',
        relay1 ? `${fmt(relay1.eventsPerSecond, 0)} events/s (3 relays: ${fmt(relay3?.eventsPerSecond, 0)})` : dash,
        verdict(relay1 ? relay1.eventsPerSecond >= 10_000 && (!relay3 || relay3.eventsPerSecond > relay1.eventsPerSecond) : null),
      ],
      [
        'load gate: errors',
        '0',
        loadGate ? `${loadGate.errors} of ${loadGate.requests} requests` : dash,
        verdict(loadGate ? loadGate.errors === 0 : null),
      ],
      ['load gate: p95', '<= 50 ms', loadGate ? `${fmt(loadGate.requestMs.p95)} ms` : dash, verdict(loadGate ? loadGate.requestMs.p95 <= 50 : null)],
      [
        'peak RSS per app under load, default heap bound',
        '<= 200 MiB',
        appRss.length ? `${fmt(maxRss)} MiB (largest: ${largest})` : dash,
        verdict(appRss.length ? maxRss <= 200 : null),
      ],
    ],
  );
}

function createSection({ createThroughput }) {
  if (!createThroughput) return '_no figures (section failed, see Errors)_';
  const rows = createThroughput.levels.map((level) => [
    level.connections,
    fmt(level.oms.requestsPerSecond),
    fmt(level.oms.latencyMs.p50),
    fmt(level.oms.latencyMs.p99),
    `${level.oms.non2xx} / ${level.oms.errors + level.oms.timeouts}`,
    `${level.pgbench.clients}${level.pgbench.cappedByMaxConnections ? ' (capped)' : ''}`,
    fmt(level.pgbench.tps),
    fmt(level.pgbench.latencyMs.p50, 2),
    fmt(level.pgbench.latencyMs.p99, 2),
    `**${fmt(level.ratio, 2)}**`,
    level.pgbenchWithoutNotify ? `${fmt(level.pgbenchWithoutNotify.tps)} (${fmt(level.ratioWithoutNotify, 2)})` : dash,
    `${cores(level.oms.machine)} / ${cores(level.pgbench.machine)}`,
  ]);
  const states = (backendStates) =>
    Object.entries(backendStates ?? {})
      .slice(0, 4)
      .map(([state, n]) => `${state} ${fmt(n, 1)}`)
      .join(', ');
  const waits = table(
    ['connections', 'OMS database backends (average per sample)', 'pgbench database backends'],
    createThroughput.levels.map((level) => [level.connections, states(level.oms.backendStates), states(level.pgbench.backendStates)]),
  );
  const statements = createThroughput.levels.find((level) => level.connections === 32) ?? createThroughput.levels[0];
  return [
    table(
      ['connections', 'OMS req/s', 'p50 ms', 'p99 ms', 'non-2xx / errors', 'pgbench clients', 'pgbench tps', 'p50 ms', 'p99 ms', 'OMS / pgbench', 'pgbench without NOTIFY tps (OMS / it)', 'busy cores OMS / pgbench'],
      rows,
    ),
    '',
    'What the PostgreSQL backends were doing (pg_stat_activity every 100 ms; `active` + wait event, `CPU` = no wait; `idle` = waiting for the client):',
    '',
    waits,
    '',
    `pgbench per-statement average latency at ${statements.pgbench.clients} clients (ms):`,
    '',
    table(
      ['statement', 'ms'],
      statements.pgbench.statementMs.filter((statement) => !statement.command.startsWith('\\set')).map((statement) => [`\`${statement.command}\``, fmt(statement.ms, 3)]),
    ),
  ].join('\n');
}

function grpcSection({ grpcCreate }) {
  if (!grpcCreate) return '_no figures (section failed, see Errors)_';
  return table(
    ['calls in flight', 'HTTP/2 channels', 'calls/s', 'p50 ms', 'p99 ms', 'errors'],
    grpcCreate.levels.map((level) => [level.concurrency, level.channels, fmt(level.callsPerSecond), fmt(level.latencyMs.p50, 2), fmt(level.latencyMs.p99, 2), level.errors]),
  );
}

function e2eSection({ endToEnd }) {
  if (!endToEnd) return '_no figures (section failed, see Errors)_';
  return table(
    ['target orders/s', 'achieved', 'confirmed / paid', 'confirmed/s', 'committed p50 ms', 'committed p99 ms', 'on the bus p50 ms', 'on the bus p99 ms', 'create p99 ms', 'pay p99 ms', 'failures', 'busy cores'],
    endToEnd.rates.map((rate) => [
      rate.targetRate,
      fmt(rate.achievedArrivalRate),
      `${rate.confirmed} / ${rate.paid}${rate.complete ? '' : ' **(rest not confirmed in time: percentiles censored)**'}`,
      fmt(rate.confirmedPerSecond),
      fmt(rate.payToConfirmedCommittedMs.p50),
      fmt(rate.payToConfirmedCommittedMs.p99),
      fmt(rate.payToConfirmedOnBusMs?.p50),
      fmt(rate.payToConfirmedOnBusMs?.p99),
      fmt(rate.createRequestMs.p99),
      fmt(rate.payRequestMs.p99),
      Object.keys(rate.failures).length ? JSON.stringify(rate.failures) : '0',
      cores(rate.machine),
    ]),
  );
}

function hopSection({ endToEnd }) {
  const rates = endToEnd?.rates?.filter((rate) => rate.hopsMs) ?? [];
  if (rates.length === 0) return '';
  const hops = Object.keys(rates[0].hopsMs);
  return [
    '',
    'Where the time goes (per confirmed order, from commit timestamps and the outbox rows\' `sent_at`; p50 / p99 ms):',
    '',
    table(
      ['hop', ...rates.map((rate) => `${rate.targetRate} orders/s`)],
      hops.map((hop) => [hop, ...rates.map((rate) => `${fmt(rate.hopsMs[hop]?.p50)} / ${fmt(rate.hopsMs[hop]?.p99)}`)]),
    ),
  ].join('\n');
}

/** What work queued for inside the apps, per arrival rate (each app's /metrics over the rate: tools/bench/lib/app-waits.mjs). */
function waitSection({ endToEnd }) {
  const rates = endToEnd?.rates?.filter((rate) => rate.waits && Object.keys(rate.waits).length > 0) ?? [];
  if (rates.length === 0) return '';
  const apps = [...new Set(rates.flatMap((rate) => Object.keys(rate.waits)))];
  const cell = (wait) => (wait?.perOrder === null || wait?.perOrder === undefined ? '–' : `${fmt(wait.perOrder, 2)} x ${fmt(wait.meanMs, 2)}`);
  const rows = [];
  for (const app of apps) {
    rows.push([`${app}: waits for a pool connection`, ...rates.map((rate) => cell(rate.waits[app]?.poolCheckouts))]);
    if (rates.some((rate) => rate.waits[app]?.driveSlots)) {
      rows.push([`${app}: drives waiting for a drive slot`, ...rates.map((rate) => cell(rate.waits[app]?.driveSlots))]);
      rows.push([`${app}: Reserve call (partner)`, ...rates.map((rate) => cell(rate.waits[app]?.reserveCall))]);
      rows.push([`${app}: Charge call (partner)`, ...rates.map((rate) => cell(rate.waits[app]?.chargeCall))]);
    }
    rows.push([`${app}: event loop delay p99 ms`, ...rates.map((rate) => fmt(rate.waits[app]?.eventLoopDelayP99Ms, 1))]);
  }
  return [
    '',
    "What work queued for inside the apps (each app's `/metrics` over the rate: `oms_db_pool_wait_seconds`, `oms_saga_drive_wait_seconds`, `oms_saga_step_duration_seconds`, `nodejs_eventloop_lag_p99_seconds`; per confirmed order, count x mean ms):",
    '',
    table(['where', ...rates.map((rate) => `${rate.targetRate} orders/s`)], rows),
  ].join('\n');
}

/** PostgreSQL's work and every process's CPU per confirmed order, per arrival rate (pg_stat_statements etc.). */
function costSection({ endToEnd }) {
  const rates = endToEnd?.rates?.filter((rate) => rate.database) ?? [];
  if (rates.length === 0) return '';
  const cpuNames = [...new Set(rates.flatMap((rate) => Object.keys(rate.cpu?.cpuSecondsPer1000Orders ?? {})))];
  const summary = table(
    ['per confirmed order', ...rates.map((rate) => `${rate.targetRate} orders/s`)],
    [
      ['CPU ms, every process', ...rates.map((rate) => `**${fmt(rate.cpu?.totalCpuSecondsPer1000Orders, 2)}**`)],
      ...cpuNames.map((name) => [`CPU ms: ${name}`, ...rates.map((rate) => fmt(rate.cpu?.cpuSecondsPer1000Orders?.[name], 2))]),
      ['SQL statements', ...rates.map((rate) => fmt(rate.database.statementsPerOrder, 1))],
      ['PostgreSQL execution ms (pg_stat_statements)', ...rates.map((rate) => fmt(rate.database.postgresMsPerOrder?.exec, 2))],
      ['PostgreSQL planning ms (pg_stat_statements)', ...rates.map((rate) => fmt(rate.database.postgresMsPerOrder?.plan, 2))],
      ['WAL bytes', ...rates.map((rate) => fmt(rate.database.walBytesPerOrder, 0))],
      ['transactions rolled back (a statement failed)', ...rates.map((rate) => fmt(rate.database.rollbacksPerOrder, 3))],
      ['connections opened (the bench\'s own observer connections included: about a dozen per rate)', ...rates.map((rate) => fmt(rate.database.connectionsOpenedPerOrder, 3))],
    ],
  );
  const tables = Object.keys(rates[0].database.rowsPerOrder);
  const rows = table(
    ['table: rows per confirmed order, inserted / updated (HOT) / deleted', ...rates.map((rate) => `${rate.targetRate} orders/s`)],
    tables.map((name) => [
      name,
      ...rates.map((rate) => {
        const counts = rate.database.rowsPerOrder[name];
        return counts ? `${fmt(counts.inserted, 2)} / ${fmt(counts.updated, 2)} (${fmt(counts.hotUpdated, 2)}) / ${fmt(counts.deleted, 2)}` : dash;
      }),
    ]),
  );
  const rate = rates.find((candidate) => candidate.targetRate === 100) ?? rates[0];
  const statements = rate.database.statements
    ? table(
        ['statement', 'calls / order', 'planned share of calls', 'exec ms / order', 'plan ms / order', 'ms / call', 'rows / order', 'WAL bytes / order'],
        rate.database.statements.map((statement) => [
          `\`${statement.statement.replace(/\|/g, '\\|')}\``,
          fmt(statement.callsPerOrder, 2),
          fmt(statement.plannedShare, 2),
          fmt(statement.execMsPerOrder, 3),
          fmt(statement.planMsPerOrder, 3),
          fmt(statement.msPerCall, 3),
          fmt(statement.rowsPerOrder, 2),
          fmt(statement.walBytesPerOrder, 0),
        ]),
      )
    : '_pg_stat_statements was not available_';
  return [
    '',
    'What one confirmed order costs (CPU from `/proc`, the rest from the server\'s counters: `pg_stat_statements`,',
    '`pg_stat_user_tables`, `pg_current_wal_lsn()`; everything the apps did during the rate, idle polls included, over the orders confirmed):',
    '',
    summary,
    '',
    rows,
    '',
    `The statements that took the most PostgreSQL time at ${rate.targetRate} orders/s (execution + planning; parsing is not counted by pg_stat_statements):`,
    '',
    statements,
  ].join('\n');
}

function saturationSection(sections) {
  const { endToEnd } = sections;
  if (!endToEnd) return '_no figures (section failed, see Errors)_';
  return [
    table(
      ['offered orders/s', 'confirmed/s', 'all paid confirmed', 'p50 ms', 'p99 ms', 'failures'],
      endToEnd.rates.map((rate) => [
        rate.targetRate,
        fmt(rate.confirmedPerSecond),
        rate.complete ? 'yes' : `no (${rate.notConfirmedInTime ?? '?'} not in time)`,
        fmt(rate.payToConfirmedCommittedMs.p50),
        fmt(rate.payToConfirmedCommittedMs.p99),
        Object.values(rate.failures).reduce((sum, count) => sum + count, 0),
      ]),
    ),
    '',
    `![p50 and p99 of pay -> CONFIRMED against the offered rate](${SATURATION_SVG})`,
  ].join('\n');
}

function relaySection({ relay }) {
  if (!relay) return '_no figures (section failed, see Errors)_';
  return table(
    ['relays', 'rows', 'rows already in the outbox', 'seconds', 'events/s', 'published (relay metric)', 'messages on the broker', 'duplicates', 'CPU s / 1,000 events: relays / PostgreSQL / broker'],
    relay.runs.map((run) => [
      run.relays,
      run.rows,
      run.existingOutboxRows ?? '',
      fmt(run.seconds, 2),
      fmt(run.eventsPerSecond, 0),
      run.publishedByRelays,
      run.messagesOnBroker,
      run.duplicatesOnBroker,
      run.cpuSecondsPer1000Events
        ? `${fmt(run.cpuSecondsPer1000Events.relays, 3)} / ${fmt(run.cpuSecondsPer1000Events.postgres, 3)} / ${fmt(run.cpuSecondsPer1000Events['kafka-mock'], 3)}`
        : dash,
    ]),
  );
}

function gateSection({ loadGate }) {
  if (!loadGate) return '_no figures (section failed, see Errors)_';
  return table(
    ['scenarios', 'concurrency', 'requests', 'errors', 'error rate', 'request p95 ms', 'request avg ms', 'request p99 ms', 'scenario p95 ms', 'seconds'],
    [[
      loadGate.scenarios,
      loadGate.concurrency,
      loadGate.requests,
      Object.keys(loadGate.errorsByKind).length ? `${loadGate.errors} ${JSON.stringify(loadGate.errorsByKind)}` : 0,
      `${fmt(loadGate.errorRate * 100, 2)} %`,
      fmt(loadGate.requestMs.p95),
      fmt(loadGate.requestMs.mean),
      fmt(loadGate.requestMs.p99),
      fmt(loadGate.scenarioMs.p95),
      fmt(loadGate.seconds, 1),
    ]],
  );
}

function heapNote(results) {
  const bounded = Object.values(results.processes).some((process_) => process_.heapBoundMiB);
  return bounded
    ? 'each app ran with the heap bound its image gives it by default (deploy/node-start.sh: half the memory limit of its Helm values; `OMS_NODE_HEAP_MB=0 node tools/bench/run.mjs` runs them without)'
    : 'the apps ran without a V8 heap bound';
}

function resourceSection(results) {
  const rss = table(
    ['process', 'peak RSS MiB (VmHWM)', 'V8 heap bound MiB (`--max-old-space-size`)'],
    Object.entries(results.processes).map(([name, process_]) => [name, fmt(process_.peakRssMiB), process_.heapBoundMiB ?? dash]),
  );
  const cpuFor = (label, cpu) => {
    if (!cpu) return [];
    return [[`**${label}** (${cpu.orders} orders)`, '', `**${fmt(cpu.totalCpuSecondsPer1000Orders, 2)}**`]].concat(
      Object.entries(cpu.cpuSecondsPer1000Orders).map(([name, value]) => [`${label}: ${name}`, fmt(cpu.cpuSeconds[name], 2), fmt(value, 3)]),
    );
  };
  const cpu = table(
    ['load', 'CPU s', 'CPU s / 1,000 orders'],
    [...cpuFor('create only (section 1)', results.sections.createThroughput?.cpu), ...cpuFor('create + pay -> CONFIRMED (section 2)', results.sections.endToEnd?.cpu)],
  );
  return `${rss}\n\n${cpu}`;
}

export function renderReport(results, root) {
  const { machine, postgres } = results;
  const analysisPath = join(root, 'tools/bench/analysis.md');
  const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '_tools/bench/analysis.md is missing_';
  const errors = Object.entries(results.errors);
  return `# OMS benchmarks

<!-- Generated by \`${results.command}\` (tools/bench/run.mjs); the figures below are from that run.
     The analysis section is tools/bench/analysis.md. Do not edit by hand. -->

Measured ${results.generatedAt} by \`${results.command}\` in ${results.durationSeconds} s (mode: ${results.scale.mode}).
Every figure is also in [benchmarks.json](benchmarks.json). Method: [tools/bench/README.md](../tools/bench/README.md).

**Noise.** These numbers come from a ${machine.nproc}-core machine that is not reserved for the
benchmark (load average at start: ${machine.loadAverageAtStart.join(' / ')}); the load generator
also runs on the same cores as OMS and PostgreSQL. Treat them as
indicative, compare within one run (the pgbench ratio is measured minutes apart in the same run), and re-run on a quiet machine before quoting.

## Machine

${table(['', ''], [
  ['cores (`nproc`)', machine.nproc],
  ['CPU', machine.cpuModel],
  ['memory', `${machine.memoryGiB} GiB`],
  ['kernel', machine.kernel],
  ['Node.js', machine.node],
  ['PostgreSQL', `${postgres?.version} (shared_buffers ${postgres?.shared_buffers}, synchronous_commit ${postgres?.synchronous_commit}, fsync ${postgres?.fsync}, max_connections ${postgres?.max_connections}, autovacuum ${postgres?.autovacuum ?? dash}, shared_preload_libraries '${postgres?.shared_preload_libraries ?? ''}')`],
  ['pgbench', machine.pgbench ?? dash],
  ['command', `\`${results.command}\``],
])}

Topology: ${results.topology ?? dash}.

## Goals vs measured

${goals(results)}

## 1. Create throughput: \`POST /v1/orders\` vs pgbench running the same SQL

Closed loop (autocannon in a separate process), a unique \`Idempotency-Key\` per request,
${results.scale.createSeconds} s per level. pgbench (separate database, same schema) runs, per order placement, the
round trips order-api makes: the idempotency claim, the one autocommit commit statement
(events + outbox + orders_view + idempotency completion, failing itself on a conflict), then
the relays' wake-up \`pg_notify\` sent after the commit (order-api coalesces these, so
pgbench's one per order is an upper bound).
order-api's pool has 20 connections (\`OMS_POSTGRES_POOL_MAX\` default), so beyond 20 HTTP
connections requests queue for a connection; pgbench uses one connection per client.

${createSection(results.sections)}

## 6. Create throughput over gRPC (\`oms.v1.OrderService/CreateOrder\`)

Closed loop, a unique \`idempotency-key\` metadata per call, ${results.scale.grpcSeconds} s per level.

${grpcSection(results.sections)}

## 2. End to end: create -> pay -> CONFIRMED at a fixed arrival rate

Open loop for ${results.scale.e2eSeconds} s: one new order per 1/rate s, created then paid at once${results.scale.e2eWarmupSeconds ? `, after an unmeasured warm-up of ${results.scale.e2eWarmupSeconds} s at the first rate (a process's first minutes cost more per order while V8 compiles its hot paths)` : ' (no warm-up: the processes\' first orders are in the figures)'}.
Latency from sending the pay request until CONFIRMED: **committed** = the \`recorded_at\` of the
OrderConfirmed event (the committing transaction's timestamp; \`GET /v1/orders/{id}\` shows
CONFIRMED from that commit on); **on the bus** = a Kafka consumer (own group) receiving the
OrderConfirmed message from \`oms.order.events\`. The saga calls partner-mocks over gRPC with no
added latency.

${e2eSection(results.sections)}
${hopSection(results.sections)}
${waitSection(results.sections)}
${costSection(results.sections)}

## 2b. Saturation: latency against the offered rate

The end-to-end rates above side by side: where confirmed/s stops following the offered rate, the
pipeline is saturated and latency becomes queueing. The plot (\`${SATURATION_SVG}\`, written by the
bench) has latency on a log scale.

${saturationSection(results.sections)}

## 3. Relay: a backlog of outbox rows

The rows (${results.scale.relayRows.toLocaleString('en')} per run, 5 per order key, payload copied from a real event) are
inserted in one transaction followed by the NOTIFY a commit sends; the time runs from that
commit to the last row's \`sent_at\`. The saga orchestrator is stopped for this section.

${relaySection(results.sections)}

## 4. The Go OMS load gate

create -> pay -> cancel, back to back per virtual user; latency and errors per HTTP request
(expected 201, 202, 202).

${gateSection(results.sections)}

## 5. Resources

Peak RSS is the kernel's high-water mark (VmHWM) of each process over the whole run; ${heapNote(results)}. CPU is
utime + stime from \`/proc/<pid>/stat\` over the measured load only, including the PostgreSQL
backends serving the OMS database; the load generator is not counted.

${resourceSection(results)}

## Analysis

${analysis}
${errors.length ? `\n## Errors\n\n${errors.map(([section, text]) => `### ${section}\n\n\`\`\`\n${text}\n\`\`\``).join('\n\n')}\n` : ''}`;
}
