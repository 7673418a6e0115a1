import type { ReceivedMessage } from '@oms/domain';
import { InFlightMessages } from './in-flight-messages';

const message = (key: string, offset: number, partition = 0): ReceivedMessage => ({
  topic: 't',
  partition,
  offset: String(offset),
  key,
  value: `${key}@${offset}`,
  headers: {},
});

/** A handler that resolves when the test says so, recording when it started. */
function gate() {
  const started: string[] = [];
  const finish = new Map<string, (handled: boolean) => void>();
  const handler = (m: ReceivedMessage) => () => {
    started.push(m.value);
    return new Promise<boolean>((resolve) => finish.set(m.value, resolve));
  };
  const settle = async (value: string, handled = true): Promise<void> => {
    const resolve = finish.get(value);
    if (!resolve) throw new Error(`${value} has not started`);
    resolve(handled);
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { started, handler, settle };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('InFlightMessages', () => {
  it('runs one key in order and different keys side by side', async () => {
    const inFlight = new InFlightMessages(8);
    const g = gate();
    for (const m of [message('a', 0), message('b', 1), message('a', 2)]) inFlight.dispatch(m, g.handler(m), () => false);
    await flush();

    expect(g.started).toEqual(['a@0', 'b@1']);
    await g.settle('a@0');
    expect(g.started).toEqual(['a@0', 'b@1', 'a@2']);
  });

  it('never commits past a message still running, then commits everything handled', async () => {
    const inFlight = new InFlightMessages(8);
    const g = gate();
    for (const m of [message('a', 10), message('b', 11), message('c', 12)]) inFlight.dispatch(m, g.handler(m), () => false);
    await flush();

    await g.settle('b@11');
    await g.settle('c@12');
    expect(inFlight.commitPoints()).toEqual([{ topic: 't', partition: 0, offset: '10' }]);
    await g.settle('a@10');
    expect(inFlight.commitPoints()).toEqual([{ topic: 't', partition: 0, offset: '13' }]);
    expect(inFlight.commitPoints()).toEqual([]); // nothing moved since
    await inFlight.idle();
    expect(inFlight.size).toBe(0);
  });

  it('keeps a given-up message and the later ones of its key uncommitted and unhandled; other keys go on', async () => {
    const inFlight = new InFlightMessages(8);
    const g = gate();
    for (const m of [message('a', 0), message('a', 1), message('b', 2)]) inFlight.dispatch(m, g.handler(m), () => false);
    await flush();

    await g.settle('a@0', false);
    await g.settle('b@2');

    expect(g.started).toEqual(['a@0', 'b@2']); // a@1 never ran after a@0 was given up
    expect(inFlight.commitPoints()).toEqual([{ topic: 't', partition: 0, offset: '0' }]);
    expect(inFlight.size).toBe(0);
  });

  it('bounds the handlers in flight and frees a slot when one finishes', async () => {
    const inFlight = new InFlightMessages(2);
    const g = gate();
    inFlight.dispatch(message('a', 0), g.handler(message('a', 0)), () => false);
    inFlight.dispatch(message('b', 1), g.handler(message('b', 1)), () => false);
    expect(inFlight.hasRoom()).toBe(false);
    await flush();

    const room = inFlight.waitForRoom(10_000);
    await g.settle('a@0');
    await room;
    expect(inFlight.hasRoom()).toBe(true);
  });

  it('after a rebalance, handlers of the old generation no longer move commit points', async () => {
    const inFlight = new InFlightMessages(8);
    const g = gate();
    inFlight.dispatch(message('a', 5), g.handler(message('a', 5)), () => false);
    await flush();

    inFlight.newGeneration();
    await g.settle('a@5');

    expect(inFlight.commitPoints()).toEqual([]);
    // The new generation reads from the last commit and starts over.
    inFlight.dispatch(message('a', 5), g.handler(message('a', 5)), () => false);
    await flush();
    expect(g.started).toEqual(['a@5', 'a@5']);
  });

  it('skips handlers that have not started once the member stops', async () => {
    const inFlight = new InFlightMessages(8);
    const g = gate();
    let stopping = false;
    inFlight.dispatch(message('a', 0), g.handler(message('a', 0)), () => stopping);
    inFlight.dispatch(message('a', 1), g.handler(message('a', 1)), () => stopping);
    await flush();

    stopping = true;
    await g.settle('a@0');
    await inFlight.idle();

    expect(g.started).toEqual(['a@0']);
    expect(inFlight.commitPoints()).toEqual([{ topic: 't', partition: 0, offset: '1' }]);
  });
});
