import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OmsConfig } from '@oms/config';
import { OmsLogger } from '@oms/observability';
import { GRPC_SERVER_TRANSPORT } from '@oms/observability/grpc';
import { AppModule, type AppModuleOptions } from './app.module';

/**
 * Builds and starts partner-mocks: a Nest microservice on the shared gRPC host (no Nest HTTP
 * adapter: the stats listener and the ops server are providers that open at bootstrap).
 */
export async function createPartnerMocks(
  config: OmsConfig,
  options: Omit<AppModuleOptions, 'config'> & { readonly logger?: false } = {},
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(AppModule.forRoot({ config, observability: options.observability }), {
    ...GRPC_SERVER_TRANSPORT,
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
    abortOnError: false,
  });
  if (options.logger !== false) app.useLogger(app.get(OmsLogger)); // start-up lines as JSON too
  await app.listen();
  return app;
}
