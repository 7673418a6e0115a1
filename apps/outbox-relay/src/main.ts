import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@oms/config';
import { startObservability } from '@oms/observability';
import { APP_NAME, AppModule } from './app.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(APP_NAME);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { bufferLogs: true, abortOnError: false });
  await app.init();
  // Pino logs, readiness opens, and SIGTERM finishes the in-flight batch before the broker closes.
  startObservability(app);
  if (config.storage.driver === 'memory') {
    // A memory outbox belongs to one process: a separate relay over it has nothing to publish.
    new Logger(APP_NAME).warn('OMS_STORAGE_DRIVER=memory: this relay only sees its own in-process outbox; use postgres');
  }
}

main().catch((error: unknown) => {
  console.error(`${APP_NAME} failed to start:`, error);
  process.exit(1);
});
