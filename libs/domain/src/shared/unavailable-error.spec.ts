import { isUnavailableError } from './unavailable-error';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isUnavailableError', () => {
  it.each([
    ['a SQLSTATE of a restarting server', coded('terminating connection due to administrator command', '57P01')],
    ['too many connections', coded('sorry, too many clients already', '53300')],
    ['a refused socket', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a lost connection named only in the message', new Error('Connection terminated unexpectedly')],
    ['a query on a silent connection (pg query_timeout)', new Error('Query read timeout')],
    ['no pooled connection in time (pg-pool)', new Error('timeout exceeded when trying to connect')],
    ['the driver error TypeORM wraps', Object.assign(new Error('QueryFailedError'), { driverError: coded('shutting down', '57P03') })],
    ['a cause', new Error('commit failed', { cause: coded('reset', 'ECONNRESET') })],
  ])('is true for %s', (_name, error) => {
    expect(isUnavailableError(error)).toBe(true);
  });

  it.each([
    ['a SQL error of the statement', coded('column "x" does not exist', '42703')],
    ['a unique violation', coded('duplicate key value', '23505')],
    ['a plain error', new Error('handler failed')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['a cause chain deeper than four', [1, 2, 3, 4].reduce<unknown>((cause) => new Error('wrapped', { cause }), coded('reset', 'ECONNRESET'))],
  ])('is false for %s', (_name, error) => {
    expect(isUnavailableError(error)).toBe(false);
  });
});
