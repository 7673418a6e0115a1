import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Injectable, Module, type BeforeApplicationShutdown, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@oms/config';
import { OMS_VERSION } from './build-info';
import { HealthRegistry } from './health.registry';
import { REQUIRED_METRICS } from './testing';
import { ObservabilityModule } from './observability.module';
import { OpsServer } from './ops.server';
import { ShutdownCoordinator } from './shutdown.coordinator';

/** Lets a test hold the app inside its shutdown, as a module draining work would. */
@Injectable()
class SlowDrain implements BeforeApplicationShutdown {
  static release: () => void = () => undefined;
  static entered: () => void = () => undefined;
  beforeApplicationShutdown(): Promise<void> {
    SlowDrain.entered();
    return new Promise((resolve) => (SlowDrain.release = resolve));
  }
}

interface TestApp {
  app: INestApplicationContext;
  url: (path: string) => string;
  exits: number[];
  /** Resolves with the first exit code the coordinator asks for. */
  exited: Promise<number>;
  logs: string[];
}

async function startApp(
  env: Record<string, string> = {},
  extraProviders: unknown[] = [],
  eventLoopDelayThresholdMs?: number,
): Promise<TestApp> {
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (onExit = resolve));
  const logs: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));

  @Module({
    imports: [
      ConfigModule.forRoot({ appName: 'ops-test', env: { OMS_METRICS_ADDR: '127.0.0.1:0', ...env } }),
      ObservabilityModule.forRoot({
        appName: 'ops-test',
        logDestination: sink,
        ...(eventLoopDelayThresholdMs === undefined ? {} : { eventLoopDelayThresholdMs }),
        exit: (code) => {
          exits.push(code);
          onExit(code);
        },
      }),
    ],
    providers: extraProviders as never[],
  })
  class AppModule {}

  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  const { port } = app.get(OpsServer).address();
  return { app, url: (path) => `http://127.0.0.1:${port}${path}`, exits, exited, logs };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('ops server', () => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.app.close();
    testApp = undefined;
  });

  it('answers /livez 200 with the event loop check', async () => {
    testApp = await startApp();

    const { status, body } = await getJson(testApp.url('/livez'));

    expect(status).toBe(200);
    expect(body['status']).toBe('ok');
    expect(body['details'].event_loop).toEqual({ status: 'up', delayMs: expect.any(Number), thresholdMs: 1000 });
  });

  it('answers /livez 503 when the event loop delay is above the threshold', async () => {
    // A negative threshold stands in for a blocked loop without blocking the test machine.
    testApp = await startApp({}, [], -1);

    const { status, body } = await getJson(testApp.url('/livez'));

    expect(status).toBe(503);
    expect(body['details'].event_loop).toMatchObject({ status: 'down', thresholdMs: -1 });
  });

  it('is not ready until the app is attached, then ready while readiness checks pass', async () => {
    testApp = await startApp();
    const registry = testApp.app.get(HealthRegistry);
    registry.register({ name: 'database', readiness: true, check: async () => ({ up: true, details: { poolMax: 20 } }) });

    const before = await getJson(testApp.url('/readyz'));
    testApp.app.get(ShutdownCoordinator).attach(testApp.app, []);
    const after = await getJson(testApp.url('/readyz'));

    expect(before).toEqual({ status: 503, body: { status: 'starting' } });
    expect(after.status).toBe(200);
    expect(after.body['details'].database).toEqual({ status: 'up', poolMax: 20 });
  });

  it('answers /readyz 503 naming the failing readiness check, and ignores checks that are not readiness', async () => {
    testApp = await startApp();
    const registry = testApp.app.get(HealthRegistry);
    testApp.app.get(ShutdownCoordinator).attach(testApp.app, []);
    registry.register({ name: 'cache', readiness: false, check: () => ({ up: false }) });
    const removeBroker = registry.register({
      name: 'broker',
      readiness: true,
      check: async () => {
        throw new Error('broker unreachable');
      },
    });

    const failing = await getJson(testApp.url('/readyz'));
    removeBroker();
    const recovered = await getJson(testApp.url('/readyz'));

    expect(failing.status).toBe(503);
    expect(failing.body['status']).toBe('error');
    expect(failing.body['details'].broker).toEqual({ status: 'down', message: 'broker unreachable' });
    expect(failing.body['details'].cache).toBeUndefined();
    expect(recovered.status).toBe(200);
  });

  it('treats a check that does not answer in time as down', async () => {
    testApp = await startApp();
    testApp.app.get(ShutdownCoordinator).attach(testApp.app, []);
    testApp.app.get(HealthRegistry).register({
      name: 'stuck',
      readiness: true,
      timeoutMs: 20,
      check: () => new Promise<void>(() => undefined),
    });

    const { status, body } = await getJson(testApp.url('/readyz'));

    expect(status).toBe(503);
    expect(body['details'].stuck).toEqual({ status: 'down', message: 'no answer within 20ms' });
  });

  it('answers /healthz with every check, marked readiness or not, and no secrets', async () => {
    testApp = await startApp({
      OMS_STORAGE_DRIVER: 'postgres',
      OMS_POSTGRES_DSN: 'postgres://oms:Sup3rSecret@db:5432/oms',
      OMS_SERVICE_NAME: 'ops-test-eu',
      OMS_BUILD_COMMIT: '0123abcd',
    });
    testApp.app.get(ShutdownCoordinator).attach(testApp.app, []);
    const registry = testApp.app.get(HealthRegistry);
    registry.register({
      name: 'database',
      readiness: true,
      check: () => {
        throw new Error('connect to postgres://oms:Sup3rSecret@db:5432/oms failed');
      },
    });
    registry.register({
      name: 'outbox_backlog',
      readiness: false,
      check: () => ({ up: true, details: { pending: 3, note: 'password=Sup3rSecret' } }),
    });

    const response = await fetch(testApp.url('/healthz'));
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, any>;

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(text).not.toContain('Sup3rSecret');
    // What runs: the app, its service name, the build and how long it has been up.
    expect(body).toMatchObject({
      app: 'ops-test',
      service: 'ops-test-eu',
      version: OMS_VERSION,
      commit: '0123abcd',
      uptimeSeconds: expect.any(Number),
    });
    expect(OMS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(body['uptimeSeconds']).toBeGreaterThanOrEqual(0);
    expect(body['details'].database).toEqual({
      status: 'down',
      readiness: true,
      message: 'connect to postgres://oms:***@db:5432/oms failed',
    });
    expect(body['details'].outbox_backlog).toEqual({ status: 'up', readiness: false, pending: 3, note: 'password=***' });
    expect(body['details'].event_loop.status).toBe('up');
  });

  it('answers unknown paths 404 and other methods 405', async () => {
    testApp = await startApp();

    expect((await fetch(testApp.url('/nope'))).status).toBe(404);
    expect((await fetch(testApp.url('/metrics'), { method: 'POST' })).status).toBe(405);
  });

  it('serves Prometheus text on /metrics with the process metrics', async () => {
    testApp = await startApp();

    const response = await fetch(testApp.url('/metrics'));
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    for (const name of REQUIRED_METRICS) expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    expect(text).toContain('# TYPE oms_outbox_pending_records gauge');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('reports the build as oms_build_info{version,commit} 1, commit "unknown" when OMS_BUILD_COMMIT is unset', async () => {
    testApp = await startApp();
    const unset = await (await fetch(testApp.url('/metrics'))).text();
    await testApp.app.close();
    testApp = await startApp({ OMS_BUILD_COMMIT: 'f00dfeed' });
    const set = await (await fetch(testApp.url('/metrics'))).text();

    expect(unset).toContain(`oms_build_info{version="${OMS_VERSION}",commit="unknown"} 1`);
    expect(set).toContain(`oms_build_info{version="${OMS_VERSION}",commit="f00dfeed"} 1`);
    expect(set.match(/^oms_build_info\{/gm)).toHaveLength(1);
  });
});

describe('graceful shutdown', () => {
  it('answers /readyz 503 as soon as shutdown begins, keeps the ops server up while modules drain, then exits 0', async () => {
    const entered = new Promise<void>((resolve) => (SlowDrain.entered = resolve));
    const testApp = await startApp({}, [SlowDrain]);
    const coordinator = testApp.app.get(ShutdownCoordinator);
    coordinator.attach(testApp.app, []);
    expect((await fetch(testApp.url('/readyz'))).status).toBe(200);

    const shutdown = coordinator.begin(testApp.app, 'SIGTERM');
    await entered;
    const during = await getJson(testApp.url('/readyz'));
    const livezDuring = await fetch(testApp.url('/livez'));
    SlowDrain.release();
    await shutdown;

    expect(during).toEqual({ status: 503, body: { status: 'shutting_down' } });
    expect(livezDuring.status).toBe(200);
    expect(testApp.exits).toEqual([0]);
    await expect(fetch(testApp.url('/livez'))).rejects.toThrow();
  });

  it('runs the shutdown once when the signal repeats', async () => {
    const testApp = await startApp();
    const coordinator = testApp.app.get(ShutdownCoordinator);

    await Promise.all([coordinator.begin(testApp.app), coordinator.begin(testApp.app)]);

    expect(testApp.exits).toEqual([0]);
  });

  it('forces exit 1 when draining exceeds OMS_SHUTDOWN_TIMEOUT', async () => {
    const entered = new Promise<void>((resolve) => (SlowDrain.entered = resolve));
    const testApp = await startApp({ OMS_SHUTDOWN_TIMEOUT: '50ms' }, [SlowDrain]);

    const shutdown = testApp.app.get(ShutdownCoordinator).begin(testApp.app);
    await entered;
    const code = await testApp.exited;
    SlowDrain.release();
    await shutdown;

    expect(code).toBe(1);
    expect(testApp.exits[0]).toBe(1);
  });

  it('shuts down when an attached signal arrives', async () => {
    const testApp = await startApp();
    // A stand-in for the process: a real SIGTERM would reach the test runner itself.
    const signals = new EventEmitter();
    testApp.app.get(ShutdownCoordinator).attach(testApp.app, ['SIGTERM', 'SIGINT'], signals);
    expect(signals.listenerCount('SIGTERM')).toBe(1);

    signals.emit('SIGTERM');
    const code = await testApp.exited;

    expect(code).toBe(0);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });
});
