import { ceType, eventTypeOfCeType } from '@oms/contracts';
import { MessageConsumer, type ConsumerHandle, type ReceivedMessage, type Subscription } from '@oms/domain';
import { MemoryBroker } from '@oms/messaging';
import { Observable } from 'rxjs';
import { BrokerMessageContext } from './broker-message.context';
import { BrokerTransport, type BrokerTransportOptions } from './broker.transport';

const TOPIC = 'oms.order.events';

const envelope = (type: string, key: string, n: number) =>
  JSON.stringify({
    eventId: `e-${key}-${n}`,
    type,
    schemaVersion: 1,
    orderId: key,
    streamId: `order-${key}`,
    version: n,
    position: n,
    occurredAt: '2026-03-01T10:00:00.000Z',
    data: { orderId: key, n },
  });

const received = (type: string, key = 'o-1', n = 1): ReceivedMessage => ({
  topic: TOPIC,
  key,
  value: envelope(type, key, n),
  headers: {},
  partition: 0,
  offset: String(n),
});

/** A consumer that only records the subscription, so a test calls its handle as a driver would. */
class RecordingConsumer extends MessageConsumer {
  subscription?: Subscription;
  stopped = 0;
  async subscribe(subscription: Subscription): Promise<ConsumerHandle> {
    this.subscription = subscription;
    return { stop: async () => void this.stopped++ };
  }
}

function transportOver(consumer: MessageConsumer, extra: Partial<BrokerTransportOptions> = {}) {
  const deadLettered: { message: ReceivedMessage; reason: string; retries?: number }[] = [];
  const transport = new BrokerTransport(consumer, {
    groupId: 'g-1',
    topics: [TOPIC],
    deadLetter: async (message, reason, retries) => void deadLettered.push({ message, reason, retries }),
    ...extra,
  });
  return { transport, deadLettered };
}

const listen = (transport: BrokerTransport) =>
  new Promise<void>((resolve, reject) => void transport.listen((error?: unknown) => (error ? reject(error) : resolve())));

