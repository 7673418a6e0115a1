import type { MutationOutcome, MutationResult } from '../../application/mutation-context';

const HTTP_STATUS: Readonly<Record<MutationOutcome, number>> = { created: 201, accepted: 202 };

/**
 * The HTTP status of a mutation's outcome, chosen here and nowhere else: 201 for a created
 * order, 202 for a change the saga finishes (a replay answers what the first request got).
 */
export const httpStatusOf = (result: MutationResult<unknown>): number => HTTP_STATUS[result.outcome];
