import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OmsConfig } from '@oms/config';
import type { AppOptions } from '@oms/observability';
import { AppModule } from './app.module';

/** Builds and starts the orchestrator (no HTTP listener besides the ops server of observability). */
export async function createSagaOrchestrator(
  config: OmsConfig,
  options: { logger?: false; exit?: AppOptions['exit'] } = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, ...(options.exit ? { exit: options.exit } : {}) }), {
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
    abortOnError: false,
  });
  await app.init();
  return app;
}
