import { postgresTestConfig, testConfig } from './config.testing';

describe('test config builders', () => {
  it('builds a validated default config', () => {
    const config = testConfig();
    expect(config.storage.driver).toBe('memory');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('builds a postgres config around a DSN, with overrides', () => {
    const config = postgresTestConfig('postgres://postgres@127.0.0.1:5432/oms_test_x', { OMS_OUTBOX_PARTITIONS: '4' });
    expect(config.storage.driver).toBe('postgres');
    expect(config.storage.postgres.dsn).toBe('postgres://postgres@127.0.0.1:5432/oms_test_x');
    expect(config.outbox.partitions).toBe(4);
  });

  it('rejects invalid variables like production does', () => {
    expect(() => testConfig({ OMS_OUTBOX_PARTITIONS: 'many' })).toThrow(/OMS_OUTBOX_PARTITIONS/);
  });
});
