import { Inject, Injectable, Logger } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import {
  Clock,
  DomainError,
  IdempotencyStore,
  isDeterministicRejection,
  isDomainError,
  type ChangeSet,
  type DomainErrorCode,
  type FieldViolation,
  type StoredEvent,
  type StoredResponse,
} from '@oms/domain';
import type { MutationOutcome, MutationResult } from './mutation-context';
import { requestHash } from './request-hash';

export interface IdempotentRequest {
  readonly key: string;
  /** Operation and order id, e.g. `PayOrder:<orderId>`: part of the request a key names (one key space). */
  readonly scope: string;
  /** The validated, canonical command (hashed to detect a key reused for another request). */
  readonly request: unknown;
  /** The event stream the mutation reads first: read with the claim when the store can (one round trip). */
  readonly readStream?: string;
}

/** A key this request holds: the mutation completes it in its own commit (see `completionOf`). */
export interface ClaimedKey {
  readonly key: string;
  readonly scope: string;
  /** The events of the request's `readStream` as of the claim, when the store read them with it. */
  readonly stream?: readonly StoredEvent[];
}

/** The part of a mutation's change that stores its answer under the key it holds. */
export const completionOf = (claim: ClaimedKey, result: MutationResult<unknown>): Pick<ChangeSet, 'idempotency'> => ({
  idempotency: { key: claim.key, scope: claim.scope, response: { outcome: result.outcome, body: result.body } },
});

/** How a rejection is stored, so that a replay throws the very same error again. */
interface StoredRejection {
  readonly error: { readonly code: DomainErrorCode; readonly message: string; readonly violations: readonly FieldViolation[] };
}

const REJECTED = 'rejected';

const isStoredRejection = (body: unknown): body is StoredRejection =>
  typeof body === 'object' && body !== null && typeof (body as { error?: { code?: unknown } }).error?.code === 'string';

/** Rows stored before outcomes were: the REST status the first answer had (a rejection's body says so itself). */
const LEGACY_OUTCOMES: ReadonlyMap<number, MutationOutcome> = new Map([
  [201, 'created'],
  [202, 'accepted'],
]);

function outcomeOf(response: StoredResponse): MutationOutcome {
  const outcome = 'outcome' in response ? response.outcome : LEGACY_OUTCOMES.get(response.status);
  if (outcome === 'created' || outcome === 'accepted') return outcome;
  throw new Error(`stored idempotent response has no known outcome: ${JSON.stringify('outcome' in response ? response.outcome : response.status)}`);
}

/** The operation of a scope (`PayOrder:<orderId>` -> `PayOrder`); the order stays unnamed, it may be anyone's. */
const operationOf = (scope: string): string => scope.split(':', 1)[0] ?? scope;

const keyReused = (originalScope: string): DomainError =>
  new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    `this idempotency key was already used for ${operationOf(originalScope)} with another request; ` +
      'a key names one request (operation, order and body): send a new request under a new key',
  );

/**
 * Stripe semantics around one mutation, in one key space: the first request with a key runs; a
 * retry with the same request gets the stored answer (outcome and body, rejections included);
 * the same key with another request (operation, order or body) is IDEMPOTENCY_KEY_REUSED,
 * naming the operation the key was first used for; while the first still runs,
 * IDEMPOTENCY_KEY_IN_FLIGHT. A success is stored by the mutation's own commit (its change
 * includes `completionOf(claim, result)`); a deterministic rejection is stored after it; a
 * transient failure frees the key so the client can retry it.
 */
@Injectable()
export class IdempotentMutation {
  private readonly logger = new Logger(IdempotentMutation.name);

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
  ) {}

  async run<TBody>(request: IdempotentRequest, perform: (claim: ClaimedKey) => Promise<MutationResult<TBody>>): Promise<MutationResult<TBody>> {
    const { key, scope } = request;
    const begun = await this.store.begin(
      { key, scope, requestHash: requestHash(scope, request.request), lockMs: this.config.idempotency.lockMs },
      this.clock.now(),
      request.readStream === undefined ? undefined : { readStream: request.readStream },
    );
    switch (begun.outcome) {
      case 'started':
        break;
      case 'replay':
        return replay<TBody>(begun.response);
      case 'mismatch':
        throw keyReused(begun.scope);
      case 'in_flight':
        throw new DomainError('IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this idempotency key is still in progress; retry later');
      default: {
        const unknown: never = begun;
        throw new Error(`unknown idempotency outcome ${JSON.stringify(unknown)}`);
      }
    }
    try {
      return await perform(begun.stream ? { key, scope, stream: begun.stream } : { key, scope });
    } catch (error) {
      await this.settleFailure(key, scope, error);
      throw error;
    }
  }

  private async settleFailure(key: string, scope: string, error: unknown): Promise<void> {
    try {
      if (isDomainError(error) && isDeterministicRejection(error.code)) {
        const body: StoredRejection = { error: { code: error.code, message: error.message, violations: error.violations } };
        await this.store.complete({ key, scope, response: { outcome: REJECTED, body } }, this.clock.now());
      } else {
        await this.store.release(key, scope);
      }
    } catch (storeError) {
      // The claim then expires after the lock time; the client's answer is still the original error.
      this.logger.warn(`could not settle idempotency key of ${scope}: ${(storeError as Error).message}`);
    }
  }
}

function replay<TBody>(response: StoredResponse): MutationResult<TBody> {
  if (isStoredRejection(response.body)) {
    const { code, message, violations } = response.body.error;
    throw new DomainError(code, message, violations);
  }
  return { outcome: outcomeOf(response), body: response.body as TBody };
}
