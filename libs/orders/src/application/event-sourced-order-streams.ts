import { Inject, Injectable, Optional } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { ORDER_EVENTS_TOPIC, toOutboxMessage } from '@oms/contracts';
import { OmsMetrics, activeTraceparent, traceIdOf } from '@oms/observability';
import {
  Clock,
  ConcurrencyError,
  EventStore,
  IdGenerator,
  OrderStreams,
  UnitOfWork,
  decideOrderCommands,
  evolveOrder,
  orderStreamId,
  orderViewOf,
  loadedOrder,
  type ChangeSet,
  type CommitResult,
  type EventMetadata,
  type LoadedOrder,
  type NewEvent,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
  type OrderWrite,
  type OrderWriteOptions,
  type PreparedOrderChange,
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
 * The order streams on the event store: a decision becomes the events, outbox rows and
 * projection of ONE unit-of-work commit, prepared as data for the caller to complete. A
 * conflicting writer makes the append fail; `write` then redoes the whole load -> decide ->
 * commit on fresh state.
 */
@Injectable()
export class EventSourcedOrderStreams extends OrderStreams {
  constructor(
    private readonly eventStore: EventStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Optional() private readonly metrics?: OmsMetrics,
    @Optional() @Inject(OMS_CONFIG) config?: OmsConfig,
  ) {
    super();
    this.topic = config?.broker.kafka.ordersTopic ?? ORDER_EVENTS_TOPIC;
  }

  /** Where the events' outbox rows go (OMS_KAFKA_ORDERS_TOPIC): the topic the sagas consume. */
  private readonly topic: string;

  async load(orderId: string): Promise<LoadedOrder> {
    return loadedOrder(orderId, await this.eventStore.readStream(orderStreamId(orderId)));
  }

  decide(order: LoadedOrder, commands: readonly OrderCommand[], metadata?: Partial<EventMetadata>): PreparedOrderChange {
    return this.record(order, decideOrderCommands(commands, order.state).events, metadata);
  }

  record(order: LoadedOrder, events: readonly OrderEvent[], metadata: Partial<EventMetadata> = {}): PreparedOrderChange {
    const { orderId } = order;
    const streamId = orderStreamId(orderId);
    const occurredAt = metadata.occurredAt ?? this.clock.now().toISOString();
    const stamp: EventMetadata = { ...metadata, occurredAt, ...traceparentOf(metadata.traceparent) };
    let state: OrderState = order.state;
    const appended: NewEvent[] = [];
    for (const { type, schemaVersion, data } of events) {
      state = evolveOrder(state, { type, schemaVersion, data } as OrderEvent);
      appended.push({ eventId: this.ids.newId(), type, schemaVersion, data, metadata: stamp });
    }
    if (appended.length === 0) return { state, events: [], change: {} };
    const stored: StoredEvent[] = appended.map((event, index) => ({
      ...event,
      streamId,
      version: order.state.version + index + 1,
      position: 0, // assigned by the store; the outbox envelope carries the stream version for ordering
    }));
    const createdAt = order.events[0]?.metadata.occurredAt ?? occurredAt;
    return {
      state,
      events: stored,
      change: {
        append: { streamId, expectedVersion: order.state.version, events: appended },
        outbox: stored.map((event) => toOutboxMessage(event, orderId, this.topic)),
        projection: orderViewOf(state, createdAt, occurredAt),
      },
    };
  }

  async commit(change: ChangeSet): Promise<CommitResult> {
    if (Object.keys(change).length === 0) return {};
    const result = await this.unitOfWork.commit(change, this.clock.now());
    if (change.append) this.metrics?.timelineEvents.inc(change.append.events.length);
    return result;
  }

  async write<T>(orderId: string, attempt: (order: LoadedOrder) => OrderWrite<T>, options: OrderWriteOptions = {}): Promise<T> {
    const retries = options.maxConflictRetries ?? DEFAULT_CONFLICT_RETRIES;
    for (let round = 0; ; round++) {
      const order = round === 0 && options.history ? loadedOrder(orderId, options.history) : await this.load(orderId);
      const { change, result } = attempt(order);
      try {
        await this.commit(change);
        return result;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || round >= retries) throw error;
      }
    }
  }

  execute(
    orderId: string,
    commands: readonly OrderCommand[],
    options: OrderWriteOptions & { readonly metadata?: Partial<EventMetadata> } = {},
  ): Promise<{ readonly state: OrderState; readonly events: readonly StoredEvent[] }> {
    return this.write(
      orderId,
      (order) => {
        const { state, events, change } = this.decide(order, commands, options.metadata);
        return { change, result: { state, events } };
      },
      options,
    );
  }
}
