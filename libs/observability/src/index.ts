export { ObservabilityModule, startObservability } from './observability.module';
export type { ObservabilityOptions } from './observability.options';
export { PlatformModule, type AppOptions, type PlatformModuleOptions } from './platform.module';
export {
  OmsMetrics,
  omsMetricNames,
  OUTBOX_PUBLISH_RESULTS,
  CLEANUP_RUN_RESULTS,
  type OutboxPublishResult,
  type CleanupRunResult,
} from './oms-metrics';
export { buildInfoOf, OMS_VERSION, type BuildInfo } from './build-info';
export {
  HealthRegistry,
  type HealthCheckFn,
  type HealthCheckRegistration,
  type HealthDetails,
} from './health.registry';
export { OpsHealthService, type HealthAnswer } from './ops-health.service';
export { OpsServer } from './ops.server';
export { ShutdownCoordinator, type SignalSource } from './shutdown.coordinator';
export { HttpMetricsInterceptor, recordHttpMetrics } from './http-metrics.interceptor';
export { createOmsLogger, omsLoggerOptions, omsLoggerParams, REDACTED_LOG_PATHS } from './oms.logger';
export { Logger as OmsLogger, PinoLogger, InjectPinoLogger } from 'nestjs-pino';
export * from './tracing';
export { runService, runCommand, EXIT_START_FAILED, type ServiceSpec, type CommandSpec, type StartupIo } from './startup/run-service';
export { ListenAddresses, hostPort } from './startup/listen-addresses';
export { describeStartupFailure, type StartupFailure } from './startup/startup-failure';
export { writeStartupFailure, type StartupReportOptions } from './startup/startup-report';
