import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OmsConfig } from '@oms/config';
import { SagaEventsTransport } from '@oms/sagas';
import type { AppOptions } from '@oms/observability';
import { AppModule } from './app.module';

/**
 * Builds and starts the orchestrator: a Nest microservice whose transport is SagaEventsTransport
 * (order events through the MessageConsumer port to the sagas' `@EventPattern` handlers). It
 * serves no HTTP besides the ops server of observability. listen() runs the bootstrap hooks
 * (storage, broker) before the transport subscribes.
 */
export async function createSagaOrchestrator(
  config: OmsConfig,
  options: { logger?: false; exit?: AppOptions['exit'] } = {},
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(AppModule.forRoot({ config, ...(options.exit ? { exit: options.exit } : {}) }), {
    inject: [SagaEventsTransport],
    useFactory: (strategy: SagaEventsTransport) => ({ strategy }),
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
    abortOnError: false,
  });
  await app.listen();
  return app;
}
