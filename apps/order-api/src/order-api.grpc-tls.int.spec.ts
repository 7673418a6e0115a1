import { Metadata, credentials, status, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { orderServiceClientConstructor } from '@oms/orders';
import { selfSignedCertificate, type TestKeyPair } from '@oms/testing';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

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

describe('order-api gRPC with TLS and mutual TLS', () => {
  let tls: TestOrderApi;
  let mutual: TestOrderApi;
  let server: TestKeyPair;
  let client: TestKeyPair;

  beforeAll(async () => {
    // Made by openssl; without it this throws, saying what to install, and the tests fail.
    server = selfSignedCertificate('server'); // its own CA, so it also serves as the client CA
    client = selfSignedCertificate('client');
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
