import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { runService } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createStandalone, startStandalone } from './standalone.app';

void runService({
  appName: APP_NAME,
  listeners: ['http', 'grpc', 'metrics'],
  async start(config, logger) {
    const app = await createStandalone(config, { logger });
    await startStandalone(app, config.http.addr.port, config.http.addr.host);
    return app;
  },
});
