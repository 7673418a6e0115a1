import { retryDelayMs, type ReceivedMessage, type Subscription } from '@oms/domain';

/** The pauses between attempts at a failed message: capped exponential from `baseMs`, with jitter. */
export interface RetryTiming {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Jitter source in [0, 1) (tests pin it). */
  readonly random?: () => number;
}

/**
 * Waits `delayMs` before the next attempt; resolves false when the driver must give the message
 * up instead (the member stops, its partition moved): it then stays unhandled and uncommitted.
 */
export type RetryPause = (delayMs: number) => Promise<boolean>;

export interface RetryHooks {
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
  readonly onDeadLetterError?: (error: unknown, message: ReceivedMessage) => void;
}

const pauseOf = (failures: number, timing: RetryTiming): number =>
  retryDelayMs(failures, (timing.random ?? Math.random)(), { retryBaseMs: timing.baseMs, retryMaxMs: timing.maxMs });

/**
 * One message through its subscription's handler, as every MessageConsumer driver runs it:
 * a failure is tried again after a pause (the caller holds the message's key and commit point
 * meanwhile). With a FailurePolicy, failures the policy does not call unavailability are
 * counted; after the first and `maxRetries` more, the message is dead-lettered (until that
 * succeeds) and counts as handled. Resolves true once handled or dead-lettered, false when the
 * pause says give up; never rejects.
 */
export async function handleWithRetries(
  subscription: Subscription,
  message: ReceivedMessage,
  timing: RetryTiming,
  pause: RetryPause,
  hooks: RetryHooks = {},
): Promise<boolean> {
  const policy = subscription.onFailure;
  let failures = 0;
  let counted = 0;
  for (;;) {
    let failure: unknown;
    try {
      await subscription.handle(message);
      return true;
    } catch (error) {
      failure = error;
    }
    hooks.onHandlerError?.(failure, message);
    failures++;
    if (policy && !isUnavailable(policy.isUnavailable, failure) && ++counted > policy.maxRetries) {
      return deadLetter(message, failure, counted - 1, timing, pause, hooks, policy.deadLetter);
    }
    if (!(await pause(pauseOf(failures, timing)))) return false;
  }
}

async function deadLetter(
  message: ReceivedMessage,
  error: unknown,
  retries: number,
  timing: RetryTiming,
  pause: RetryPause,
  hooks: RetryHooks,
  publish: NonNullable<Subscription['onFailure']>['deadLetter'],
): Promise<boolean> {
  for (let failures = 1; ; failures++) {
    try {
      await publish(message, { error, retries });
      return true;
    } catch (deadLetterError) {
      // The dead-letter topic is unreachable too: the message stays in place until it is not.
      hooks.onDeadLetterError?.(deadLetterError, message);
      if (!(await pause(pauseOf(failures, timing)))) return false;
    }
  }
}

function isUnavailable(classify: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return classify(error);
  } catch {
    return false;
  }
}
