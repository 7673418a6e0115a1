import type { MutationResult } from '../../application/mutation-context';

/**
 * The gRPC answer of a mutation's outcome, chosen here and nowhere else: status OK with the
 * body, whether an order was created or a change accepted (gRPC has no 201 / 202).
 */
export const grpcReplyOf = <TBody>(result: MutationResult<TBody>): TBody => result.body;
