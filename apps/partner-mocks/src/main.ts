import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { runService } from '@oms/observability';
import { APP_NAME } from './app.module';
import { createPartnerMocks } from './partner-mocks.app';

// gRPC partners on OMS_GRPC_ADDR, their stats on OMS_HTTP_ADDR, probes on OMS_METRICS_ADDR.
void runService({ appName: APP_NAME, listeners: ['http', 'grpc', 'metrics'], start: (config, logger) => createPartnerMocks(config, { logger }) });
