import { closeClient, type Client } from '@grpc/grpc-js';
import { partnerCallErrorOf } from './grpc-partner.errors';
import { grpcChannelCredentials, type GrpcPartnerClientOptions } from './grpc-partner.options';
import { callUnary } from './grpc-unary';
import { partnerClientConstructors, type PartnerClientConstructors } from './partner-protos';

/**
 * What both partner clients share: one channel to the partner's service, unary calls with the
 * per-call deadline and the idempotency key, transient gRPC failures thrown as
 * PartnerUnavailableError (PartnerCallError), and a close that runs once.
 */
export class GrpcPartnerChannel {
  private readonly client: Client;
  private closed = false;

  constructor(
    private readonly partner: keyof PartnerClientConstructors,
    private readonly options: GrpcPartnerClientOptions,
  ) {
    this.client = new (partnerClientConstructors()[partner])(options.address, grpcChannelCredentials(options.tls));
  }

  async call<TResponse>(method: string, idempotencyKey: string, request: object): Promise<TResponse> {
    try {
      return await callUnary<object, TResponse>(this.client, method, request, { timeoutMs: this.options.callTimeoutMs, idempotencyKey });
    } catch (error) {
      throw partnerCallErrorOf(this.partner, method, error);
    }
  }

  /** Closes the channel (once; later calls are no-ops); calls still running fail as transient. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeClient(this.client);
  }
}
