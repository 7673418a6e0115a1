import { InventoryPort, PartnerUnavailableError, PaymentPort, type PartnerCall } from '@oms/domain';
import { performPartnerCall } from './partner-call';

const reserve: PartnerCall = { step: 'reserve', request: { idempotencyKey: 's:reserve', orderId: 'o', items: [] } };

function partners(reserveImpl: InventoryPort['reserve']) {
  const inventory = { reserve: reserveImpl, release: async () => ({ ok: true as const }) } as InventoryPort;
  const payment = {} as PaymentPort;
  return { inventory, payment };
}

describe('performPartnerCall', () => {
  it('turns a success into CallSucceeded with the ids of the reply', async () => {
    const input = await performPartnerCall(reserve, partners(async () => ({ ok: true, reservationId: 'r-1' })), 1_000);
    expect(input).toEqual({ type: 'CallSucceeded', call: reserve, result: { reservationId: 'r-1' } });
  });

  it('turns a refusal into CallRejected with its reason', async () => {
    const input = await performPartnerCall(reserve, partners(async () => ({ ok: false, reason: 'out of stock: X' })), 1_000);
    expect(input).toEqual({ type: 'CallRejected', call: reserve, reason: 'out of stock: X' });
  });

  it('turns an unavailable partner into CallFailed', async () => {
    const input = await performPartnerCall(
      reserve,
      partners(async () => {
        throw new PartnerUnavailableError('inventory', 'connection refused');
      }),
      1_000,
    );
    expect(input).toEqual({ type: 'CallFailed', call: reserve, error: 'connection refused' });
  });

  it('gives up waiting after the call timeout and reports CallFailed', async () => {
    const input = await performPartnerCall(reserve, partners(() => new Promise(() => undefined)), 5);
    expect(input).toMatchObject({ type: 'CallFailed', error: 'reserve call timed out after 5 ms' });
  });
});
