import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { PartnerUnavailableError } from '@oms/domain';
import { GrpcInventoryClient } from './grpc-inventory.client';
import { PartnerCallError } from './grpc-partner.errors';
import { GrpcPaymentClient } from './grpc-payment.client';
import { partnerClientConstructors } from './partner-protos';

/**
 * The clients against a scripted partner on a real loopback gRPC server: what goes on the
 * wire, how replies and status codes come back. (partner-mocks has its own suite running
 * these clients against the real mock rules.)
 */
type Reply = { error: { code: status; details: string } } | { response: object } | { hang: true };

interface Received {
  readonly method: string;
  readonly request: Record<string, unknown>;
  readonly idempotencyKeyHeader: unknown;
}

class ScriptedPartner {
  readonly received: Received[] = [];
  next: Reply = { response: { ok: true } };
  private readonly server = new Server();
  port = 0;

  async start(): Promise<void> {
    const { inventory, payment } = partnerClientConstructors();
    this.server.addService(inventory.service, this.handlers(['Reserve', 'Release']));
    this.server.addService(payment.service, this.handlers(['Pay', 'Refund']));
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
  }

  stop(): void {
    this.server.forceShutdown();
  }

  private handlers(methods: string[]): UntypedServiceImplementation {
    const implementation: UntypedServiceImplementation = {};
    for (const method of methods) {
      implementation[method] = (call: ServerUnaryCall<Record<string, unknown>, object>, callback: sendUnaryData<object>) => {
        this.received.push({ method, request: call.request, idempotencyKeyHeader: header(call.metadata) });
        const reply = this.next;
        if ('hang' in reply) return; // never answers: the client's deadline must end the call
        if ('error' in reply) return callback({ code: reply.error.code, details: reply.error.details });
        callback(null, reply.response);
      };
    }
    return implementation;
  }
}

const header = (metadata: Metadata): unknown => metadata.get('idempotency-key')[0];

describe('gRPC partner clients', () => {
  const partner = new ScriptedPartner();
  let inventory: GrpcInventoryClient;
  let payment: GrpcPaymentClient;

  beforeAll(async () => {
    await partner.start();
    const options = { address: `127.0.0.1:${partner.port}`, callTimeoutMs: 2_000 };
    inventory = new GrpcInventoryClient(options);
    payment = new GrpcPaymentClient(options);
  });

  afterAll(() => {
    inventory.close();
    payment.close();
    partner.stop();
  });

  beforeEach(() => {
    partner.received.length = 0;
  });

  it('sends a reservation with its idempotency key (field and metadata) and maps the reply', async () => {
    partner.next = { response: { ok: true, reservation_id: 'rsv-7' } };
    const reply = await inventory.reserve({
      idempotencyKey: 'saga-1:reserve',
      orderId: 'order-1',
      items: [{ sku: 'SKU-1', qty: 2, unitPriceMinor: 500 }],
    });

    expect(reply).toEqual({ ok: true, reservationId: 'rsv-7' });
    expect(partner.received).toEqual([
      {
        method: 'Reserve',
        request: { idempotency_key: 'saga-1:reserve', order_id: 'order-1', items: [{ sku: 'SKU-1', qty: 2 }] },
        idempotencyKeyHeader: 'saga-1:reserve',
      },
    ]);
  });

  it('sends amounts as int64 without loss and maps payment replies', async () => {
    partner.next = { response: { ok: true, payment_id: 'pay-9' } };
    const big = Number.MAX_SAFE_INTEGER;
    await expect(payment.charge({ idempotencyKey: 's:charge', orderId: 'o', amountMinor: big, currency: 'EUR' })).resolves.toEqual({
      ok: true,
      paymentId: 'pay-9',
    });
    partner.next = { response: { ok: true, refund_id: 'ref-1' } };
    await expect(
      payment.refund({ idempotencyKey: 's:refund', orderId: 'o', paymentId: 'pay-9', amountMinor: 25, currency: 'EUR' }),
    ).resolves.toEqual({ ok: true, refundId: 'ref-1' });

    expect(partner.received.map((r) => r.request)).toEqual([
      { idempotency_key: 's:charge', order_id: 'o', amount_minor: String(big), currency: 'EUR' },
      { idempotency_key: 's:refund', order_id: 'o', payment_id: 'pay-9', amount_minor: '25', currency: 'EUR' },
    ]);
  });

  it('returns a refusal (ok = false) as a result with its reason, and names one when the partner gave none', async () => {
    partner.next = { response: { ok: false, reason: 'amount above limit' } };
    await expect(payment.charge({ idempotencyKey: 'k', orderId: 'o', amountMinor: 1, currency: 'EUR' })).resolves.toEqual({
      ok: false,
      reason: 'amount above limit',
    });
    partner.next = { response: { ok: false } };
    await expect(inventory.release({ idempotencyKey: 'k', orderId: 'o', reservationId: 'r' })).resolves.toEqual({
      ok: false,
      reason: 'release refused by inventory',
    });
  });

  it.each([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED, status.INTERNAL])('throws PartnerUnavailableError on status %s', async (code) => {
    partner.next = { error: { code, details: 'busy' } };
    const failure = inventory.reserve({ idempotencyKey: 'k', orderId: 'o', items: [] });
    await expect(failure).rejects.toBeInstanceOf(PartnerUnavailableError);
    await expect(failure).rejects.toThrow(`inventory Reserve: ${status[code]}: busy`);
  });

  it('throws a non-transient PartnerCallError on INVALID_ARGUMENT', async () => {
    partner.next = { error: { code: status.INVALID_ARGUMENT, details: 'idempotency_key: is required' } };
    const failure = payment.refund({ idempotencyKey: '', orderId: 'o', paymentId: 'p', amountMinor: 1, currency: 'EUR' });
    await expect(failure).rejects.toBeInstanceOf(PartnerCallError);
    await expect(failure).rejects.toMatchObject({ grpcCode: status.INVALID_ARGUMENT });
  });

  it('ends a call that gets no answer at its deadline with PartnerUnavailableError (DEADLINE_EXCEEDED)', async () => {
    partner.next = { hang: true };
    const impatient = new GrpcPaymentClient({ address: `127.0.0.1:${partner.port}`, callTimeoutMs: 100 });
    try {
      const failure = impatient.charge({ idempotencyKey: 'k', orderId: 'o', amountMinor: 1, currency: 'EUR' });
      await expect(failure).rejects.toBeInstanceOf(PartnerUnavailableError);
      await expect(failure).rejects.toThrow(/DEADLINE_EXCEEDED/);
    } finally {
      impatient.close();
    }
  });

  it('throws PartnerUnavailableError when nobody listens at the address', async () => {
    const nowhere = new GrpcInventoryClient({ address: '127.0.0.1:1', callTimeoutMs: 2_000 });
    try {
      await expect(nowhere.release({ idempotencyKey: 'k', orderId: 'o', reservationId: 'r' })).rejects.toBeInstanceOf(PartnerUnavailableError);
    } finally {
      nowhere.close();
    }
  });

  it('fails calls made after close() (which may be called twice) as transient, without a crash', async () => {
    const closed = new GrpcInventoryClient({ address: `127.0.0.1:${partner.port}`, callTimeoutMs: 2_000 });
    closed.close();
    closed.close();
    await expect(closed.release({ idempotencyKey: 'k', orderId: 'o', reservationId: 'r' })).rejects.toBeInstanceOf(PartnerUnavailableError);
  });
});
