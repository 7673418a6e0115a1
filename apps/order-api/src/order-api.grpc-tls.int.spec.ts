import { Metadata, credentials, status, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { orderServiceClientConstructor } from '@oms/orders';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestOrderApi, testConfig, type TestOrderApi } from './order-api.test-app';

/** A self-signed certificate for localhost (it is its own CA, so it also serves as the client CA). */
function selfSigned(dir: string, name: string): { cert: string; key: string } | null {
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
    ], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'oms-grpc-tls-'));
const serverPair = selfSigned(dir, 'server');
const clientPair = selfSigned(dir, 'client');
if (!serverPair || !clientPair) console.warn('gRPC TLS tests skipped: the openssl command is not available to create test certificates');
const describeTls = serverPair && clientPair ? describe : describe.skip;
const server = serverPair ?? { cert: '', key: '' };
const client = clientPair ?? { cert: '', key: '' };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function getOrder(port: number, channel: ChannelCredentials): Promise<ServiceError | null> {
  const OrderService = orderServiceClientConstructor();
  const stub = new OrderService(`localhost:${port}`, channel) as Client & Record<string, any>;
  return new Promise((resolve) =>
    stub['GetOrder']({ orderId: 'missing' }, new Metadata(), { deadline: Date.now() + 5_000 }, (error: ServiceError | null) => {
      stub.close();
      resolve(error);
    }),
  );
}

describeTls('order-api gRPC with TLS and mutual TLS', () => {
  let tls: TestOrderApi;
  let mutual: TestOrderApi;

  beforeAll(async () => {
    tls = await startTestOrderApi(testConfig({ OMS_GRPC_TLS_CERT: server.cert, OMS_GRPC_TLS_KEY: server.key }));
    mutual = await startTestOrderApi(
      testConfig({ OMS_GRPC_TLS_CERT: server.cert, OMS_GRPC_TLS_KEY: server.key, OMS_GRPC_TLS_CLIENT_CA: client.cert }),
    );
  });
  afterAll(async () => {
    await tls?.close();
    await mutual?.close();
  });

  it('serves TLS clients that trust the server certificate, and refuses plaintext', async () => {
    const secure = await getOrder(tls.grpcPort, credentials.createSsl(Buffer.from(server.cert)));
    expect(secure?.code).toBe(status.NOT_FOUND); // the call went through
    const plaintext = await getOrder(tls.grpcPort, credentials.createInsecure());
    expect(plaintext?.code).toBe(status.UNAVAILABLE);
  });

  it('with a client CA, requires a client certificate signed by it', async () => {
    const withCert = await getOrder(
      mutual.grpcPort,
      credentials.createSsl(Buffer.from(server.cert), Buffer.from(client.key), Buffer.from(client.cert)),
    );
    expect(withCert?.code).toBe(status.NOT_FOUND);
    const withoutCert = await getOrder(mutual.grpcPort, credentials.createSsl(Buffer.from(server.cert)));
    expect(withoutCert?.code).toBe(status.UNAVAILABLE);
  });
});
