import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  status,
  type GrpcObject,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { INestApplicationContext } from '@nestjs/common';
import { PartnerUnavailableError } from '@oms/domain';
import { OpsServer } from '@oms/observability';
import { GrpcServerHost } from '@oms/observability/grpc';
import { GrpcInventoryClient, GrpcPaymentClient, PartnerCallError } from '@oms/partners';
import { testConfig } from '@oms/testing';
import { service as healthService } from 'grpc-health-check';
import type { PartnerStats } from './mock-partners';
import { createPartnerMocks } from './partner-mocks.app';
import { PartnerMocksHttpServer } from './partner-mocks.http-server';

/**
 * partner-mocks started in-process on free ports, called through the saga's gRPC clients
 * (the adapters the saga-orchestrator uses with OMS_PARTNER_DRIVER=grpc).
 */
const DECLINE_ABOVE = 10_000;
const line = (sku: string, qty = 1) => ({ sku, qty, unitPriceMinor: 250 });
type Json = Record<string, any>;

describe('partner-mocks over gRPC', () => {
  let app: INestApplicationContext;
  let grpcAddress: string;
  let httpBase: string;
  let inventory: GrpcInventoryClient;
  let payment: GrpcPaymentClient;

  const http = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; type: string; body: Json }> => {
    const response = await fetch(`${httpBase}${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Json };
  };
  const stats = async (): Promise<PartnerStats> => (await http('GET', '/stats')).body as PartnerStats;
  const setFaults = (faults: Json) => http('POST', '/faults', faults);

  beforeAll(async () => {
    const config = testConfig(
      {
        OMS_GRPC_ADDR: '127.0.0.1:0',
        OMS_HTTP_ADDR: '127.0.0.1:0',
        OMS_METRICS_ADDR: '127.0.0.1:0',
        OMS_PAYMENT_DECLINE_ABOVE_MINOR: String(DECLINE_ABOVE),
        OMS_SAGA_CALL_TIMEOUT: '5s',
        OMS_SHUTDOWN_TIMEOUT: '2s',
      },
      'partner-mocks',
    );
    app = await createPartnerMocks(config, { logger: false, observability: { logDestination: new PassThrough().resume(), exit: () => undefined } });
    grpcAddress = `127.0.0.1:${app.get(GrpcServerHost).port}`;
    httpBase = `http://127.0.0.1:${app.get(PartnerMocksHttpServer).address().port}`;
    inventory = new GrpcInventoryClient({ address: grpcAddress, callTimeoutMs: config.saga.callTimeoutMs });
    payment = new GrpcPaymentClient({ address: grpcAddress, callTimeoutMs: config.saga.callTimeoutMs });
  });

  afterAll(async () => {
    inventory?.close();
    payment?.close();
    await app?.close();
  });

  beforeEach(async () => {
    await setFaults({ latencyMs: 0, errorRate: 0 });
    expect((await http('POST', '/reset')).status).toBe(200);
  });

  it('reserves and releases stock, counting each effect', async () => {
    const reserved = await inventory.reserve({ idempotencyKey: 's1:reserve', orderId: 'o1', items: [line('SKU-1', 2), line('SKU-2')] });
    expect(reserved).toEqual({ ok: true, reservationId: expect.stringMatching(/^rsv-/) });
    expect((await stats()).inventory).toEqual({ reservations: 1, releases: 0, held: 1 });

    if (!reserved.ok) throw new Error('expected a reservation');
    await expect(inventory.release({ idempotencyKey: 's1:release', orderId: 'o1', reservationId: reserved.reservationId })).resolves.toEqual({
      ok: true,
    });
    expect((await stats()).inventory).toEqual({ reservations: 1, releases: 1, held: 0 });
  });

  it('charges and refunds, counting charges, refunds and amounts', async () => {
    const charged = await payment.charge({ idempotencyKey: 's1:charge', orderId: 'o1', amountMinor: 4_200, currency: 'EUR' });
    expect(charged).toEqual({ ok: true, paymentId: expect.stringMatching(/^pay-/) });
    if (!charged.ok) throw new Error('expected a charge');

    const refunded = await payment.refund({ idempotencyKey: 'r1:refund', orderId: 'o1', paymentId: charged.paymentId, amountMinor: 1_200, currency: 'EUR' });
    expect(refunded).toEqual({ ok: true, refundId: expect.stringMatching(/^ref-/) });
    expect((await stats()).payment).toEqual({ charges: 1, chargedMinor: 4_200, refunds: 1, refundedMinor: 1_200 });
  });

  it('refuses an out-of-stock SKU as ok = false with the reason, reserving nothing', async () => {
    const reply = await inventory.reserve({ idempotencyKey: 's2:reserve', orderId: 'o2', items: [line('SKU-1'), line('OOS-7')] });
    expect(reply).toEqual({ ok: false, reason: 'out of stock: OOS-7' });
    const after = await stats();
    expect(after.inventory.reservations).toBe(0);
    expect(after.calls.Reserve).toMatchObject({ calls: 1, refused: 1 });
  });

  it('declines a charge above OMS_PAYMENT_DECLINE_ABOVE_MINOR and takes one at the limit', async () => {
    await expect(payment.charge({ idempotencyKey: 's3:charge', orderId: 'o3', amountMinor: DECLINE_ABOVE + 1, currency: 'EUR' })).resolves.toEqual({
      ok: false,
      reason: 'amount above limit',
    });
    await expect(payment.charge({ idempotencyKey: 's4:charge', orderId: 'o4', amountMinor: DECLINE_ABOVE, currency: 'EUR' })).resolves.toMatchObject({
      ok: true,
    });
    expect((await stats()).payment).toMatchObject({ charges: 1, chargedMinor: DECLINE_ABOVE });
  });

  it('answers a repeated idempotency key with the first reply and acts only once', async () => {
    const reserve = { idempotencyKey: 's5:reserve', orderId: 'o5', items: [line('SKU-1')] };
    const charge = { idempotencyKey: 's5:charge', orderId: 'o5', amountMinor: 700, currency: 'EUR' };
    const [firstReserve, secondReserve] = [await inventory.reserve(reserve), await inventory.reserve(reserve)];
    const [firstCharge, secondCharge] = await Promise.all([payment.charge(charge), payment.charge(charge)]);
    if (!firstCharge.ok) throw new Error('expected a charge');
    const refund = { idempotencyKey: 's5:refund', orderId: 'o5', paymentId: firstCharge.paymentId, amountMinor: 700, currency: 'EUR' };
    const [firstRefund, secondRefund] = [await payment.refund(refund), await payment.refund(refund)];

    expect(secondReserve).toEqual(firstReserve);
    expect(secondCharge).toEqual(firstCharge);
    expect(secondRefund).toEqual(firstRefund);
    const after = await stats();
    expect(after.inventory).toEqual({ reservations: 1, releases: 0, held: 1 });
    expect(after.payment).toEqual({ charges: 1, chargedMinor: 700, refunds: 1, refundedMinor: 700 });
    expect(after.calls.Pay).toMatchObject({ calls: 2, ok: 2 });
  });

  it('answers injected transient errors as UNAVAILABLE, which the clients throw as PartnerUnavailableError', async () => {
    expect((await setFaults({ errorRate: 1 })).body).toEqual({ latencyMs: 0, errorRate: 1, refuseRefunds: false });

    const reserve = inventory.reserve({ idempotencyKey: 's6:reserve', orderId: 'o6', items: [line('SKU-1')] });
    await expect(reserve).rejects.toBeInstanceOf(PartnerUnavailableError);
    await expect(reserve).rejects.toThrow(/UNAVAILABLE: inventory reserve: injected transient failure/);
    await expect(payment.charge({ idempotencyKey: 's6:charge', orderId: 'o6', amountMinor: 10, currency: 'EUR' })).rejects.toBeInstanceOf(
      PartnerUnavailableError,
    );
    expect((await stats()).calls).toMatchObject({ Reserve: { unavailable: 1 }, Pay: { unavailable: 1 } });

    // Back to healthy: the saga's retry with the same key succeeds, and acts at most once.
    await setFaults({ errorRate: 0 });
    await expect(inventory.reserve({ idempotencyKey: 's6:reserve', orderId: 'o6', items: [line('SKU-1')] })).resolves.toMatchObject({ ok: true });
    await expect(payment.charge({ idempotencyKey: 's6:charge', orderId: 'o6', amountMinor: 10, currency: 'EUR' })).resolves.toMatchObject({ ok: true });
    const after = await stats();
    expect(after.inventory.reservations).toBe(1);
    expect(after.payment.charges).toBe(1);
  });

  it('fails the first reserve of a FLAKY- SKU transiently, then reserves once', async () => {
    const request = { idempotencyKey: 's7:reserve', orderId: 'o7', items: [line('FLAKY-1')] };
    await expect(inventory.reserve(request)).rejects.toBeInstanceOf(PartnerUnavailableError);
    await expect(inventory.reserve(request)).resolves.toMatchObject({ ok: true });
    expect((await stats()).inventory.reservations).toBe(1);
  });

  it('ends a call whose deadline is shorter than the scripted latency with PartnerUnavailableError; the retry acts once', async () => {
    await setFaults({ latencyMs: 1_000 });
    const impatient = new GrpcPaymentClient({ address: grpcAddress, callTimeoutMs: 100 });
    const charge = { idempotencyKey: 's8:charge', orderId: 'o8', amountMinor: 300, currency: 'EUR' };
    try {
      const late = impatient.charge(charge);
      await expect(late).rejects.toBeInstanceOf(PartnerUnavailableError);
      await expect(late).rejects.toThrow(/DEADLINE_EXCEEDED/);
    } finally {
      impatient.close();
    }
    // The partner still charged after the caller gave up; the retry with the same key gets that charge.
    await expect(payment.charge(charge)).resolves.toMatchObject({ ok: true });
    expect((await stats()).payment).toMatchObject({ charges: 1, chargedMinor: 300 });
  });

  it('rejects a malformed request as INVALID_ARGUMENT naming the fields (not retried as transient)', async () => {
    const bad = inventory.reserve({ idempotencyKey: '', orderId: 'o9', items: [{ sku: 'SKU-1', qty: 0, unitPriceMinor: 1 }] });
    await expect(bad).rejects.toBeInstanceOf(PartnerCallError);
    await expect(bad).rejects.toMatchObject({ grpcCode: status.INVALID_ARGUMENT });
    await expect(bad).rejects.toThrow('idempotency_key: is required; items[0].qty: must be at least 1');
    expect((await stats()).calls.Reserve).toMatchObject({ calls: 1, invalid: 1 });
  });

  it('serves grpc.health.v1.Health for both services', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(grpcAddress, credentials.createInsecure()) as unknown as Record<string, any>;
    const check = (service: string) =>
      new Promise<Json>((resolve, reject) => health['check']({ service }, (error: Error | null, reply: Json) => (error ? reject(error) : resolve(reply))));
    try {
      await expect(check('oms.partners.v1.InventoryService')).resolves.toMatchObject({ status: 'SERVING' });
      await expect(check('oms.partners.v1.PaymentService')).resolves.toMatchObject({ status: 'SERVING' });
    } finally {
      health['close']();
    }
  });

  it('serves server reflection listing both partner services', async () => {
    const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
    const root = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true, defaults: true, oneofs: true }));
    const Reflection = (((root['grpc'] as GrpcObject)['reflection'] as GrpcObject)['v1'] as GrpcObject)['ServerReflection'] as ServiceClientConstructor;
    const reflection = new Reflection(grpcAddress, credentials.createInsecure()) as unknown as Record<string, any>;
    try {
      const names = await new Promise<string[]>((resolve, reject) => {
        const stream = reflection['ServerReflectionInfo']();
        stream.on('data', (reply: Json) => {
          resolve((reply['list_services_response']?.['service'] ?? []).map((s: Json) => s['name']));
          stream.end();
        });
        stream.on('error', reject);
        stream.write({ list_services: '' });
      });
      expect(names).toEqual(expect.arrayContaining(['oms.partners.v1.InventoryService', 'oms.partners.v1.PaymentService']));
    } finally {
      reflection['close']();
    }
  });

  it('scripts faults over HTTP and rejects invalid settings naming each field', async () => {
    const invalid = await setFaults({ latencyMs: -1, errorRate: 2, jitter: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.type).toContain('application/problem+json');
    expect(invalid.body['errors']).toEqual([
      { field: 'latencyMs', reason: expect.any(String) },
      { field: 'errorRate', reason: expect.any(String) },
      { field: 'jitter', reason: expect.any(String) },
    ]);
    expect((await http('POST', '/faults', '{not json')).status).toBe(400);
    expect((await http('GET', '/faults')).body).toEqual({ latencyMs: 0, errorRate: 0, refuseRefunds: false });
    expect((await setFaults({ latencyMs: 5 })).body).toEqual({ latencyMs: 5, errorRate: 0, refuseRefunds: false });
    expect((await setFaults({ refuseRefunds: true })).body).toEqual({ latencyMs: 5, errorRate: 0, refuseRefunds: true });
    expect((await setFaults({ refuseRefunds: false })).body).toMatchObject({ refuseRefunds: false });
    expect((await http('GET', '/nowhere')).status).toBe(404);
  });

  it('reports the gRPC server in the ops health report', async () => {
    const ops = app.get(OpsServer).address();
    const report = (await (await fetch(`http://127.0.0.1:${ops.port}/healthz`)).json()) as Json;
    expect(JSON.stringify(report)).toContain('grpc_server');
  });
});
