import { SagaStore, type SagaListQuery, type SagaRecord, type SagaStepStats, type SagaOrStream } from '@oms/domain';
import { copy, type MemoryDatabase } from './memory-database';

export class MemorySagaStore extends SagaStore {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async get(sagaId: string): Promise<SagaRecord | null> {
    const saga = this.db.sagas.get(sagaId);
    return saga ? copy(saga) : null;
  }

  async getOrReadStream(sagaId: string, streamId: string): Promise<SagaOrStream> {
    const saga = this.db.sagas.get(sagaId);
    return saga ? { saga: copy(saga) } : { saga: null, stream: copy(this.db.streams.get(streamId) ?? []) };
  }

  async listByOrder(orderId: string): Promise<SagaRecord[]> {
    return copy(
      [...this.db.sagas.values()]
        .filter((saga) => saga.orderId === orderId)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.sagaId, b.sagaId)),
    );
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<SagaRecord[]> {
    const due = [...this.db.sagas.values()]
      .filter((saga) => saga.status === 'RUNNING' && saga.nextAttemptAt !== null && saga.nextAttemptAt <= now)
      .sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0) || compareText(a.sagaId, b.sagaId))
      .slice(0, Math.max(0, limit));
    // The lease is not a save: the version stays, so the claimer commits against what it read.
    const leasedUntil = new Date(now.getTime() + leaseMs);
    const claimed = due.map((saga) => ({ ...saga, nextAttemptAt: leasedUntil }));
    for (const saga of claimed) this.db.sagas.set(saga.sagaId, saga);
    return copy(claimed);
  }

  async list(query: SagaListQuery): Promise<SagaRecord[]> {
    const { status, updatedBefore, after } = query;
    const afterKey = (saga: SagaRecord): boolean =>
      after === undefined ||
      saga.updatedAt.getTime() > after.updatedAt.getTime() ||
      (saga.updatedAt.getTime() === after.updatedAt.getTime() && compareText(saga.sagaId, after.sagaId) > 0);
    return copy(
      [...this.db.sagas.values()]
        .filter((saga) => (status === undefined || saga.status === status) && (updatedBefore === undefined || saga.updatedAt < updatedBefore))
        .filter(afterKey)
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || compareText(a.sagaId, b.sagaId))
        .slice(0, Math.max(0, query.limit)),
    );
  }

  async countRunning(): Promise<number> {
    let running = 0;
    for (const saga of this.db.sagas.values()) if (saga.status === 'RUNNING') running += 1;
    return running;
  }

  async pendingStepStats(steps: readonly string[]): Promise<SagaStepStats> {
    const wanted = new Set(steps);
    let count = 0;
    let oldest: number | null = null;
    for (const saga of this.db.sagas.values()) {
      const state = saga.state as { step?: unknown; stepStartedAt?: unknown } | null;
      if (saga.status !== 'RUNNING' || typeof state?.step !== 'string' || !wanted.has(state.step)) continue;
      count += 1;
      const startedAt = typeof state.stepStartedAt === 'string' ? Date.parse(state.stepStartedAt) : NaN;
      if (!Number.isNaN(startedAt) && (oldest === null || startedAt < oldest)) oldest = startedAt;
    }
    return { count, oldestStepStartedAt: oldest === null ? null : new Date(oldest) };
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
