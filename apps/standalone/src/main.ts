import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { loadConfigOrExit } from '@oms/config';
import { OmsLogger, startObservability } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createStandalone, startStandalone } from './standalone.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(APP_NAME);
  const app = await createStandalone(config);
  app.useLogger(app.get(OmsLogger));
  await startStandalone(app, config.http.addr.port, config.http.addr.host);
  startObservability(app);
}

main().catch((error: unknown) => {
  console.error(`${APP_NAME} failed to start:`, error);
  process.exit(1);
});
