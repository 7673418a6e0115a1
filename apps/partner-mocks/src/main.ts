import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { loadConfigOrExit } from '@oms/config';
import { startObservability } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createPartnerMocks } from './partner-mocks.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(APP_NAME);
  const app = await createPartnerMocks(config);
  startObservability(app);
}

main().catch((error: unknown) => {
  console.error('partner-mocks failed to start:', error);
  process.exit(1);
});
