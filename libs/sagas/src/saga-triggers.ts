import { Injectable } from '@nestjs/common';
import { MalformedEnvelopeError, type EventEnvelope } from '@oms/contracts';
import type { SagaKind } from '@oms/domain';
import { SAGA_INBOX_CONSUMER } from './saga-policy';
import { SagaRunner } from './saga-runner';

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
 * (its entry is written in the same commit as the new saga, or alone before waking a saga, and
 * that write's conflict is the check: no read first): start a saga, or wake the one a
 * cancellation names. Resolves once the message may be acknowledged; the drive it sets off runs on.
 */
@Injectable()
export class SagaTriggers {
  constructor(private readonly runner: SagaRunner) {}

  /**
   * Starts the saga of `kind` the event names. When that saga exists already (a redelivery, a
   * replay, or another message started it) the existing one is driven and the event is recorded
   * as handled, so a repeat of it stops at the inbox.
   */
  async start(kind: SagaKind, envelope: EventEnvelope): Promise<void> {
    // No inbox read first: the entry is written in the saga's insert, whose conflict is the check.
    await this.runner.startAndDrive(kind, sagaIdOf(envelope), envelope.orderId, { consumer: SAGA_INBOX_CONSUMER, messageId: envelope.eventId });
  }

  /**
   * A cancellation during fulfilment names the fulfilment saga: it is woken (startAndDrive finds
   * it and drives it), it compensates. Otherwise it starts a cancellation saga under the id it names.
   */
  async cancel(envelope: EventEnvelope): Promise<void> {
    const entry = { consumer: SAGA_INBOX_CONSUMER, messageId: envelope.eventId };
    await this.runner.startAndDrive('cancellation', sagaIdOf(envelope), envelope.orderId, entry);
  }
}
