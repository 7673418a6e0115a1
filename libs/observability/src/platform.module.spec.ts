import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OMS_CONFIG, loadConfig, type OmsConfig } from '@oms/config';
import { HealthRegistry } from './health.registry';
import { OmsMetrics } from './oms-metrics';
import { OpsServer } from './ops.server';
import { PlatformModule } from './platform.module';

/** A provider of some feature module: it sees the platform without importing it. */
@Injectable()
class FeatureService {
  constructor(
    @Inject(OMS_CONFIG) readonly config: OmsConfig,
    readonly health: HealthRegistry,
    readonly metrics: OmsMetrics,
  ) {}
}

@Module({ providers: [FeatureService], exports: [FeatureService] })
class FeatureModule {}

describe('PlatformModule', () => {
  it('gives every module of the app the loaded config, the ops platform and pino logs tagged with the app', async () => {
    const config = loadConfig({ OMS_METRICS_ADDR: '127.0.0.1:0', LOG_LEVEL: 'info' }, { appName: 'platform-test' });
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const exits: number[] = [];

    @Module({ imports: [PlatformModule.forRoot({ appName: 'platform-test', config, logDestination: sink, exit: (code) => exits.push(code) }), FeatureModule] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true });
    await app.init();
    try {
      const feature = app.get(FeatureService);
      expect(feature.config).toBe(config);
      expect(feature.health).toBe(app.get(HealthRegistry));
      expect(await feature.metrics.expose()).toMatch(/^# HELP oms_outbox_pending_records /m);
      const { port } = app.get(OpsServer).address();
      expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);

      const { Logger } = await import('nestjs-pino');
      app.useLogger(app.get(Logger));
      app.get(Logger).log('hello from the platform');
      await new Promise((resolve) => setImmediate(resolve));
      const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry['msg'] === 'hello from the platform');
      expect(line).toMatchObject({ app: 'platform-test' });
    } finally {
      await app.close();
    }
    expect(exits).toEqual([]);
  });
});
