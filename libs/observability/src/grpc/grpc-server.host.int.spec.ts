import 'reflect-metadata';
import {
  Metadata,
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  status,
  type Client,
  type ClientReadableStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { fromJSON, loadSync } from '@grpc/proto-loader';
import { Controller, Global, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { ConfigModule, loadConfig } from '@oms/config';
import { service as healthService } from 'grpc-health-check';
import { dirname, join } from 'node:path';
import { HealthRegistry } from '../health.registry';
import { GrpcServerHost } from './grpc-server.host';
import { GRPC_SERVER_TRANSPORT, GrpcServerModule } from './grpc-server.module';
import { ERROR_CODE_METADATA } from './malformed-message';

type Json = Record<string, any>;
type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

/** oms.test.v1.Probe: Echo answers at once, Hold answers when the test lets it. */
const PROBE = fromJSON(
  {
    nested: {
      oms: {
        nested: {
          test: {
            nested: {
              v1: {
                nested: {
                  Probe: { methods: { Echo: { requestType: 'Note', responseType: 'Note', comment: '' }, Hold: { requestType: 'Note', responseType: 'Note', comment: '' } } },
                  Note: { fields: { text: { type: 'string', id: 1 } } },
                },
              },
            },
          },
        },
      },
    },
  },
  { keepCase: false, defaults: true },
);

const held: Array<() => void> = [];

@Controller()
class ProbeController {
  @GrpcMethod('Probe', 'Echo')
  echo(note: { text: string }): { text: string } {
    return { text: `echo ${note.text}` };
  }

  @GrpcMethod('Probe', 'Hold')
  hold(note: { text: string }): Promise<{ text: string }> {
    return new Promise((resolve) => held.push(() => resolve({ text: `held ${note.text}` })));
  }
}

@Global()
@Module({ providers: [HealthRegistry], exports: [HealthRegistry] })
class ReadinessModule {}

async function startProbe(shutdownTimeout: string): Promise<{ app: INestMicroservice; host: GrpcServerHost; address: string }> {
  const config = loadConfig({ OMS_GRPC_ADDR: '127.0.0.1:0', OMS_SHUTDOWN_TIMEOUT: shutdownTimeout });
  @Module({
    imports: [ConfigModule.forRoot({ appName: 'grpc-host-test', config }), ReadinessModule, GrpcServerModule.forRoot({ packageDefinition: PROBE })],
    controllers: [ProbeController],
  })
  class ProbeModule {}
  const app = await NestFactory.createMicroservice(ProbeModule, { ...GRPC_SERVER_TRANSPORT, logger: false });
  await app.listen();
  const host = app.get(GrpcServerHost);
  return { app, host, address: `127.0.0.1:${host.port}` };
}

function probeClient(address: string): Client & Record<'Echo' | 'Hold', Unary> {
  const v1 = ((loadPackageDefinition(PROBE)['oms'] as GrpcObject)['test'] as GrpcObject)['v1'] as GrpcObject;
  const Probe = v1['Probe'] as ServiceClientConstructor;
  return new Probe(address, credentials.createInsecure()) as unknown as Client & Record<'Echo' | 'Hold', Unary>;
}

const callOf = (client: Client & Record<'Echo' | 'Hold', Unary>, method: 'Echo' | 'Hold', text: string) =>
  new Promise<{ error: ServiceError | null; response?: Json }>((resolve) =>
    client[method]({ text }, new Metadata(), (error, response) => resolve({ error, response })),
  );

const waitUntil = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('GrpcServerHost (Nest gRPC transport)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('serving', () => {
    let app: INestMicroservice;
    let host: GrpcServerHost;
    let address: string;

    beforeAll(async () => {
      ({ app, host, address } = await startProbe('2s'));
    });
    afterAll(async () => {
      await app.close();
    });

    it('binds the port asked for with port 0 and serves the @GrpcMethod handlers', async () => {
      expect(host.port).toBeGreaterThan(0);
      const client = probeClient(address);
      try {
        expect(await callOf(client, 'Echo', 'hi')).toEqual({ error: null, response: { text: 'echo hi' } });
      } finally {
        client.close();
      }
    });

    it('answers grpc.health.v1 Check SERVING for the server and for each service, NOT_FOUND for others', async () => {
      const Health = makeGenericClientConstructor(healthService, 'Health');
      const health = new Health(address, credentials.createInsecure()) as unknown as Record<string, any>;
      const check = (service: string) =>
        new Promise<{ error: ServiceError | null; answer?: Json }>((resolve) =>
          health['check']({ service }, (error: ServiceError | null, answer: Json) => resolve({ error, answer })),
        );
      try {
        expect((await check('')).answer?.['status']).toBe('SERVING');
        expect((await check('oms.test.v1.Probe')).answer?.['status']).toBe('SERVING');
        expect((await check('oms.test.v1.Nothing')).error?.code).toBe(status.NOT_FOUND);
      } finally {
        health['close']();
      }
    });

    it('serves reflection as grpcurl uses it: list services, then the file that defines one', async () => {
      const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
      const root = loadPackageDefinition(loadSync(reflectionProto, { keepCase: false, defaults: true, oneofs: true }));
      const Reflection = (((root['grpc'] as GrpcObject)['reflection'] as GrpcObject)['v1'] as GrpcObject)['ServerReflection'] as ServiceClientConstructor;
      const reflection = new Reflection(address, credentials.createInsecure()) as unknown as Record<string, any>;
      const ask = (request: Json) =>
        new Promise<Json>((resolve, reject) => {
          const stream = reflection['ServerReflectionInfo']();
          stream.on('data', (response: Json) => {
            resolve(response);
            stream.end();
          });
          stream.on('error', reject);
          stream.write(request);
        });
      try {
        const listed = await ask({ listServices: '' });
        const names = (listed['listServicesResponse']?.service ?? []).map((service: Json) => service['name']);
        expect(names).toEqual(expect.arrayContaining(['oms.test.v1.Probe', 'grpc.health.v1.Health']));
        const file = await ask({ fileContainingSymbol: 'oms.test.v1.Probe' });
        const descriptors: Buffer[] = file['fileDescriptorResponse']?.fileDescriptorProto ?? [];
        expect(descriptors.length).toBeGreaterThan(0);
        expect(Buffer.concat(descriptors).toString('latin1')).toContain('Probe');
        const health = await ask({ fileContainingSymbol: 'grpc.health.v1.Health' });
        expect(Buffer.concat(health['fileDescriptorResponse']?.fileDescriptorProto ?? []).toString('latin1')).toContain('HealthCheckRequest');
      } finally {
        reflection['close']();
      }
    });

    it('answers request bytes that do not decode INVALID_ARGUMENT, without calling the handler', async () => {
      const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
      const Raw = makeGenericClientConstructor({ Echo: { path: '/oms.test.v1.Probe/Echo', requestStream: false, responseStream: false, ...raw } }, 'Raw');
      const client = new Raw(address, credentials.createInsecure()) as unknown as Record<'Echo', (b: Buffer, m: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void) => void> & Client;
      try {
        const error = await new Promise<ServiceError | null>((resolve) => client.Echo(Buffer.from([0x0a]), new Metadata(), (e) => resolve(e)));
        expect([error?.code, error?.metadata.get(ERROR_CODE_METADATA)[0], error?.details]).toEqual([
          status.INVALID_ARGUMENT,
          'MALFORMED_REQUEST',
          'request: not a valid Echo request message',
        ]);
      } finally {
        client.close();
      }
    });
  });

  describe('shutdown', () => {
    afterEach(() => {
      held.splice(0).forEach((release) => release());
    });

    it('reports NOT_SERVING, lets a call in flight finish, then stops before the timeout', async () => {
      const { app, address } = await startProbe('10s');
      const client = probeClient(address);
      const Health = makeGenericClientConstructor(healthService, 'Health');
      const health = new Health(address, credentials.createInsecure()) as unknown as Record<string, any>;
      const statuses: string[] = [];
      const watch = health['watch']({ service: '' }) as ClientReadableStream<Json>;
      watch.on('data', (answer: Json) => statuses.push(answer['status']));
      watch.on('error', () => undefined);
      try {
        const call = callOf(client, 'Hold', 'in flight');
        await waitUntil(() => held.length === 1 && statuses.length === 1);
        const startedAt = Date.now();
        const closed = app.close();
        await waitUntil(() => statuses.length === 2);
        expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
        watch.cancel(); // a watcher is a call in flight too: it must not hold the shutdown
        held.splice(0).forEach((release) => release());
        expect(await call).toEqual({ error: null, response: { text: 'held in flight' } });
        await closed;
        expect(Date.now() - startedAt).toBeLessThan(10_000);
      } finally {
        client.close();
        health['close']();
      }
    });

    it('forces a call still running after OMS_SHUTDOWN_TIMEOUT closed', async () => {
      const { app, host, address } = await startProbe('300ms');
      const client = probeClient(address);
      try {
        let answered = false;
        const call = callOf(client, 'Hold', 'stuck').then((outcome) => {
          answered = true;
          return outcome;
        });
        await waitUntil(() => held.length === 1);
        const startedAt = Date.now();
        await app.close();
        expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250); // it waited for the call first
        const { error } = await call;
        expect(answered).toBe(true);
        expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(error?.code);
        expect(host.port).toBeGreaterThan(0);
      } finally {
        client.close();
      }
    });
  });
});
