import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runService } from '@oms/observability';
import { APP_NAME, AppModule } from './app.module';

// Once up: pino logs, readiness opens, and SIGTERM finishes the in-flight batch before the broker closes.
void runService({
  appName: APP_NAME,
  listeners: ['metrics'],
  async start(config, logger) {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger, abortOnError: false });
    await app.init();
    if (config.storage.driver === 'memory') {
      // A memory outbox belongs to one process: a separate relay over it has nothing to publish.
      new Logger(APP_NAME).warn('OMS_STORAGE_DRIVER=memory: this relay only sees its own in-process outbox; use postgres');
    }
    return app;
  },
});
