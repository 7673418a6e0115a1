import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { ObservabilityModule } from './observability.module';
import type { ObservabilityOptions } from './observability.options';

/** What every app module is built from: the loaded config and the test hooks of observability. */
export interface AppOptions extends Omit<ObservabilityOptions, 'appName'> {
  /** The config main.ts loaded (or a test built). */
  readonly config: OmsConfig;
}

export interface PlatformModuleOptions extends AppOptions {
  /** The app being run (`order-api`, ...): default service name and the `app` field of every log line. */
  readonly appName: string;
}

/**
 * The first import of every app module: the config under OMS_CONFIG (ConfigModule) and logs,
 * metrics, health, the ops server and graceful shutdown (ObservabilityModule), both global.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const { config, ...observability } = options;
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot({ appName: options.appName, config }), ObservabilityModule.forRoot(observability)],
    };
  }
}
