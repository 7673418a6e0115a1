import { PartnerUnavailableError } from '@oms/domain';
import { testConfig } from '@oms/testing';
import { MockPartners } from './mock-partners';

const line = { sku: 'SKU-1', qty: 1, unitPriceMinor: 100 };

describe('MockPartners', () => {
  const mocks = () =>
    new MockPartners(testConfig({ OMS_PARTNER_ERROR_RATE: '0', OMS_PARTNER_LATENCY: '0', OMS_PAYMENT_DECLINE_ABOVE_MINOR: '500' }));

  it('builds the partners from config.partners (decline limit, faults)', async () => {
    const partners = mocks();
    expect(partners.faults()).toEqual({ latencyMs: 0, errorRate: 0, refuseRefunds: false });
    await expect(partners.payment.charge({ idempotencyKey: 'k', orderId: 'o', amountMinor: 501, currency: 'EUR' })).resolves.toEqual({
      ok: false,
      reason: 'amount above limit',
    });
  });

  it('applies changed fault settings to the running partners, keeping what they remember', async () => {
    const partners = mocks();
    const first = await partners.inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line] });

    expect(partners.setFaults({ errorRate: 1 })).toEqual({ latencyMs: 0, errorRate: 1, refuseRefunds: false });
    await expect(partners.inventory.reserve({ idempotencyKey: 's2:reserve', orderId: 'o2', items: [line] })).rejects.toBeInstanceOf(
      PartnerUnavailableError,
    );

    // An injected failure strikes before or after the effect (the partner's rule), so count from here.
    const reservations = partners.stats().inventory.reservations;
    partners.setFaults({ errorRate: 0 });
    await expect(partners.inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line] })).resolves.toEqual(first);
    expect(partners.stats().inventory.reservations).toBe(reservations);
  });

  it('refuses new refunds while refuseRefunds is on, and refunds under the same key once the partner recovers', async () => {
    const partners = mocks();
    const charge = await partners.payment.charge({ idempotencyKey: 's:charge', orderId: 'o', amountMinor: 300, currency: 'EUR' });
    const paymentId = (charge as { paymentId: string }).paymentId;
    const early = await partners.payment.refund({ idempotencyKey: 'early:refund', orderId: 'o', paymentId, amountMinor: 100, currency: 'EUR' });
    expect(partners.setFaults({ refuseRefunds: true })).toMatchObject({ refuseRefunds: true });

    const refund = { idempotencyKey: 's:refund', orderId: 'o', paymentId, amountMinor: 200, currency: 'EUR' };
    await expect(partners.payment.refund(refund)).resolves.toEqual({ ok: false, reason: 'refunds are refused by the payment provider' });
    // A refund answered before the outage keeps its answer.
    await expect(partners.payment.refund({ ...refund, idempotencyKey: 'early:refund', amountMinor: 100 })).resolves.toEqual(early);
    expect(partners.stats().payment).toMatchObject({ refunds: 1, refundedMinor: 100 });

    partners.setFaults({ refuseRefunds: false });
    await expect(partners.payment.refund(refund)).resolves.toEqual({ ok: true, refundId: expect.any(String) });
    expect(partners.stats().payment).toMatchObject({ refunds: 2, refundedMinor: 300 });
  });

  it('counts call outcomes per method and forgets everything on reset, except the fault settings', async () => {
    const partners = mocks();
    await partners.payment.charge({ idempotencyKey: 'k', orderId: 'o', amountMinor: 5, currency: 'EUR' });
    partners.record('Pay', 'ok');
    partners.record('Pay', 'unavailable');
    partners.setFaults({ latencyMs: 3 });
    expect(partners.stats()).toMatchObject({
      payment: { charges: 1, chargedMinor: 5 },
      calls: { Pay: { calls: 2, ok: 1, unavailable: 1, refused: 0, invalid: 0 }, Reserve: { calls: 0 } },
    });

    partners.reset();
    expect(partners.stats()).toMatchObject({
      payment: { charges: 0, chargedMinor: 0 },
      calls: { Pay: { calls: 0 } },
      faults: { latencyMs: 3, errorRate: 0, refuseRefunds: false },
    });
  });
});
