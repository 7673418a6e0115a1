import type { MutationResult } from '../../application/mutation-context';

/**
 * The HTTP status of a mutation's outcome, chosen here and nowhere else: 201 for a created
 * order, 202 for a change the saga finishes (a replay answers what the first request got).
 */
export const httpStatusOf = (result: MutationResult<unknown>): number => result.status;
