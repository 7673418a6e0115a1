import { PassThrough } from 'node:stream';
import { loadConfig } from '@oms/config';
import { createOmsLogger } from './oms.logger';

function capture(): { stream: PassThrough; lines: () => Record<string, any>[]; raw: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return {
    stream,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>),
  };
}

const KEY = '-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdr\n-----END PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----';

describe('createOmsLogger', () => {
  const config = loadConfig(
    {
      LOG_LEVEL: 'debug',
      OMS_STORAGE_DRIVER: 'postgres',
      OMS_POSTGRES_DSN: 'postgres://oms:Hunter2Secret@db:5432/oms',
      OMS_GRPC_TLS_CERT: CERT,
      OMS_GRPC_TLS_KEY: KEY,
    },
    { appName: 'order-api' },
  );

  it('writes JSON lines with level word, service, app and ISO time', () => {
    const out = capture();
    createOmsLogger(config, 'order-api', out.stream).info({ orderId: 'o-1' }, 'order placed');

    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', name: 'order-api', app: 'order-api', orderId: 'o-1', msg: 'order placed' });
    expect(new Date(line?.['time'] as string).toISOString()).toBe(line?.['time']);
  });

  it('honours LOG_LEVEL', () => {
    const out = capture();
    const logger = createOmsLogger(loadConfig({ LOG_LEVEL: 'warn' }), 'relay', out.stream);
    logger.info('hidden');
    logger.warn('shown');

    expect(out.lines().map((line) => line['msg'])).toEqual(['shown']);
  });

  it('never writes DSN passwords, TLS keys or authorization headers', () => {
    const out = capture();
    const logger = createOmsLogger(config, 'order-api', out.stream);

    logger.info({ dsn: config.storage.postgres.dsn, db: { password: 'Hunter2Secret' } }, 'connecting');
    logger.warn(`retrying ${config.storage.postgres.dsn}`);
    logger.error({ err: new Error(`tls setup failed: ${KEY}`) }, 'boom');
    logger.info({ req: { headers: { authorization: 'Bearer tok3n-value' } } }, 'request');
    logger.debug({ config: { grpc: { tls: { key: KEY } } } }, 'config');

    const raw = out.raw();
    expect(out.lines()).toHaveLength(5);
    expect(raw).not.toContain('Hunter2Secret');
    expect(raw).not.toContain('TUlJRXZRSUJBREFOQmdr');
    expect(raw).not.toContain('tok3n-value');
    expect(raw).toContain('postgres://oms:***@db:5432/oms');
  });
});
