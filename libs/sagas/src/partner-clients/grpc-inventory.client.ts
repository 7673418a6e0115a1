import { closeClient, type Client } from '@grpc/grpc-js';
import type { OnApplicationShutdown } from '@nestjs/common';
import { InventoryPort, type PartnerResult, type ReleaseStock, type ReserveStock } from '@oms/domain';
import { partnerCallErrorOf } from './grpc-partner.errors';
import { grpcChannelCredentials, type GrpcPartnerClientOptions } from './grpc-partner.options';
import { callUnary } from './grpc-unary';
import { partnerClientConstructors } from './partner-protos';

/** oms.partners.v1 wire shapes (field names as in inventory.proto). */
interface ReserveResponse {
  readonly ok: boolean;
  readonly reservation_id: string;
  readonly reason: string;
}
interface ReleaseResponse {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * InventoryPort over gRPC (oms.partners.v1.InventoryService). Each call has a deadline of
 * `callTimeoutMs`; transient gRPC failures are thrown as PartnerUnavailableError, a refusal
 * (`ok = false`) is returned as `{ ok: false, reason }`.
 */
export class GrpcInventoryClient extends InventoryPort implements OnApplicationShutdown {
  private readonly client: Client;
  private closed = false;

  constructor(private readonly options: GrpcPartnerClientOptions) {
    super();
    this.client = new (partnerClientConstructors().inventory)(options.address, grpcChannelCredentials(options.tls));
  }

  async reserve(request: ReserveStock): Promise<PartnerResult<{ reservationId: string }>> {
    const reply = await this.call<ReserveResponse>('Reserve', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      items: request.items.map((item) => ({ sku: item.sku, qty: item.qty })),
    });
    return reply.ok
      ? { ok: true, reservationId: reply.reservation_id }
      : { ok: false, reason: reply.reason || 'reservation refused by inventory' };
  }

  async release(request: ReleaseStock): Promise<PartnerResult<object>> {
    const reply = await this.call<ReleaseResponse>('Release', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      reservation_id: request.reservationId,
    });
    return reply.ok ? { ok: true } : { ok: false, reason: reply.reason || 'release refused by inventory' };
  }

  /** Closes the channel (once; later calls are no-ops); calls still running fail as transient. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeClient(this.client);
  }

  onApplicationShutdown(): void {
    this.close();
  }

  private async call<TResponse>(method: string, idempotencyKey: string, request: object): Promise<TResponse> {
    try {
      return await callUnary<object, TResponse>(this.client, method, request, {
        timeoutMs: this.options.callTimeoutMs,
        idempotencyKey,
      });
    } catch (error) {
      throw partnerCallErrorOf('inventory', method, error);
    }
  }
}
