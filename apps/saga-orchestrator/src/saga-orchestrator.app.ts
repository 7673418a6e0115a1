import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OmsConfig } from '@oms/config';
import { AppModule, type AppModuleOptions } from './app.module';

/** Builds and starts the orchestrator (no HTTP listener besides the ops server of observability). */
export async function createSagaOrchestrator(
  config: OmsConfig,
  options: { logger?: false | LoggerService; exit?: AppModuleOptions['exit'] } = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, ...(options.exit ? { exit: options.exit } : {}) }), {
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
    abortOnError: false,
  });
  await app.init();
  return app;
}
