// Imported first by main.ts, so OpenTelemetry hooks module loading before Nest and the drivers load.
import { startTracing } from '@oms/observability/tracing-bootstrap';

export const tracing = startTracing('saga-orchestrator');
