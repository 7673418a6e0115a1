import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { loadConfigOrExit } from '@oms/config';
import { startObservability } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createSagaOrchestrator } from './saga-orchestrator.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(APP_NAME);
  const app = await createSagaOrchestrator(config);
  // Logs through pino, readiness opens, SIGTERM drains (stop consuming, finish steps in flight).
  startObservability(app);
}

main().catch((error: unknown) => {
  console.error(`${APP_NAME} failed to start:`, error);
  process.exit(1);
});
