import type { OnApplicationShutdown } from '@nestjs/common';
import { InventoryPort, type PartnerResult, type ReleaseStock, type ReserveStock } from '@oms/domain';
import { GrpcPartnerChannel } from './grpc-partner.channel';
import type { GrpcPartnerClientOptions } from './grpc-partner.options';

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
  private readonly channel: GrpcPartnerChannel;

  constructor(options: GrpcPartnerClientOptions) {
    super();
    this.channel = new GrpcPartnerChannel('inventory', options);
  }

  async reserve(request: ReserveStock): Promise<PartnerResult<{ reservationId: string }>> {
    const reply = await this.channel.call<ReserveResponse>('Reserve', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      items: request.items.map((item) => ({ sku: item.sku, qty: item.qty })),
    });
    return reply.ok
      ? { ok: true, reservationId: reply.reservation_id }
      : { ok: false, reason: reply.reason || 'reservation refused by inventory' };
  }

  async release(request: ReleaseStock): Promise<PartnerResult<object>> {
    const reply = await this.channel.call<ReleaseResponse>('Release', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      reservation_id: request.reservationId,
    });
    return reply.ok ? { ok: true } : { ok: false, reason: reply.reason || 'release refused by inventory' };
  }

  /** Closes the channel (once; later calls are no-ops); calls still running fail as transient. */
  close(): void {
    this.channel.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}
