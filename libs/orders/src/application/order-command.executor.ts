import { Injectable, Optional } from '@nestjs/common';
import { toOutboxMessage } from '@oms/contracts';
import { OmsMetrics, activeTraceparent, traceIdOf } from '@oms/observability';
import {
  Clock,
  ConcurrencyError,
  EventStore,
  IdGenerator,
  OrderCommandBus,
  UnitOfWork,
  decideOrder,
  evolveOrder,
  orderStreamId,
  orderViewOf,
  rehydrateOrder,
  type NewEvent,
  type OrderCommand,
  type OrderCommandOptions,
  type OrderCommandResult,
  type OrderState,
  type StoredEvent,
} from '@oms/domain';

const DEFAULT_CONFLICT_RETRIES = 5;

/**
 * The trace the events (and so their outbox rows) carry on to the relay and the saga: the
 * active span when the caller gave no valid traceparent, or one of the same trace (the active
 * span then descends from it and is the closer parent); otherwise the caller's.
 */
function traceparentOf(given: string | undefined): { traceparent?: string } {
  const givenTrace = traceIdOf(given);
  const active = activeTraceparent();
  if (active && (givenTrace === undefined || givenTrace === traceIdOf(active))) return { traceparent: active };
  return givenTrace === undefined ? {} : { traceparent: given as string };
}

/**
 * The one write path of an order: load -> decide -> commit events, outbox rows and the
 * projection (plus whatever the caller adds) in a single transaction. A conflicting
 * writer makes the append fail; the whole decision is then redone on fresh state.
 */
@Injectable()
export class OrderCommandExecutor extends OrderCommandBus {
  constructor(
    private readonly eventStore: EventStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {
    super();
  }

  async load(orderId: string): Promise<{ state: OrderState; events: readonly StoredEvent[] } | null> {
    const events = await this.eventStore.readStream(orderStreamId(orderId));
    if (events.length === 0) return null;
    return { state: rehydrateOrder(events), events };
  }

  async execute(
    orderId: string,
    commands: readonly OrderCommand[],
    options: OrderCommandOptions = {},
  ): Promise<OrderCommandResult> {
    const retries = options.maxConflictRetries ?? DEFAULT_CONFLICT_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryOnce(orderId, commands, options, attempt === 0 ? options.history : undefined);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= retries) throw error;
      }
    }
  }

  private async tryOnce(
    orderId: string,
    commands: readonly OrderCommand[],
    options: OrderCommandOptions,
    known: readonly StoredEvent[] | undefined,
  ): Promise<OrderCommandResult> {
    const streamId = orderStreamId(orderId);
    const history = known ?? (await this.eventStore.readStream(streamId));
    const before = rehydrateOrder(history);
    const now = this.clock.now();
    const metadata = {
      ...options.metadata,
      occurredAt: options.metadata?.occurredAt ?? now.toISOString(),
      ...traceparentOf(options.metadata?.traceparent),
    };

    let state = before;
    const decided: NewEvent[] = [];
    for (const command of commands) {
      for (const event of decideOrder(command, state)) {
        state = evolveOrder(state, event);
        decided.push({ eventId: this.ids.newId(), ...event, metadata });
      }
    }
    const stored: StoredEvent[] = decided.map((event, index) => ({
      ...event,
      streamId,
      version: before.version + index + 1,
      position: 0, // assigned by the store; the outbox envelope carries the stream version for ordering
    }));
    const extra = options.alsoCommit?.(state, stored) ?? {};
    if (stored.length === 0) {
      if (Object.keys(extra).length > 0) await this.unitOfWork.commit(extra, now);
      return { state, events: [] };
    }
    const createdAt = history[0]?.metadata.occurredAt ?? metadata.occurredAt;
    await this.unitOfWork.commit(
      {
        ...extra,
        append: { streamId, expectedVersion: before.version, events: decided },
        outbox: stored.map((event) => toOutboxMessage(event, orderId)),
        projection: orderViewOf(state, createdAt, metadata.occurredAt),
      },
      now,
    );
    this.metrics?.timelineEvents.inc(stored.length);
    return { state, events: stored };
  }
}
