import { PartnerUnavailableError } from '@oms/domain';
import { InProcessInventory } from './in-process-inventory';
import { InProcessPayment } from './in-process-payment';

const noFaults = { latencyMs: 0, errorRate: 0 };
const line = (sku: string) => ({ sku, qty: 1, unitPriceMinor: 100 });

describe('in-process inventory', () => {
  it('reserves ordinary SKUs and counts each reservation once per idempotency key', async () => {
    const inventory = new InProcessInventory(noFaults);
    const first = await inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1')] });
    const again = await inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1')] });

    expect(first).toEqual({ ok: true, reservationId: expect.any(String) });
    expect(again).toEqual(first);
    expect(inventory.effects()).toEqual({ reservations: 1, releases: 0, held: 1 });
  });

  it('refuses an OOS- SKU naming it', async () => {
    const inventory = new InProcessInventory(noFaults);
    const reply = await inventory.reserve({ idempotencyKey: 'k', orderId: 'o1', items: [line('SKU-1'), line('OOS-42')] });
    expect(reply).toEqual({ ok: false, reason: 'out of stock: OOS-42' });
    expect(inventory.effects().reservations).toBe(0);
  });

  it('fails the first reserve attempt of a FLAKY- SKU per key, then succeeds', async () => {
    const inventory = new InProcessInventory(noFaults);
    const request = { idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('FLAKY-1')] };
    await expect(inventory.reserve(request)).rejects.toBeInstanceOf(PartnerUnavailableError);
    await expect(inventory.reserve(request)).resolves.toMatchObject({ ok: true });
    await expect(inventory.reserve({ ...request, idempotencyKey: 's2:reserve' })).rejects.toBeInstanceOf(PartnerUnavailableError);
    expect(inventory.effects().reservations).toBe(1);
  });

  it('releases by reservation id or by the reserve key, once, and an unknown one is a no-op success', async () => {
    const inventory = new InProcessInventory(noFaults);
    const reserved = await inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1')] });
    if (!reserved.ok) throw new Error('expected a reservation');
    await inventory.reserve({ idempotencyKey: 's2:reserve', orderId: 'o2', items: [line('SKU-1')] });

    await expect(inventory.release({ idempotencyKey: 's1:release', orderId: 'o1', reservationId: reserved.reservationId })).resolves.toEqual({ ok: true });
    await inventory.release({ idempotencyKey: 's1:release', orderId: 'o1', reservationId: reserved.reservationId });
    await inventory.release({ idempotencyKey: 's2:release', orderId: 'o2', reservationId: 's2:reserve' });
    await expect(inventory.release({ idempotencyKey: 's3:release', orderId: 'o3', reservationId: 's3:reserve' })).resolves.toEqual({ ok: true });

    expect(inventory.effects()).toEqual({ reservations: 2, releases: 2, held: 0 });
    expect(inventory.holds('o1')).toBe(false);
  });

  it('refuses a late reserve whose key was already released blind', async () => {
    const inventory = new InProcessInventory(noFaults);
    await inventory.release({ idempotencyKey: 's1:release', orderId: 'o1', reservationId: 's1:reserve' });

    const late = await inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1')] });

    expect(late).toEqual({ ok: false, reason: 'reservation was released before it was made' });
    expect(inventory.effects()).toEqual({ reservations: 0, releases: 0, held: 0 });
  });

  it('injects transient failures at the configured rate, before or after the effect', async () => {
    // random(): the first draw decides a failure (< errorRate), the second whether it strikes before (< 0.5) or after the effect.
    const draws = [0.1, 0.1, 0.1, 0.9, 0.9];
    const inventory = new InProcessInventory({ latencyMs: 0, errorRate: 0.5, random: () => draws.shift() ?? 0.9 });
    const request = { idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1')] };

    await expect(inventory.reserve(request)).rejects.toThrow(/injected transient failure$/);
    expect(inventory.effects().reservations).toBe(0);
    await expect(inventory.reserve(request)).rejects.toThrow(/after the effect/);
    expect(inventory.effects().reservations).toBe(1);
    await expect(inventory.reserve(request)).resolves.toMatchObject({ ok: true, reservationId: 'rsv-1' });
    expect(inventory.effects().reservations).toBe(1);
  });
});

describe('in-process payment', () => {
  const payment = () => new InProcessPayment({ ...noFaults, declineAboveMinor: 10_000 });

  it('charges up to the limit once per key and declines above it', async () => {
    const partner = payment();
    const charged = await partner.charge({ idempotencyKey: 's1:charge', orderId: 'o1', amountMinor: 10_000, currency: 'EUR' });
    await partner.charge({ idempotencyKey: 's1:charge', orderId: 'o1', amountMinor: 10_000, currency: 'EUR' });
    const declined = await partner.charge({ idempotencyKey: 's2:charge', orderId: 'o2', amountMinor: 10_001, currency: 'EUR' });

    expect(charged).toEqual({ ok: true, paymentId: expect.any(String) });
    expect(declined).toEqual({ ok: false, reason: 'amount above limit' });
    expect(partner.effects()).toEqual({ charges: 1, chargedMinor: 10_000, refunds: 0, refundedMinor: 0 });
  });

  it('refunds by payment id or charge key, once per key, never more than was charged', async () => {
    const partner = payment();
    const charged = await partner.charge({ idempotencyKey: 's1:charge', orderId: 'o1', amountMinor: 1_000, currency: 'EUR' });
    if (!charged.ok) throw new Error('expected a charge');

    const partial = { idempotencyKey: 'r1:refund', orderId: 'o1', paymentId: charged.paymentId, amountMinor: 400, currency: 'EUR' };
    expect(await partner.refund(partial)).toEqual({ ok: true, refundId: expect.any(String) });
    expect(await partner.refund(partial)).toEqual(await partner.refund(partial));
    expect(await partner.refund({ ...partial, idempotencyKey: 'r2:refund', amountMinor: 700 })).toEqual({
      ok: false,
      reason: 'refund exceeds the charge',
    });
    await partner.refund({ ...partial, idempotencyKey: 'r3:refund', paymentId: 's1:charge', amountMinor: 600 });

    expect(partner.effects()).toMatchObject({ charges: 1, refunds: 2, refundedMinor: 1_000 });
    expect(partner.balanceOf('o1')).toBe(0);
  });

  it('treats a refund of a payment it never took as a no-op success', async () => {
    const partner = payment();
    const reply = await partner.refund({ idempotencyKey: 's9:refund', orderId: 'o9', paymentId: 's9:charge', amountMinor: 5, currency: 'EUR' });
    expect(reply.ok).toBe(true);
    expect(partner.effects().refunds).toBe(0);
  });

  it('refuses a late charge whose key was already refunded blind', async () => {
    const partner = payment();
    await partner.refund({ idempotencyKey: 's9:refund', orderId: 'o9', paymentId: 's9:charge', amountMinor: 5, currency: 'EUR' });

    const late = await partner.charge({ idempotencyKey: 's9:charge', orderId: 'o9', amountMinor: 5, currency: 'EUR' });

    expect(late).toEqual({ ok: false, reason: 'payment was refunded before it was taken' });
    expect(partner.effects().charges).toBe(0);
  });
});
