import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { PartnerUnavailableError, type PartnerResult } from '@oms/domain';
import type { MockPartners, PartnerMethod } from './mock-partners';
import { describeViolations, type Parsed } from './partner-requests';

const logger = new Logger('PartnerServices');

/** A gRPC status error as Nest's RPC exception filter hands it to grpc-js. */
const grpcError = (code: status, details: string): RpcException => new RpcException({ code, details });

/**
 * One partner call at the gRPC edge: the parsed request -> the partner rule -> the reply,
 * counting each outcome. A refusal is `ok = false` with a reason; a transient failure
 * (injected error, FLAKY- stock) is UNAVAILABLE so the caller retries with the same
 * idempotency key; bad input is INVALID_ARGUMENT naming each field.
 */
export async function answerPartnerCall<TRequest, TResult extends object>(
  partners: MockPartners,
  method: PartnerMethod,
  parsed: Parsed<TRequest>,
  perform: (request: TRequest) => Promise<PartnerResult<TResult>>,
  toWire: (result: TResult) => object,
): Promise<object> {
  if (!parsed.ok) {
    partners.record(method, 'invalid');
    throw grpcError(status.INVALID_ARGUMENT, describeViolations(parsed.violations));
  }
  let result: PartnerResult<TResult>;
  try {
    result = await perform(parsed.value);
  } catch (error) {
    if (error instanceof PartnerUnavailableError) {
      partners.record(method, 'unavailable');
      throw grpcError(status.UNAVAILABLE, error.message);
    }
    logger.error(`${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
    throw grpcError(status.INTERNAL, `${method} failed`);
  }
  partners.record(method, result.ok ? 'ok' : 'refused');
  return result.ok ? { ok: true, ...toWire(result) } : { ok: false, reason: result.reason };
}
