import 'reflect-metadata';
import { Metadata, credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { Controller, Global, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { ConfigModule, loadConfig } from '@oms/config';
import { ORDER_SERVICE_NAME } from '@oms/contracts';
import { HealthRegistry } from '@oms/observability';
import { GRPC_SERVER_TRANSPORT, GrpcServerHost, GrpcServerModule } from '@oms/observability/grpc';
import fc from 'fast-check';
import { ERROR_CODE_METADATA } from './grpc-errors';
import { orderServicePackageDefinition } from './order-service.definition';

type RawUnary = (request: Buffer, metadata: Metadata, callback: (error: ServiceError | null, response?: Buffer) => void) => void;

const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };

/** Bytes that protobuf cannot decode as a CreateOrderRequest (wrong wire types, truncation). */
const UNDECODABLE = [
  Buffer.from([0x12, 0x05, 0x0a]), // items: truncated
  Buffer.from([0x0a]), // customer_id: tag without its length
  Buffer.from([0xff]), // a varint tag cut in the middle
];

let received = 0;

@Controller()
class CountingOrders {
  @GrpcMethod('OrderService', 'CreateOrder')
  create(): object {
    received += 1;
    return {};
  }
}

@Global()
@Module({ providers: [HealthRegistry], exports: [HealthRegistry] })
class ReadinessModule {}

@Module({
  imports: [
    ConfigModule.forRoot({ appName: 'malformed-test', config: loadConfig({ OMS_GRPC_ADDR: '127.0.0.1:0' }) }),
    ReadinessModule,
    GrpcServerModule.forRoot({ packageDefinition: orderServicePackageDefinition() }),
  ],
  controllers: [CountingOrders],
})
class CountingOrdersModule {}

describe('malformed gRPC messages of oms.v1.OrderService', () => {
  let app: INestMicroservice;
  let client: Client & Record<'CreateOrder', RawUnary>;

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(CountingOrdersModule, { ...GRPC_SERVER_TRANSPORT, logger: false });
    await app.listen();
    const port = app.get(GrpcServerHost).port;
    const Raw = makeGenericClientConstructor({ CreateOrder: { path: `/${ORDER_SERVICE_NAME}/CreateOrder`, requestStream: false, responseStream: false, ...raw } }, 'Raw');
    client = new Raw(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & Record<'CreateOrder', RawUnary>;
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  const send = (bytes: Buffer) =>
    new Promise<ServiceError | null>((resolve) => client.CreateOrder(bytes, new Metadata(), (error) => resolve(error)));

  it('answers undecodable requests INVALID_ARGUMENT instead of INTERNAL, without calling the handler', async () => {
    for (const bytes of UNDECODABLE) {
      const error = await send(bytes);
      expect([error?.code, error?.metadata.get(ERROR_CODE_METADATA)[0]]).toEqual([status.INVALID_ARGUMENT, 'MALFORMED_REQUEST']);
      expect(error?.details).toMatch(/^request: not a valid CreateOrder request message$/);
    }
    expect(received).toBe(0);
  });

  it('answers any byte string with OK or INVALID_ARGUMENT, never a server error (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const error = await send(Buffer.from(bytes));
        expect(error === null || error.code === status.INVALID_ARGUMENT).toBe(true);
      }),
      { seed: 20_261_129, numRuns: 200 },
    );
    expect(await send(Buffer.alloc(0))).toBeNull(); // the empty message is a valid (empty) request
  });
});
