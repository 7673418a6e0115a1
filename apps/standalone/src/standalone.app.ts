import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OmsConfig } from '@oms/config';
import { connectGrpcServer } from '@oms/observability/grpc';
import { httpServerOptions } from '@oms/orders';
import { AppModule } from './app.module';

export interface CreateStandaloneOptions {
  /** false silences Nest's bootstrap logger (tests); pino takes over once started. */
  readonly logger?: false;
  readonly logDestination?: NodeJS.WritableStream;
}

/**
 * Builds (but does not start listening) the one-process OMS from a loaded config: REST on
 * Fastify, gRPC as a connected Nest microservice (start it with `app.startAllMicroservices()`).
 */
export async function createStandalone(config: OmsConfig, options: CreateStandaloneOptions = {}): Promise<NestFastifyApplication> {
  // Body (413), header (431) and request time (408) limits, parser errors as problem+json.
  const adapter = new FastifyAdapter(httpServerOptions(config));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, logDestination: options.logDestination }), adapter, {
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
    abortOnError: false,
  });
  connectGrpcServer(app);
  return app;
}