describe('BrokerTransport', () => {
  it('subscribes with the group and topics it is given, and stops consuming on close (once)', async () => {
    const consumer = new RecordingConsumer();
    const { transport } = transportOver(consumer);

    await listen(transport);
    await transport.close();
    await transport.close();

    expect(consumer.subscription).toMatchObject({ groupId: 'g-1', topics: [TOPIC] });
    expect(consumer.stopped).toBe(1);
  });

  it("resolves the consumer's handle only once the handler's promise, or its observable, has finished", async () => {
    const consumer = new RecordingConsumer();
    const { transport } = transportOver(consumer);
    let finishPromise!: () => void;
    let completeObservable!: () => void;
    const seen: unknown[] = [];
    transport.addHandler(
      'OrderPaymentRequested',
      async (data: unknown, context: BrokerMessageContext) => {
        seen.push([data, context.message.offset]);
        return new Promise<void>((resolve) => (finishPromise = resolve));
      },
      true,
    );
    transport.addHandler(
      'OrderRefundRequested',
      async () => new Observable<void>((subscriber) => void (completeObservable = () => subscriber.complete())),
      true,
    );
    await listen(transport);
    const handle = consumer.subscription?.handle as (message: ReceivedMessage) => Promise<void>;

    let promiseDone = false;
    const first = handle(received('OrderPaymentRequested', 'o-1', 7)).then(() => (promiseDone = true));
    let observableDone = false;
    const second = handle(received('OrderRefundRequested', 'o-2', 3)).then(() => (observableDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([promiseDone, observableDone]).toEqual([false, false]);

    finishPromise();
    await first;
    expect([promiseDone, observableDone]).toEqual([true, false]);
    completeObservable();
    await second;
    expect(observableDone).toBe(true);
    expect(seen).toEqual([[expect.objectContaining({ type: 'OrderPaymentRequested', eventId: 'e-o-1-7' }), '7']]);
  });

  it('acknowledges an event type without a handler, dead-letters a message that is not an envelope, rethrows a handler error', async () => {
    const consumer = new RecordingConsumer();
    const { transport, deadLettered } = transportOver(consumer);
    const failure = new Error('database unreachable');
    transport.addHandler('OrderPaymentRequested', async () => Promise.reject(failure), true);
    await listen(transport);

    await expect(transport.handleMessage(received('OrderPlaced'))).resolves.toBeUndefined();
    await expect(transport.handleMessage({ ...received('OrderPlaced'), value: '{not json' })).resolves.toBeUndefined();
    await expect(transport.handleMessage(received('OrderPaymentRequested'))).rejects.toBe(failure);

    expect(deadLettered.map((d) => d.reason)).toEqual(['message body is not JSON']);
  });

  it('acknowledges unparsed a message whose headers declare a type without a handler, and looks each type up once', async () => {
    const consumer = new RecordingConsumer();
    const { transport, deadLettered } = transportOver(consumer, { declaredType: (headers) => eventTypeOfCeType(headers['ce_type']) });
    const handled: string[] = [];
    transport.addHandler('OrderPaymentRequested', async (data: { eventId: string }) => void handled.push(data.eventId), true);
    await listen(transport);
    const lookups = jest.spyOn(transport, 'getHandlerByPattern');
    const declared = (type: string, value: string, n: number): ReceivedMessage => ({ ...received(type, 'o-1', n), value, headers: { ce_type: ceType(type) } });

    await transport.handleMessage(declared('OrderPlaced', '{not json', 1)); // not parsed: no dead letter
    await transport.handleMessage(declared('OrderPaymentRequested', envelope('OrderPaymentRequested', 'o-1', 2), 2));
    await transport.handleMessage(declared('OrderPaymentRequested', '{not json', 3)); // a handled type is parsed
    await transport.handleMessage(received('OrderPlaced', 'o-1', 4)); // no header: parsed, no handler
    await transport.handleMessage(received('OrderPlaced', 'o-1', 5));

    expect(handled).toEqual(['e-o-1-2']);
    expect(deadLettered.map((d) => [d.message.offset, d.reason])).toEqual([['3', 'message body is not JSON']]);
    expect(lookups.mock.calls.map(([type]) => type)).toEqual(['OrderPlaced', 'OrderPaymentRequested']);
    expect(eventTypeOfCeType('oms.saga.v1.started')).toBeUndefined();
    expect(eventTypeOfCeType('oms.order.v1.')).toBeUndefined();
  });

  it('looks a type up again once a handler is added after it was found without one', async () => {
    const consumer = new RecordingConsumer();
    const { transport } = transportOver(consumer);
    await listen(transport);
    const handled: string[] = [];

    await transport.handleMessage(received('OrderRefundRequested', 'o-1', 1));
    transport.addHandler('OrderRefundRequested', async (data: { eventId: string }) => void handled.push(data.eventId), true);
    await transport.handleMessage(received('OrderRefundRequested', 'o-1', 2));

    expect(handled).toEqual(['e-o-1-2']);
  });

  it('subscribes without a FailurePolicy unless given maxRetries; with it, storage unavailability is not counted by default', async () => {
    const unbounded = new RecordingConsumer();
    await listen(transportOver(unbounded).transport);
    expect(unbounded.subscription?.onFailure).toBeUndefined();

    const bounded = new RecordingConsumer();
    const { transport, deadLettered } = transportOver(bounded, { maxRetries: 4 });
    await listen(transport);
    const policy = bounded.subscription?.onFailure;
    expect(policy?.maxRetries).toBe(4);
    expect(policy?.isUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(policy?.isUnavailable(new Error('inventory said no'))).toBe(false);
    await policy?.deadLetter(received('OrderPaymentRequested'), { error: new Error('handler kept failing'), retries: 4 });
    expect(deadLettered).toEqual([{ message: received('OrderPaymentRequested'), reason: 'handler kept failing', retries: 4 }]);
  });

  it('on the memory broker: a handler that keeps failing is dead-lettered after maxRetries retries and its key moves on', async () => {
    const broker = new MemoryBroker({ redeliveryDelayMs: 1 });
    const { transport, deadLettered } = transportOver(broker, { maxRetries: 2 });
    const attempts: number[] = [];
    transport.addHandler(
      'OrderPaymentRequested',
      async (data: { data: { n: number } }) => {
        attempts.push(data.data.n);
        if (data.data.n === 1) throw new Error(`poison ${data.data.n}`);
      },
      true,
    );
    await listen(transport);

    await broker.publish([1, 2].map((n) => ({ topic: TOPIC, key: 'o-1', value: envelope('OrderPaymentRequested', 'o-1', n), headers: {} })));
    for (let i = 0; i < 200 && !attempts.includes(2); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await transport.close();

    expect(attempts).toEqual([1, 1, 1, 2]);
    expect(deadLettered.map(({ reason, retries, message }) => [reason, retries, message.offset])).toEqual([['poison 1', 2, '0']]);
  });

  it('on the memory broker: one key in order, the next message only after the handler finished, a failed one delivered again', async () => {
    const broker = new MemoryBroker({ redeliveryDelayMs: 5 });
    const { transport } = transportOver(broker);
    const log: string[] = [];
    let failOnce = true;
    transport.addHandler(
      'OrderPaymentRequested',
      async (data: { data: { n: number } }) => {
        log.push(`start ${data.data.n}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (data.data.n === 2 && failOnce) {
          failOnce = false;
          log.push('fail 2');
          throw new Error('transient');
        }
        log.push(`end ${data.data.n}`);
      },
      true,
    );
    await listen(transport);

    await broker.publish([1, 2, 3].map((n) => ({ topic: TOPIC, key: 'o-1', value: envelope('OrderPaymentRequested', 'o-1', n), headers: {} })));
    for (let i = 0; i < 200 && !log.includes('end 3'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await transport.close();

    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'fail 2', 'start 2', 'end 2', 'start 3', 'end 3']);
  });
});
