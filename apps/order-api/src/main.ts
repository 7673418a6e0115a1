import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { runService } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createOrderApi } from './order-api.app';

// One clear message and exit 1 when the start fails; once up: pino logs, readiness opens, the
// listening addresses in one line, and SIGTERM drains REST and gRPC (tryShutdown, then forced), then storage.
void runService({
  appName: APP_NAME,
  listeners: ['http', 'grpc', 'metrics'],
  async start(config, logger) {
    const app = await createOrderApi(config, { logger });
    await app.init();
    await app.startAllMicroservices(); // gRPC, once every module is initialised
    await app.listen(config.http.addr.port, config.http.addr.host);
    return app;
  },
});
