import type { AdminDeadLettersJson, AdminSagaDetailJson, AdminSagaJson } from '@oms/contracts';
import type { DeadLetterBatch, SagaRecord } from '@oms/domain';
import type { SagaDetail } from './saga-operations';

/** The step fields every saga state has (SagaStateBase); the store keeps the state as opaque JSON. */
interface StepFields {
  readonly step?: unknown;
  readonly attempts?: unknown;
  readonly lastError?: unknown;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toAdminSagaJson(saga: SagaRecord): AdminSagaJson {
  const state = (typeof saga.state === 'object' && saga.state !== null ? saga.state : {}) as StepFields;
  return {
    id: saga.sagaId,
    orderId: saga.orderId,
    kind: saga.kind,
    status: saga.status,
    step: typeof state.step === 'string' ? state.step : null,
    attempts: typeof state.attempts === 'number' ? state.attempts : 0,
    lastError: typeof state.lastError === 'string' ? state.lastError : null,
    nextAttemptAt: iso(saga.nextAttemptAt),
    createdAt: saga.createdAt.toISOString(),
    updatedAt: saga.updatedAt.toISOString(),
  };
}

export function toAdminSagaDetailJson({ saga, history }: SagaDetail): AdminSagaDetailJson {
  return {
    saga: { ...toAdminSagaJson(saga), deadlineAt: iso(saga.deadlineAt), version: saga.version, state: saga.state },
    history: history.map((event) => {
      const reason = (event.data as { reason?: unknown } | null)?.reason;
      return { type: event.type, reason: typeof reason === 'string' ? reason : '', occurredAt: event.metadata.occurredAt, version: event.version };
    }),
  };
}

export function toAdminDeadLettersJson(batch: DeadLetterBatch): AdminDeadLettersJson {
  return {
    deadLetters: batch.rows.map((row) => ({
      id: String(row.id),
      messageId: row.messageId,
      topic: row.topic,
      key: row.key,
      partition: row.partition,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
    })),
    remaining: batch.remaining,
  };
}
