import { Logger } from '@nestjs/common';
import { Clock, type SagaRecord, type SagaStatus } from '@oms/domain';
import { OmsMetrics } from '@oms/observability';
import { createMemoryDrivers } from '@oms/storage';
import { SagaCompensationReporter } from './saga-compensation.reporter';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const MINUTE = 60_000;

class FixedClock extends Clock {
  now(): Date {
    return NOW;
  }
}

let next = 0;
function aSaga(step: string | null, minutesAgo: number, status: SagaStatus = 'RUNNING'): SagaRecord {
  next += 1;
  const stepStartedAt = new Date(NOW.getTime() - minutesAgo * MINUTE).toISOString();
  return {
    sagaId: `saga-${next}`,
    orderId: `order-${next}`,
    kind: 'cancellation',
    status,
    state: { kind: 'cancellation', sagaId: `saga-${next}`, orderId: `order-${next}`, step, attempts: 12, stepStartedAt, lastError: 'UNAVAILABLE' },
    version: 0,
    nextAttemptAt: status === 'RUNNING' ? NOW : null,
    deadlineAt: null,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** A gauge's value as /metrics serves it. */
async function gauge(metrics: OmsMetrics, name: string): Promise<number> {
  const text = await metrics.expose();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

describe('SagaCompensationReporter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('reports how many sagas wait on a release or refund, and how long the oldest has waited', async () => {
    const drivers = createMemoryDrivers();
    const metrics = new OmsMetrics();
    const reporter = new SagaCompensationReporter(drivers.sagas, new FixedClock(), metrics);
    for (const saga of [
      aSaga('release', 20),
      aSaga('refund', 3),
      aSaga('reserve', 60), // a forward step: given up after its deadline, not retried for ever
      aSaga('release', 90, 'COMPENSATION_FAILED'), // ended: an operator's case, counted elsewhere
    ]) {
      await drivers.unitOfWork.commit({ saga }, NOW);
    }

    expect(await gauge(metrics, 'oms_saga_compensation_retrying')).toBe(0);
    await reporter.report();

    expect(await gauge(metrics, 'oms_saga_compensation_retrying')).toBe(2);
    expect(await gauge(metrics, 'oms_saga_compensation_oldest_age_seconds')).toBe(20 * 60);
  });

  it('reports zero age once nothing waits', async () => {
    const metrics = new OmsMetrics();
    const reporter = new SagaCompensationReporter(createMemoryDrivers().sagas, new FixedClock(), metrics);
    metrics.sagaCompensationOldestAge.set(1234);

    await reporter.report();

    expect(await gauge(metrics, 'oms_saga_compensation_retrying')).toBe(0);
    expect(await gauge(metrics, 'oms_saga_compensation_oldest_age_seconds')).toBe(0);
  });

  it('keeps the last figures when the query fails', async () => {
    const drivers = createMemoryDrivers();
    const metrics = new OmsMetrics();
    await drivers.unitOfWork.commit({ saga: aSaga('refund', 16) }, NOW);
    const reporter = new SagaCompensationReporter(drivers.sagas, new FixedClock(), metrics);
    await reporter.report();
    drivers.sagas.pendingStepStats = () => Promise.reject(new Error('connection reset'));

    await reporter.report();

    expect(await gauge(metrics, 'oms_saga_compensation_retrying')).toBe(1);
    expect(await gauge(metrics, 'oms_saga_compensation_oldest_age_seconds')).toBe(16 * 60);
  });
});
