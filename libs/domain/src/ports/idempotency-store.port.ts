import type { StoredEvent } from '../events/stored-event';

/**
 * Stripe-style idempotency keys in ONE key space: a key names one request (operation, order
 * and body). `begin` claims a key for one request; the mutation's transaction completes it
 * with the response (see UnitOfWork), or `release` frees it when the request failed in a way
 * worth retrying.
 */
export interface IdempotencyClaim {
  readonly key: string;
  /** The operation and order of the request, e.g. `CreateOrder` or `PayOrder:<orderId>`. */
  readonly scope: string;
  /** Hash of the canonical request, scope included; another hash under the same key is a misuse. */
  readonly requestHash: string;
  /** How long an in-flight claim blocks others before it may be taken over (crashed owner). */
  readonly lockMs: number;
}

/**
 * The answer a completed key replays: the outcome the first request had (`created`,
 * `accepted`, `rejected`; each edge turns it into its own status) and the body. Rows written
 * before outcomes were stored carry the REST status instead; they are replayed all the same.
 */
export type StoredResponse = StoredOutcome | LegacyStoredResponse;

export interface StoredOutcome {
  readonly outcome: string;
  readonly body: unknown;
}

/** A completion as older releases stored it (201 created, 202 accepted, 4xx a rejection). */
export interface LegacyStoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyBeginResult =
  /** `stream`: the events of the stream the begin was asked to read (IdempotencyBeginOptions), as of the claim. */
  | { readonly outcome: 'started'; readonly stream?: readonly StoredEvent[] }
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  /** The key names another request; `scope` is that request's (the first that used the key). */
  | { readonly outcome: 'mismatch'; readonly scope: string }
  | { readonly outcome: 'in_flight' };

export interface IdempotencyCompletion {
  readonly key: string;
  readonly scope: string;
  readonly response: StoredResponse;
}

/**
 * `readStream`: the request will read this event stream once it holds the key (a status change
 * reads its order); a claim that starts returns it, read in the same round trip. Only a hint:
 * a store may return none, and the caller then reads the stream itself.
 */
export interface IdempotencyBeginOptions {
  readonly readStream?: string;
}

export abstract class IdempotencyStore {
  abstract begin(claim: IdempotencyClaim, now: Date, options?: IdempotencyBeginOptions): Promise<IdempotencyBeginResult>;
  /** Stores the final response outside a mutation (for answers that changed nothing, e.g. a rejection). */
  abstract complete(completion: IdempotencyCompletion, now: Date): Promise<void>;
  /** Frees an in-flight claim so the client can retry with the same key. */
  abstract release(key: string, scope: string): Promise<void>;
  /** Deletes records created before `createdBefore`, at most `limit`; returns how many. */
  abstract deleteExpired(createdBefore: Date, limit: number): Promise<number>;
}
