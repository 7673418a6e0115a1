import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OmsConfig } from '@oms/config';
import { recordHttpMetrics } from '@oms/observability';
import { connectGrpcServer } from '@oms/observability/grpc';
import { consoleAssetCandidates, httpServerOptions, serveConsole } from '@oms/orders';
import { SagaEventsTransport } from '@oms/sagas';
import { AppModule } from './app.module';

export interface CreateStandaloneOptions {
  /** false silences Nest's bootstrap logger (tests); main.ts passes the start-up logger. Pino takes over once started. */
  readonly logger?: false | LoggerService;
  readonly logDestination?: NodeJS.WritableStream;
  /** The built console served at /console when OMS_CONSOLE_ENABLED=true (default: beside the bundle, see consoleAssetCandidates). */
  readonly consoleDir?: string;
}

/**
 * Builds (but does not start) the one-process OMS from a loaded config: REST on Fastify,
 * gRPC and the saga orchestrator's broker transport as connected Nest microservices.
 * Start it with `startStandalone`.
 */
export async function createStandalone(config: OmsConfig, options: CreateStandaloneOptions = {}): Promise<NestFastifyApplication> {
  // Body (413), header (431) and request time (408) limits, parser errors as problem+json.
  const adapter = new FastifyAdapter(httpServerOptions(config));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, logDestination: options.logDestination }), adapter, {
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
    abortOnError: false,
  });
  recordHttpMetrics(app);
  if (config.console.enabled) await serveConsole(app, options.consoleDir ? [options.consoleDir] : consoleAssetCandidates(__dirname));
  connectGrpcServer(app);
  app.connectMicroservice({ strategy: app.get(SagaEventsTransport) });
  return app;
}

/**
 * Initialises the app (storage, broker), starts consuming order events, then listens for HTTP.
 * On close Nest drains in reverse: the sagas stop consuming and finish their steps first.
 */
export async function startStandalone(app: NestFastifyApplication, port: number, host: string): Promise<void> {
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, host);
}
