import { Metadata, credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@oms/config';
import { GrpcServerHost, grpcBindAddress, grpcCredentials } from './grpc-server.host';
import type { OrderGrpcService } from './order-grpc.service';
import { orderServiceClientConstructor } from './order-service.definition';

/** An OrderService whose GetOrder never answers: a call stuck in flight at shutdown. */
const hangingService = { implementation: () => ({ GetOrder: () => undefined }) } as unknown as OrderGrpcService;

describe('GrpcServerHost', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('formats bind addresses, IPv6 in brackets', () => {
    expect(grpcBindAddress({ host: '0.0.0.0', port: 50051 })).toBe('0.0.0.0:50051');
    expect(grpcBindAddress({ host: '::', port: 0 })).toBe('[::]:0');
    expect(grpcBindAddress({ host: '', port: 1 })).toBe('0.0.0.0:1');
  });

  it('serves plaintext without a certificate and TLS with one', () => {
    expect(grpcCredentials({})._isSecure()).toBe(false);
    expect(grpcCredentials({ cert: 'CERT', key: 'KEY' })._isSecure()).toBe(true);
  });

  it('on shutdown waits for in-flight calls, then forces them closed after the shutdown timeout', async () => {
    const config = loadConfig({ OMS_GRPC_ADDR: '127.0.0.1:0', OMS_SHUTDOWN_TIMEOUT: '300ms' });
    const host = new GrpcServerHost(config, hangingService);
    const port = await host.start();
    expect(port).toBeGreaterThan(0);

    const OrderService = orderServiceClientConstructor();
    const client = new OrderService(`127.0.0.1:${port}`, credentials.createInsecure()) as Client & Record<string, any>;
    let answered = false;
    const call = new Promise<ServiceError | null>((resolve) =>
      client['GetOrder']({ orderId: 'o1' }, new Metadata(), (error: ServiceError | null) => {
        answered = true;
        resolve(error);
      }),
    );
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5_000, (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the call reach the server

    await host.stop();
    const error = await call;
    client.close();
    expect(answered).toBe(true);
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(error?.code);
  });
});
