import { PassThrough } from 'node:stream';
import pino from 'pino';
import { StartupLogger } from './startup-logger';

function logger(level: pino.Level = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line))));
  const startup = new StartupLogger(pino({ level, formatters: { level: (label) => ({ level: label }) } }, stream));
  const flushed = () => new Promise((done) => setImmediate(done)).then(() => lines.map(({ level: l, msg, context }) => [l, msg, context]));
  return { startup, flushed };
}

describe('StartupLogger', () => {
  it('writes warnings at once and holds the rest until the start succeeds, then writes it in order', async () => {
    const { startup, flushed } = logger();
    startup.log('Starting Nest application...', 'NestFactory');
    startup.warn('database schema is behind this build', 'StorageModule');
    startup.error('listen EADDRINUSE', 'NestApplication');
    startup.warn('Connection error: connect ECONNREFUSED', 'Kafka');
    expect(await flushed()).toEqual([['warn', 'database schema is behind this build', 'StorageModule']]);

    startup.release();
    expect(await flushed()).toEqual([
      ['warn', 'database schema is behind this build', 'StorageModule'],
      ['info', 'Starting Nest application...', 'NestFactory'],
      ['error', 'listen EADDRINUSE', 'NestApplication'],
      ['warn', 'Connection error: connect ECONNREFUSED', 'Kafka'],
    ]);
  });

  it('writes what it held only at debug level when the start failed', async () => {
    const quiet = logger('info');
    quiet.startup.error(new Error('boom'), undefined, 'ExceptionHandler');
    quiet.startup.discard();
    expect(await quiet.flushed()).toEqual([]);

    const verbose = logger('debug');
    verbose.startup.error(new Error('boom'), undefined, 'ExceptionHandler');
    verbose.startup.discard();
    expect(await verbose.flushed()).toEqual([['debug', 'boom', 'ExceptionHandler']]);
  });
});
