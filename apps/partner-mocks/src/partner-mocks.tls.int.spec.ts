import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { PartnerUnavailableError } from '@oms/domain';
import { GrpcServerHost } from '@oms/observability/grpc';
import { GrpcPaymentClient, grpcPartnerOptionsOf } from '@oms/partners';
import { testConfig, testPki, type TestPki } from '@oms/testing';
import { createPartnerMocks } from './partner-mocks.app';

describe('partner-mocks over mutual TLS', () => {
  let app: INestApplicationContext;
  let port: number;
  let pki: TestPki;

  beforeAll(async () => {
    pki = testPki(); // made by openssl; without it this throws, saying what to install, and the tests fail
    const config = testConfig(
      {
        OMS_GRPC_ADDR: '127.0.0.1:0',
        OMS_HTTP_ADDR: '127.0.0.1:0',
        OMS_METRICS_ADDR: '127.0.0.1:0',
        OMS_GRPC_TLS_CERT: pki.cert,
        OMS_GRPC_TLS_KEY: pki.key,
        OMS_GRPC_TLS_CLIENT_CA: pki.ca,
      },
      'partner-mocks',
    );
    app = await createPartnerMocks(config, { logger: false, observability: { logDestination: new PassThrough().resume(), exit: () => undefined } });
    port = app.get(GrpcServerHost).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('accepts a saga client configured with the same OMS_GRPC_TLS_* material (client certificate, internal CA)', async () => {
    const sagaConfig = testConfig({
      OMS_PARTNER_PAYMENT_ADDR: `localhost:${port}`,
      OMS_GRPC_TLS_CERT: pki.cert,
      OMS_GRPC_TLS_KEY: pki.key,
      OMS_GRPC_TLS_CLIENT_CA: pki.ca,
    });
    const client = new GrpcPaymentClient(grpcPartnerOptionsOf(sagaConfig, 'payment'));
    try {
      await expect(client.charge({ idempotencyKey: 'tls:charge', orderId: 'o1', amountMinor: 100, currency: 'EUR' })).resolves.toMatchObject({
        ok: true,
      });
    } finally {
      client.close();
    }
  });

  it('refuses a client without a certificate, which the client reports as transient', async () => {
    const client = new GrpcPaymentClient({ address: `localhost:${port}`, callTimeoutMs: 2_000, tls: { rootCa: pki.ca } });
    try {
      await expect(client.charge({ idempotencyKey: 'tls:anon', orderId: 'o2', amountMinor: 100, currency: 'EUR' })).rejects.toBeInstanceOf(
        PartnerUnavailableError,
      );
    } finally {
      client.close();
    }
  });

  it('refuses a plaintext client', async () => {
    const client = new GrpcPaymentClient({ address: `localhost:${port}`, callTimeoutMs: 2_000 });
    try {
      await expect(client.charge({ idempotencyKey: 'tls:plain', orderId: 'o3', amountMinor: 100, currency: 'EUR' })).rejects.toBeInstanceOf(
        PartnerUnavailableError,
      );
    } finally {
      client.close();
    }
  });
});
