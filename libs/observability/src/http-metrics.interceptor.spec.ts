import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import { BadRequestException, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigModule } from '@oms/config';
import { lastValueFrom } from 'rxjs';
import { HttpMetricsInterceptor, recordHttpMetrics } from './http-metrics.interceptor';
import { ObservabilityModule } from './observability.module';
import { OmsMetrics } from './oms-metrics';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  create(): never {
    throw new BadRequestException('customerId is required');
  }
}

describe('HTTP requests (Fastify)', () => {
  let app: NestFastifyApplication;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));

    @Module({
      imports: [
        ConfigModule.forRoot({ appName: 'http-test', env: { OMS_METRICS_ADDR: '127.0.0.1:0' } }),
        ObservabilityModule.forRoot({ appName: 'http-test', logDestination: sink, exit: () => undefined }),
      ],
      controllers: [ThingsController],
    })
    class AppModule {}

    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
    recordHttpMetrics(app);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  it('counts and times requests by route template and status', async () => {
    await fetch(`${base}/v1/things/42`);
    await fetch(`${base}/v1/things/43`);
    await fetch(`${base}/v1/things`, { method: 'POST' });

    const text = await app.get(OmsMetrics).expose();
    expect(text).toContain('oms_http_requests_total{method="GET",route="/v1/things/:id",status="200"} 2');
    expect(text).toContain('oms_http_requests_total{method="POST",route="/v1/things",status="400"} 1');
    expect(text).toContain('oms_http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status="200"} 2');
  });

  it('logs one line per request with method, path, status and request id, without headers', async () => {
    lines.length = 0;
    await fetch(`${base}/v1/things/7?x=1`, {
      headers: { authorization: 'Bearer s3cr3t-token' },
    });

    const requestLines = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line['req']);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 'info',
      msg: 'GET /v1/things/7 200',
      req: { id: expect.anything(), method: 'GET', url: '/v1/things/7?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(lines.join('\n')).not.toContain('s3cr3t-token');
  });

  it('logs client errors as warn', async () => {
    lines.length = 0;
    await fetch(`${base}/v1/things`, { method: 'POST' });

    const requestLines = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line['req']);
    expect(requestLines.map((line) => [line['level'], line['msg']])).toEqual([['warn', 'POST /v1/things 400']]);
  });
});

/** A transport whose messages a test hands in directly, as a broker driver would. */
class DirectTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }
  close(): void {
    return undefined;
  }
  on(): never {
    throw new Error('no events');
  }
  unwrap<T>(): T {
    throw new Error('nothing to unwrap');
  }
  async deliver(pattern: string, data: unknown): Promise<unknown> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    return lastValueFrom(this.transformToObservable(await handler(data)), { defaultValue: undefined });
  }
}

@Controller()
class PingController {
  readonly seen: unknown[] = [];
  @EventPattern('ping')
  ping(@Payload() data: unknown): void {
    this.seen.push(data);
  }
}

describe('HTTP metrics in a microservice', () => {
  it('do not run an interceptor around its messages', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({ appName: 'rpc-test', env: { OMS_METRICS_ADDR: '127.0.0.1:0' } }),
        ObservabilityModule.forRoot({ appName: 'rpc-test', logDestination: new PassThrough(), exit: () => undefined }),
      ],
      controllers: [PingController],
    })
    class RpcModule {}
    const transport = new DirectTransport();
    const app = await NestFactory.createMicroservice(RpcModule, { strategy: transport, logger: false });
    const intercepted = jest.spyOn(HttpMetricsInterceptor.prototype, 'intercept');
    try {
      await app.listen();
      await transport.deliver('ping', { n: 1 });
      expect(app.get(PingController).seen).toEqual([{ n: 1 }]);
      expect(intercepted).not.toHaveBeenCalled();
    } finally {
      intercepted.mockRestore();
      await app.close();
    }
  });
});
