import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig, loadConfigOrExit, type Environment } from './load-config';
import { OMS_CONFIG } from './config.token';
import type { OmsConfig } from './oms.config';

export interface ConfigModuleOptions {
  /** Name of the app (default of OMS_SERVICE_NAME). */
  readonly appName: string;
  /** An already loaded config (main.ts loaded it before Nest, or a test built one). */
  readonly config?: OmsConfig;
  /** Load from this environment instead of process.env; invalid config then throws ConfigError. */
  readonly env?: Environment;
}

/** Provides the frozen OmsConfig under OMS_CONFIG to the whole application, loaded once. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: ConfigModuleOptions): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        {
          provide: OMS_CONFIG,
          useFactory: (): OmsConfig =>
            options.config ??
            (options.env
              ? loadConfig(options.env, { appName: options.appName })
              : loadConfigOrExit(options.appName)),
        },
      ],
      exports: [OMS_CONFIG],
    };
  }
}
