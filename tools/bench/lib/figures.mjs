// The figures a run must produce (checked by --smoke: presence, never values).

const isFigure = (value) => typeof value === 'number' && Number.isFinite(value);

function check(missing, label, value) {
  if (!isFigure(value)) missing.push(label);
}

export function missingFigures(results) {
  const missing = Object.keys(results.errors).map((section) => `${section}: failed`);
  const { createThroughput, grpcCreate, endToEnd, loadGate, relay } = results.sections;

  for (const level of createThroughput?.levels ?? []) {
    const at = `create@${level.connections}`;
    check(missing, `${at} req/s`, level.oms.requestsPerSecond);
    check(missing, `${at} p50`, level.oms.latencyMs.p50);
    check(missing, `${at} p99`, level.oms.latencyMs.p99);
    check(missing, `${at} pgbench tps`, level.pgbench.tps);
    check(missing, `${at} pgbench p99`, level.pgbench.latencyMs.p99);
    check(missing, `${at} ratio`, level.ratio);
    if (level.oms.requestsPerSecond === 0) missing.push(`${at}: no order was created`);
  }
  if (!createThroughput?.levels?.length) missing.push('create throughput levels');
  check(missing, 'create CPU s / 1000 orders', createThroughput?.cpu?.totalCpuSecondsPer1000Orders);

  for (const level of grpcCreate?.levels ?? []) {
    check(missing, `grpc@${level.concurrency} calls/s`, level.callsPerSecond);
    check(missing, `grpc@${level.concurrency} p99`, level.latencyMs.p99);
  }
  if (!grpcCreate?.levels?.length) missing.push('gRPC create levels');

  for (const rate of endToEnd?.rates ?? []) {
    check(missing, `e2e@${rate.targetRate} p50`, rate.payToConfirmedCommittedMs.p50);
    check(missing, `e2e@${rate.targetRate} p99`, rate.payToConfirmedCommittedMs.p99);
    check(missing, `e2e@${rate.targetRate} statements / order`, rate.database?.statementsPerOrder);
    check(missing, `e2e@${rate.targetRate} PostgreSQL ms / order`, rate.database?.postgresMsPerOrder?.exec);
    check(missing, `e2e@${rate.targetRate} WAL bytes / order`, rate.database?.walBytesPerOrder);
    check(missing, `e2e@${rate.targetRate} events rows / order`, rate.database?.rowsPerOrder?.events?.inserted);
  }
  if ((endToEnd?.rates?.length ?? 0) < 2) missing.push('saturation: fewer than two end-to-end rates');
  if (!endToEnd?.rates?.length) missing.push('end-to-end rates');
  check(missing, 'e2e CPU s / 1000 orders', endToEnd?.cpu?.totalCpuSecondsPer1000Orders);

  check(missing, 'load gate error rate', loadGate?.errorRate);
  check(missing, 'load gate p95', loadGate?.requestMs?.p95);
  check(missing, 'load gate average', loadGate?.requestMs?.mean);

  for (const relays of [1, 3]) {
    const run = relay?.runs?.find((candidate) => candidate.relays === relays);
    check(missing, `relay x${relays} events/s`, run?.eventsPerSecond);
  }

  for (const name of ['order-api', 'outbox-relay-1', 'saga-orchestrator', 'partner-mocks', 'kafka-mock']) {
    check(missing, `peak RSS ${name}`, results.processes[name]?.peakRssMiB);
  }
  return missing;
}
