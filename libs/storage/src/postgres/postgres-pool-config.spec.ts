import { postgresTestConfig } from '@oms/testing';
import { postgresSettingsOf } from './data-source';
import { postgresPoolConfig } from './postgres-database';

const DSN = 'postgres://oms@127.0.0.1:5432/oms';

describe('postgresPoolConfig', () => {
  it("hands pg.Pool the idle timeout as set: 10 minutes by default, 0 as never, absent as pg's own", () => {
    const idleOf = (env: Record<string, string>) => postgresPoolConfig(postgresSettingsOf(postgresTestConfig(DSN, env))).idleTimeoutMillis;
    expect(idleOf({})).toBe(600_000);
    expect(idleOf({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: '0' })).toBe(0); // pg-pool starts no idle timer for 0
    expect(idleOf({ OMS_POSTGRES_POOL_IDLE_TIMEOUT: '90s' })).toBe(90_000);
    expect('idleTimeoutMillis' in postgresPoolConfig({ dsn: DSN, poolMax: 2, statementTimeoutMs: 0 })).toBe(false);
  });
});
