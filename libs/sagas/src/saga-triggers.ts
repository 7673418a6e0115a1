import { Injectable } from '@nestjs/common';
import { MalformedEnvelopeError, type EventEnvelope } from '@oms/contracts';
import { Clock, ConcurrencyError, Inbox, SagaStore, UnitOfWork, type SagaKind } from '@oms/domain';
import { SAGA_INBOX_CONSUMER } from './saga-policy';
import { SagaRunner } from './saga-runner';

type InboxEntry = { readonly consumer: string; readonly messageId: string };

/** The saga id an order event names; an event without one is malformed (dead-lettered). */
export function sagaIdOf(envelope: EventEnvelope): string {
  const sagaId = (envelope.data as Record<string, unknown>)['sagaId'];
  if (typeof sagaId !== 'string' || sagaId.length === 0) {
    throw new MalformedEnvelopeError(`${envelope.type} event ${envelope.eventId} has no data.sagaId`);
  }
  return sagaId;
}

/**
 * What the order events that concern sagas do, deduplicated by event id through the inbox
 * (written in the same commit as the new saga): start a saga, or wake the one a cancellation
 * names. Resolves once the message may be acknowledged; the drive it sets off runs on.
 */
@Injectable()
export class SagaTriggers {
  constructor(
    private readonly inbox: Inbox,
    private readonly sagas: SagaStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly runner: SagaRunner,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts the saga of `kind` the event names. When that saga exists already (a redelivery, a
   * replay, or another message started it) the existing one is driven and the event is recorded
   * as handled, so a repeat of it stops at the inbox.
   */
  async start(kind: SagaKind, envelope: EventEnvelope): Promise<void> {
    const sagaId = sagaIdOf(envelope);
    const entry = await this.unhandled(envelope);
    if (entry && !(await this.runner.startAndDrive(kind, sagaId, envelope.orderId, entry))) await this.recordHandled(entry);
  }

  /**
   * A cancellation during fulfilment names the fulfilment saga: wake it, it compensates.
   * Otherwise it starts a cancellation saga under the id it names.
   */
  async cancel(envelope: EventEnvelope): Promise<void> {
    const sagaId = sagaIdOf(envelope);
    const entry = await this.unhandled(envelope);
    if (!entry) return;
    if ((await this.sagas.get(sagaId)) === null) {
      await this.runner.startAndDrive('cancellation', sagaId, envelope.orderId, entry);
      return;
    }
    await this.recordHandled(entry);
    void this.runner.drive(sagaId);
  }

  /** The inbox entry to write for this event, or null when it was handled already. */
  private async unhandled(envelope: EventEnvelope): Promise<InboxEntry | null> {
    if (await this.inbox.has(SAGA_INBOX_CONSUMER, envelope.eventId)) return null;
    return { consumer: SAGA_INBOX_CONSUMER, messageId: envelope.eventId };
  }

  private async recordHandled(entry: InboxEntry): Promise<void> {
    try {
      await this.unitOfWork.commit({ inbox: entry }, this.clock.now());
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error; // already recorded by a redelivery
    }
  }
}
