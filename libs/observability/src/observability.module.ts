import { type DynamicModule, Global, Module, type INestApplicationContext } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Logger, LoggerModule } from 'nestjs-pino';
import { buildInfoOf } from './build-info';
import { EventLoopMonitor } from './event-loop.monitor';
import { HealthRegistry } from './health.registry';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { OmsMetrics } from './oms-metrics';
import { createOmsLogger, omsLoggerParams } from './oms.logger';
import { OpsHealthService } from './ops-health.service';
import { OpsServer } from './ops.server';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions } from './observability.options';
import { ShutdownCoordinator } from './shutdown.coordinator';
import { ListenAddresses } from './startup/listen-addresses';

/**
 * Logs, metrics, health, the ops server and graceful shutdown for one app. Global; needs
 * OMS_CONFIG (import ConfigModule.forRoot beside it).
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRootAsync({
          useFactory: (config: OmsConfig) =>
            omsLoggerParams(createOmsLogger(config, options.appName, options.logDestination)),
          inject: [OMS_CONFIG],
        }),
      ],
      providers: [
        { provide: OBSERVABILITY_OPTIONS, useValue: options },
        { provide: OmsMetrics, useFactory: (config: OmsConfig) => new OmsMetrics(buildInfoOf(config)), inject: [OMS_CONFIG] },
        { provide: HealthRegistry, useFactory: () => new HealthRegistry() },
        { provide: EventLoopMonitor, useFactory: () => new EventLoopMonitor() },
        { provide: ListenAddresses, useFactory: () => new ListenAddresses() },
        OpsHealthService,
        OpsServer,
        ShutdownCoordinator,
        HttpMetricsInterceptor, // HTTP apps bind it: recordHttpMetrics
      ],
      exports: [OmsMetrics, HttpMetricsInterceptor, HealthRegistry, ListenAddresses, OpsServer, ShutdownCoordinator, OpsHealthService, LoggerModule],
    };
  }
}

/**
 * main.ts helper, after the app is listening: logs through pino, readiness opens, and SIGTERM /
 * SIGINT shut down gracefully. Create the app with `{ bufferLogs: true }` so that start-up
 * lines go through pino too.
 */
export function startObservability(app: INestApplicationContext): void {
  app.useLogger(app.get(Logger));
  app.get(ShutdownCoordinator).attach(app);
}
