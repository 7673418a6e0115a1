import 'reflect-metadata';
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { Logger, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, type OmsConfig } from '@oms/config';
import { ObservabilityModule } from '../observability.module';
import { runCommand, runService, type StartupIo } from './run-service';

/** Collects what runService writes: the failure line (stderr) and the JSON log lines (stdout). */
function capture() {
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const stdout = new PassThrough();
  const text = { err: '', out: '' };
  stderr.on('data', (chunk: Buffer) => (text.err += chunk.toString()));
  stdout.on('data', (chunk: Buffer) => (text.out += chunk.toString()));
  const exits: number[] = [];
  const io = (env: Record<string, string>): StartupIo => ({
    env,
    exit: (code) => void exits.push(code),
    report: { stream: stderr },
    logDestination: stdout,
  });
  const lines = (which: 'err' | 'out') =>
    text[which]
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { io, text, exits, lines };
}

const QUIET = { OMS_HTTP_ADDR: '127.0.0.1:0', OMS_GRPC_ADDR: '127.0.0.1:0', OMS_METRICS_ADDR: '127.0.0.1:0' };

afterEach(() => {
  // runService installs its start-up logger as Nest's; the next test starts from Nest's default.
  Logger.overrideLogger(false);
  Logger.overrideLogger(true);
});

describe('runService', () => {
  it('prints one problem list for three bad variables and exits 1 without starting anything', async () => {
    const out = capture();
    const start = jest.fn();

    await runService(
      { appName: 'order-api', start },
      out.io({ OMS_HTTP_ADDR: '8080', LOG_LEVEL: 'loud', OMS_OUTBOX_BATCH_SIZE: '0' }),
    );

    expect(out.exits).toEqual([1]);
    expect(start).not.toHaveBeenCalled();
    const [line, ...more] = out.lines('err');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'fatal', app: 'order-api' });
    expect(line['msg']).toMatch(/^order-api failed to start: invalid configuration \(3 problems\)/);
    expect((line['problems'] as string[]).map((problem) => problem.split(':')[0])).toEqual([
      'LOG_LEVEL',
      'OMS_HTTP_ADDR',
      'OMS_OUTBOX_BATCH_SIZE',
    ]);
    expect(out.text.err).not.toMatch(/\n\s+at /);
    expect(out.text.out).toBe('');
  });

  it('reports a provider that fails inside Nest once: no ExceptionHandler line, no stack, exit 1', async () => {
    const out = capture();
    @Module({ providers: [{ provide: 'DATABASE', useFactory: () => Promise.reject(new Error('cannot connect to PostgreSQL at db:5432/oms')) }] })
    class FailingModule {}

    await runService(
      {
        appName: 'order-api',
        start: (config: OmsConfig, logger) =>
          NestFactory.createApplicationContext(
            { module: FailingModule, imports: [ConfigModule.forRoot({ appName: 'order-api', config })] },
            { logger, abortOnError: false },
          ),
      },
      out.io(QUIET),
    );

    expect(out.exits).toEqual([1]);
    expect(out.lines('err')).toEqual([
      expect.objectContaining({ level: 'fatal', msg: 'order-api failed to start: cannot connect to PostgreSQL at db:5432/oms' }),
    ]);
    // Nest's own report of the same error and its progress lines are held back (debug only).
    expect(out.text.out).not.toContain('cannot connect');
    expect(out.text.out).not.toContain('ExceptionHandler');
    expect(out.text.err + out.text.out).not.toMatch(/\n\s+at /);
  });

  it('names the variable of a listener whose address is in use', async () => {
    const out = capture();
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      await runService(
        {
          appName: 'order-api',
          start: () =>
            new Promise<never>((_, reject) => {
              const second = createServer();
              second.once('error', reject);
              second.listen(port, '127.0.0.1');
            }),
        },
        out.io({ ...QUIET, OMS_HTTP_ADDR: `127.0.0.1:${port}` }),
      );
    } finally {
      taken.close();
    }

    expect(out.exits).toEqual([1]);
    expect(out.lines('err').map((line) => line['msg'])).toEqual([
      `order-api failed to start: OMS_HTTP_ADDR=127.0.0.1:${port}: the address is already in use by another process; stop it or choose another port`,
    ]);
  });

  it('once started, says in one line where it listens (the real port of port 0)', async () => {
    const out = capture();
    let app: INestApplicationContext | undefined;
    @Module({})
    class Empty {}

    await runService(
      {
        appName: 'saga-orchestrator',
        listeners: ['metrics'],
        async start(config: OmsConfig, logger) {
          app = await NestFactory.createApplicationContext(
            {
              module: Empty,
              imports: [
                ConfigModule.forRoot({ appName: 'saga-orchestrator', config }),
                ObservabilityModule.forRoot({ appName: 'saga-orchestrator', logDestination: out.io({}).logDestination, exit: () => undefined }),
              ],
            },
            { logger, abortOnError: false },
          );
          await app.init();
          return app;
        },
      },
      out.io({ OMS_METRICS_ADDR: '127.0.0.1:0' }),
    );
    try {
      expect(out.exits).toEqual([]);
      const ready = out.lines('out').filter((line) => String(line['msg']).includes(' ready: '));
      expect(ready).toHaveLength(1);
      const ops = (ready[0]?.['listening'] as { ops: string }).ops;
      expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ops).not.toMatch(/:0$/);
      expect(ready[0]?.['msg']).toBe(`saga-orchestrator ready: ops ${ops}`);
      expect(await fetch(`${ops}/livez`).then((response) => response.status)).toBe(200);
    } finally {
      await app?.close();
    }
  });

  it('writes readable text instead of JSON on a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await runService(
      { appName: 'outbox-relay', start: jest.fn() },
      { env: { LOG_LEVEL: 'loud', OMS_STORAGE_DRIVER: 'postgres' }, exit: () => undefined, report: { stream } },
    );
    expect(text).toBe(
      [
        'outbox-relay failed to start: invalid configuration (2 problems)',
        '  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        '  - OMS_POSTGRES_DSN: is required when OMS_STORAGE_DRIVER=postgres (set it or OMS_POSTGRES_DSN_FILE)',
        '',
      ].join('\n'),
    );
  });
});

describe('runCommand', () => {
  it('exits with the command\'s own status for bad configuration (the migrator: 2)', async () => {
    const out = capture();
    const run = jest.fn();
    await runCommand({ appName: 'migrator', configErrorExitCode: 2, run }, out.io({ OMS_STORAGE_DRIVER: 'postgres' }));
    expect(out.exits).toEqual([2]);
    expect(run).not.toHaveBeenCalled();
    expect(out.lines('err')).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^migrator failed to start: invalid configuration \(1 problem\): OMS_POSTGRES_DSN: is required/) }),
    ]);
  });

  it('sets the exit status the command returns', async () => {
    const out = capture();
    const before = process.exitCode;
    try {
      await runCommand({ appName: 'migrator', configErrorExitCode: 2, run: async () => 1 }, out.io({}));
      expect(process.exitCode).toBe(1);
      expect(out.exits).toEqual([]);
    } finally {
      process.exitCode = before;
    }
  });
});
