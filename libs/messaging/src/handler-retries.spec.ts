import type { ReceivedMessage, Subscription } from '@oms/domain';
import { handleWithRetries } from './handler-retries';

const message: ReceivedMessage = { topic: 't', key: 'k', value: 'v', headers: {}, partition: 0, offset: '7' };

function failing(times: number, error: unknown = new Error('handler failed')): { handle: Subscription['handle']; calls: () => number } {
  let calls = 0;
  return {
    handle: async () => {
      calls++;
      if (calls <= times) throw error;
    },
    calls: () => calls,
  };
}

describe('handleWithRetries', () => {
  it('pauses before each retry for a capped exponential delay with equal jitter', async () => {
    const handler = failing(5);
    const pauses: number[] = [];
    const handled = await handleWithRetries(
      { groupId: 'g', topics: ['t'], handle: handler.handle },
      message,
      { baseMs: 100, maxMs: 500, random: () => 0.5 },
      async (delayMs) => pauses.push(delayMs) > 0,
    );
    expect(handled).toBe(true);
    expect(handler.calls()).toBe(6);
    // ceiling 100, 200, 400, 500, 500; three quarters of it with jitter 0.5.
    expect(pauses).toEqual([75, 150, 300, 375, 375]);
  });

  it('without a FailurePolicy retries until handled; gives up (false) when the pause says so', async () => {
    const handler = failing(Number.MAX_SAFE_INTEGER);
    let pauses = 0;
    const handled = await handleWithRetries({ groupId: 'g', topics: ['t'], handle: handler.handle }, message, { baseMs: 1, maxMs: 1 }, async () => ++pauses < 10);
    expect(handled).toBe(false);
    expect(handler.calls()).toBe(10);
  });

  it('counts a failure whose classification throws, and gives up while dead-lettering when the pause says so', async () => {
    const handler = failing(Number.MAX_SAFE_INTEGER);
    const deadLetters: number[] = [];
    const errors: unknown[] = [];
    let pauses = 0;
    const handled = await handleWithRetries(
      {
        groupId: 'g',
        topics: ['t'],
        handle: handler.handle,
        onFailure: {
          maxRetries: 1,
          isUnavailable: () => {
            throw new Error('classifier bug');
          },
          deadLetter: async (_m, failure) => {
            deadLetters.push(failure.retries);
            throw new Error('dlq down');
          },
        },
      },
      message,
      { baseMs: 1, maxMs: 1 },
      async () => ++pauses < 3,
      { onDeadLetterError: (error) => errors.push(error) },
    );
    expect(handled).toBe(false);
    // Two counted failures (the first and one retry), then dead-lettering tried until the pause gave up.
    expect(handler.calls()).toBe(2);
    expect(deadLetters).toEqual([1, 1]);
    expect(errors.map((error) => (error as Error).message)).toEqual(['dlq down', 'dlq down']);
  });
});
