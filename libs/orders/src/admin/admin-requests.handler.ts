import { Injectable, Logger } from '@nestjs/common';
import type { AdminDeadLettersJson, AdminSagaActionJson, AdminSagaDetailJson, AdminSagaListJson } from '@oms/contracts';
import { Clock, IdempotencyStore, type SagaRecord } from '@oms/domain';
import { IdempotentMutation, completionOf } from '../application/idempotent-mutation';
import type { MutationResult } from '../application/mutation-context';
import { Violations } from '../validation/field-reader';
import { parseIdempotencyKey } from '../validation/order-input.parser';
import {
  parseDeadLetterQuery,
  parseEmptyBody,
  parseReprocessBody,
  parseResolution,
  parseSagaId,
  parseSagaListQuery,
} from './admin-input.parser';
import { toAdminDeadLettersJson, toAdminSagaDetailJson, toAdminSagaJson } from './admin.presenter';
import { SagaOperations, type SagaListRequest, type SagaResolution } from './saga-operations';

const KEY_FIELD = 'Idempotency-Key';

const sagaAnswer = (saga: SagaRecord): MutationResult<AdminSagaActionJson> => ({ outcome: 'accepted', body: { saga: toAdminSagaJson(saga) } });

/**
 * The admin REST requests: parse, run the one SagaOperations call, present. Mutations are
 * idempotent like the order API's: a saga change stores its answer under the key in its own
 * commit; a dead-letter requeue (outbox rows, no order commit) stores it right after.
 */
@Injectable()
export class AdminRequests {
  private readonly logger = new Logger(AdminRequests.name);

  constructor(
    private readonly operations: SagaOperations,
    private readonly idempotent: IdempotentMutation,
    private readonly keys: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  async listSagas(query: unknown): Promise<AdminSagaListJson> {
    const violations = new Violations();
    const request = parseSagaListQuery(query, violations);
    violations.throwIfAny();
    const page = await this.operations.list(request as SagaListRequest);
    return { sagas: page.sagas.map(toAdminSagaJson), nextPageToken: page.nextPageToken };
  }

  async showSaga(rawId: unknown): Promise<AdminSagaDetailJson> {
    const violations = new Violations();
    const sagaId = parseSagaId(rawId, violations);
    violations.throwIfAny();
    return toAdminSagaDetailJson(await this.operations.show(sagaId as string));
  }

  async retrySaga(rawKey: unknown, rawId: unknown, body: unknown): Promise<AdminSagaActionJson> {
    const violations = new Violations();
    const key = parseIdempotencyKey(rawKey, KEY_FIELD, violations);
    const sagaId = parseSagaId(rawId, violations);
    parseEmptyBody(body, violations);
    violations.throwIfAny();
    const id = sagaId as string;
    const result = await this.idempotent.run({ key: key as string, scope: `AdminRetrySaga:${id}`, request: { sagaId: id } }, async (claim) =>
      sagaAnswer(await this.operations.retry(id, (saga) => completionOf(claim, sagaAnswer(saga)))),
    );
    return result.body;
  }

  async resolveSaga(rawKey: unknown, rawId: unknown, body: unknown): Promise<AdminSagaActionJson> {
    const violations = new Violations();
    const key = parseIdempotencyKey(rawKey, KEY_FIELD, violations);
    const sagaId = parseSagaId(rawId, violations);
    const resolution = parseResolution(body, violations);
    violations.throwIfAny();
    const id = sagaId as string;
    const { note, resolvedBy } = resolution as SagaResolution;
    const result = await this.idempotent.run(
      { key: key as string, scope: `AdminResolveSaga:${id}`, request: { sagaId: id, note, resolvedBy } },
      async (claim) => sagaAnswer(await this.operations.resolve(id, { note, resolvedBy }, (saga) => completionOf(claim, sagaAnswer(saga)))),
    );
    return result.body;
  }

  async deadLetters(query: unknown): Promise<AdminDeadLettersJson> {
    const violations = new Violations();
    const limit = parseDeadLetterQuery(query, violations);
    violations.throwIfAny();
    return toAdminDeadLettersJson(await this.operations.deadLetters(limit as number));
  }

  async reprocessDeadLetters(rawKey: unknown, body: unknown): Promise<AdminDeadLettersJson> {
    const violations = new Violations();
    const key = parseIdempotencyKey(rawKey, KEY_FIELD, violations);
    const limit = parseReprocessBody(body, violations);
    violations.throwIfAny();
    const scope = 'AdminReprocessDeadLetters';
    const result = await this.idempotent.run({ key: key as string, scope, request: { limit } }, async (claim) => {
      const answer: MutationResult<AdminDeadLettersJson> = {
        outcome: 'accepted',
        body: toAdminDeadLettersJson(await this.operations.reprocessDeadLetters(limit as number)),
      };
      try {
        await this.keys.complete({ ...claim, response: { outcome: answer.outcome, body: answer.body } }, this.clock.now());
      } catch (error) {
        // The rows are requeued; the claim expires after its lock time and a retry lists what is left.
        this.logger.warn(`could not store the answer of ${scope}: ${(error as Error).message}`);
      }
      return answer;
    });
    return result.body;
  }
}
