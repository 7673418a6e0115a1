import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { PartnerUnavailableError } from '@oms/domain';
import { GrpcServerHost } from '@oms/observability/grpc';
import { GrpcPaymentClient, grpcPartnerOptionsOf } from '@oms/partners';
import { testConfig } from '@oms/testing';
import { createPartnerMocks } from './partner-mocks.app';

interface TestPki {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A throw-away CA and one leaf (localhost, server + client auth), made by openssl. */
function makePki(dir: string): TestPki {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=oms-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '1', '-extfile', 'leaf.ext');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { ca: read('ca.crt'), cert: read('leaf.crt'), key: read('leaf.key') };
}

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const hasOpenssl = opensslAvailable();
if (!hasOpenssl) console.warn('partner-mocks TLS tests skipped: the openssl binary is not available to make test certificates');

(hasOpenssl ? describe : describe.skip)('partner-mocks over mutual TLS', () => {
  let dir: string;
  let app: INestApplicationContext;
  let port: number;
  let pki: TestPki;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oms-partner-tls-'));
    pki = makePki(dir);
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
    if (dir) rmSync(dir, { recursive: true, force: true });
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
