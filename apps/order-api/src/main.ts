import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { loadConfigOrExit } from '@oms/config';
import { OmsLogger, startObservability } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createOrderApi } from './order-api.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(APP_NAME);
  const app = await createOrderApi(config);
  app.useLogger(app.get(OmsLogger)); // start-up lines as JSON too
  await app.init();
  await app.startAllMicroservices(); // gRPC, once every module is initialised
  await app.listen(config.http.addr.port, config.http.addr.host);
  // Pino logs, readiness opens, and SIGTERM drains REST and gRPC (tryShutdown, then forced), then storage.
  startObservability(app);
}

main().catch((error: unknown) => {
  console.error('order-api failed to start:', error);
  process.exit(1);
});
