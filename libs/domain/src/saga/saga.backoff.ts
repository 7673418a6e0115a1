import type { SagaPolicy } from './saga.types';

/**
 * Delay before retry number `attempt` (1 = first retry): capped exponential growth with
 * "equal jitter" — half of the delay is fixed, half spread by `jitter` in [0, 1) — so
 * many sagas failing together do not retry in lockstep, and no delay exceeds retryMaxMs.
 */
export function retryDelayMs(attempt: number, jitter: number, policy: Pick<SagaPolicy, 'retryBaseMs' | 'retryMaxMs'>): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** exponent grows without bound; compare before multiplying so a large attempt cannot overflow.
  const capped = exponent >= 52 ? policy.retryMaxMs : Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** exponent);
  const spread = Math.min(Math.max(jitter, 0), 1);
  return Math.min(policy.retryMaxMs, Math.floor(capped / 2 + (spread * capped) / 2));
}
