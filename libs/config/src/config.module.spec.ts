import 'reflect-metadata';
import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from './config.module';
import { ConfigError } from './config.error';
import { OMS_CONFIG } from './config.token';
import { loadConfig } from './load-config';
import type { OmsConfig } from './oms.config';

@Injectable()
class NeedsConfig {
  constructor(@Inject(OMS_CONFIG) readonly config: OmsConfig) {}
}

@Module({ providers: [NeedsConfig], exports: [NeedsConfig] })
class FeatureModule {}

function contextOf(...imports: (DynamicModule | typeof FeatureModule)[]) {
  @Module({ imports })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

describe('ConfigModule', () => {
  it('provides the config globally to other modules, loaded from the given env', async () => {
    const moduleRef = await contextOf(
      ConfigModule.forRoot({ appName: 'outbox-relay', env: { OMS_OUTBOX_BATCH_SIZE: '7' } }),
      FeatureModule,
    );

    const { config } = moduleRef.get(NeedsConfig);
    expect(config.serviceName).toBe('outbox-relay');
    expect(config.outbox.batchSize).toBe(7);
    expect(moduleRef.get(OMS_CONFIG)).toBe(config);
    await moduleRef.close();
  });

  it('uses a preloaded config as is', async () => {
    const preloaded = loadConfig({}, { appName: 'order-api' });
    const moduleRef = await contextOf(ConfigModule.forRoot({ appName: 'order-api', config: preloaded }));

    expect(moduleRef.get(OMS_CONFIG)).toBe(preloaded);
    await moduleRef.close();
  });

  it('fails start-up with the ConfigError of an invalid env', async () => {
    await expect(contextOf(ConfigModule.forRoot({ appName: 'order-api', env: { OMS_HTTP_ADDR: 'x' } }))).rejects.toThrow(
      ConfigError,
    );
  });
});
