import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { runService } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createSagaOrchestrator } from './saga-orchestrator.app';

// Once up: logs through pino, readiness opens, SIGTERM drains (stop consuming, finish steps in flight).
void runService({ appName: APP_NAME, listeners: ['metrics'], start: (config, logger) => createSagaOrchestrator(config, { logger }) });
