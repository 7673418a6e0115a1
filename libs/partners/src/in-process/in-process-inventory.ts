import {
  InventoryPort,
  PartnerUnavailableError,
  type PartnerResult,
  type ReleaseStock,
  type ReserveStock,
} from '@oms/domain';
import { PartnerFaults, type PartnerFaultOptions } from './partner-faults';

interface Reservation {
  readonly reservationId: string;
  readonly orderId: string;
  /** The idempotency key of the reserve call that made it. */
  readonly reserveKey: string;
  released: boolean;
}

export interface InventoryEffects {
  /** Reservations actually made (a repeated key does not count again). */
  readonly reservations: number;
  /** Reservations actually released. */
  readonly releases: number;
  /** Reservations made and not released. */
  readonly held: number;
}

/**
 * Inventory inside the process, with deterministic rules (libs/partners/README.md):
 * - a SKU starting `OOS-` -> reservation refused "out of stock: <sku>";
 * - a SKU starting `FLAKY-` -> the first reserve attempt of each idempotency key fails
 *   transiently (PartnerUnavailableError); the next one succeeds;
 * - anything else is reserved (unlimited stock) with id `rsv-<n>`;
 * - release names the reservation by its id, or by the idempotency key of the reserve call
 *   (a saga that never learned the id); releasing an unknown or released reservation is a
 *   no-op success: nothing is held. A release naming a reserve key that has not arrived yet is
 *   remembered: that reserve, when it comes late, is refused;
 * - the same idempotency key always gets the first result and never acts twice;
 * - latency and transient errors per config.partners (see PartnerFaults).
 */
export class InProcessInventory extends InventoryPort {
  private readonly faults: PartnerFaults;
  private readonly reservations = new Map<string, Reservation>();
  private readonly reservationByKey = new Map<string, Reservation>();
  private readonly replies = new Map<string, PartnerResult<{ reservationId: string }> | PartnerResult<object>>();
  private readonly flakyTried = new Set<string>();
  private readonly releasedBeforeReserve = new Set<string>();
  private sequence = 0;
  private released = 0;

  constructor(options: PartnerFaultOptions) {
    super();
    this.faults = new PartnerFaults(options);
  }

  async reserve(request: ReserveStock): Promise<PartnerResult<{ reservationId: string }>> {
    return this.faults.around('inventory', 'reserve', () => {
      const previous = this.replies.get(`reserve:${request.idempotencyKey}`);
      if (previous) return previous as PartnerResult<{ reservationId: string }>;
      if (request.items.some((item) => item.sku.startsWith('FLAKY-')) && !this.flakyTried.has(request.idempotencyKey)) {
        this.flakyTried.add(request.idempotencyKey);
        throw new PartnerUnavailableError('inventory', `reserve ${request.idempotencyKey}: FLAKY- stock is unavailable on the first attempt`);
      }
      const missing = request.items.find((item) => item.sku.startsWith('OOS-'));
      const reply: PartnerResult<{ reservationId: string }> = this.releasedBeforeReserve.has(request.idempotencyKey)
        ? { ok: false, reason: 'reservation was released before it was made' }
        : missing
          ? { ok: false, reason: `out of stock: ${missing.sku}` }
          : { ok: true, reservationId: this.reserveNow(request) };
      this.replies.set(`reserve:${request.idempotencyKey}`, reply);
      return reply;
    });
  }

  async release(request: ReleaseStock): Promise<PartnerResult<object>> {
    return this.faults.around('inventory', 'release', () => {
      const previous = this.replies.get(`release:${request.idempotencyKey}`);
      if (previous) return previous;
      const reservation = this.reservations.get(request.reservationId) ?? this.reservationByKey.get(request.reservationId);
      if (reservation && !reservation.released) {
        reservation.released = true;
        this.released++;
      } else if (!reservation) {
        // Released by the reserve key before that reserve arrived (it was late): it must not hold stock then.
        this.releasedBeforeReserve.add(request.reservationId);
      }
      const reply: PartnerResult<object> = { ok: true };
      this.replies.set(`release:${request.idempotencyKey}`, reply);
      return reply;
    });
  }

  /** Effects that really happened, so tests can prove nothing happened twice. */
  effects(): InventoryEffects {
    return { reservations: this.sequence, releases: this.released, held: this.sequence - this.released };
  }

  /** Whether the reservation made for this order is still held (tests). */
  holds(orderId: string): boolean {
    return [...this.reservations.values()].some((r) => r.orderId === orderId && !r.released);
  }

  private reserveNow(request: ReserveStock): string {
    const reservation: Reservation = {
      reservationId: `rsv-${++this.sequence}`,
      orderId: request.orderId,
      reserveKey: request.idempotencyKey,
      released: false,
    };
    this.reservations.set(reservation.reservationId, reservation);
    this.reservationByKey.set(reservation.reserveKey, reservation);
    return reservation.reservationId;
  }
}
