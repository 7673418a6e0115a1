import { isUnreachable, postgresConnectError } from './postgres-connect.error';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('isUnreachable: an outage to wait for, or a refusal to stop on', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['name not resolved', withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND')],
    ['connect timeout (pg, no code)', withCode('timeout exceeded when trying to connect')],
    ['connection cut (pg, no code)', withCode('Connection terminated unexpectedly')],
    ['server starting up', withCode('the database system is starting up', '57P03')],
    ['server shutting down', withCode('terminating connection due to administrator command', '57P01')],
  ])('%s: waits', (_name, error) => {
    expect(isUnreachable(error)).toBe(true);
    expect(isUnreachable(postgresConnectError(error, 'postgres://oms@db:5432/oms'))).toBe(true);
  });

  it.each([
    ['missing database', withCode('database "oms" does not exist', '3D000')],
    ['wrong password', withCode('password authentication failed for user "oms"', '28P01')],
    ['no pg_hba entry', withCode('no pg_hba.conf entry for host', '28000')],
  ])('%s: stops', (_name, error) => {
    expect(isUnreachable(error)).toBe(false);
    expect(isUnreachable(postgresConnectError(error, 'postgres://oms@db:5432/oms'))).toBe(false);
  });
});
