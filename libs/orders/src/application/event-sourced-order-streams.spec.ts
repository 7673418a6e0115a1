import { EventStore, UnitOfWork, UuidV7IdGenerator, type Clock } from '@oms/domain';
import { TEST_ORDER_ID, aPlaceOrder } from '@oms/domain/testing';
import { testConfig } from '@oms/testing';
import { EventSourcedOrderStreams } from './event-sourced-order-streams';

const clock: Clock = { now: () => new Date('2026-01-01T00:00:00.000Z') };

function streamsWith(variables: Record<string, string>): EventSourcedOrderStreams {
  // A new order: nothing to read; deciding commits nothing.
  const eventStore = { readStream: async () => [] } as unknown as EventStore;
  const unitOfWork = { commit: async () => ({}) } as unknown as UnitOfWork;
  return new EventSourcedOrderStreams(eventStore, unitOfWork, clock, new UuidV7IdGenerator(), undefined, testConfig(variables));
}

describe('EventSourcedOrderStreams', () => {
  it('puts the outbox rows of order events on the configured orders topic, which the sagas consume', async () => {
    const streams = streamsWith({ OMS_KAFKA_ORDERS_TOPIC: 'shop.orders.v1' });
    const placed = streams.decide(await streams.load(TEST_ORDER_ID), [aPlaceOrder()]);
    expect(placed.change.outbox?.map((row) => row.topic)).toEqual(['shop.orders.v1']);
  });

  it('uses oms.order.events by default', async () => {
    const streams = streamsWith({});
    const placed = streams.decide(await streams.load(TEST_ORDER_ID), [aPlaceOrder()]);
    expect(placed.change.outbox?.map((row) => row.topic)).toEqual(['oms.order.events']);
  });
});
