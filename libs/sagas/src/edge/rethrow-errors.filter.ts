import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Lets a broker handler's error reach BrokerTransport as it was thrown (Nest's default RPC
 * filter would replace it with `{ status: 'error' }`): the transport dead-letters a
 * MalformedEnvelopeError and leaves any other error unacknowledged, for redelivery.
 */
@Catch()
export class RethrowErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
