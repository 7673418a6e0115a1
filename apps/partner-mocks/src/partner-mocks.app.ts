import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OmsConfig } from '@oms/config';
import { AppModule, type AppModuleOptions } from './app.module';

/**
 * Builds and starts partner-mocks (no Nest HTTP adapter: the gRPC server, the stats listener
 * and the ops server are providers that open at bootstrap).
 */
export async function createPartnerMocks(
  config: OmsConfig,
  options: Omit<AppModuleOptions, 'config'> & { readonly logger?: false | LoggerService } = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, observability: options.observability }), {
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
    abortOnError: false,
  });
  await app.init();
  return app;
}
