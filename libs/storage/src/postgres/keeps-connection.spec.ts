import { DatabaseError } from 'pg';
import { keepsConnection } from './postgres-database';

/** An error as the server sends it (pg's DatabaseError). */
function serverError(code: string, severity = 'ERROR'): DatabaseError {
  const error = new DatabaseError('failed', 0, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

describe('keepsConnection', () => {
  it.each([
    ['a unique violation', '23505'],
    ['a commit conflict of the one-statement commit', 'OMS01'],
    ['a serialization failure', '40001'],
    ['a statement timeout (the server cancelled the statement)', '57014'],
    ['a check violation', '23514'],
  ])('keeps the connection after %s', (_what, code) => {
    expect(keepsConnection(serverError(code))).toBe(true);
  });

  it('decides on the SQLSTATE, whatever language the server reports its severity in', () => {
    expect(keepsConnection(serverError('23505', 'FEHLER'))).toBe(true);
    expect(keepsConnection(serverError('57P01', 'FATAL'))).toBe(false);
    expect(keepsConnection(serverError('57P01', 'SCHWERWIEGEND'))).toBe(false);
  });

  it.each([
    ['the server shutting down (FATAL 57P01)', serverError('57P01', 'FATAL')],
    ['a FATAL error of any class', serverError('28000', 'FATAL')],
    ['a connection exception (08006)', serverError('08006')],
    ['an internal error (XX000)', serverError('XX000')],
    ['a prepared statement whose result type a migration changed (0A000)', serverError('0A000')],
    ['a prepared statement the server does not know (26000)', serverError('26000')],
    ['a statement that left an aborted transaction open (25P02)', serverError('25P02')],
    ['a PANIC', serverError('XX000', 'PANIC')],
    ['a socket error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ["pg's client-side query timeout", new Error('Query read timeout')],
    ['something that is not an error', 'lost'],
  ])('drops the connection after %s', (_what, error) => {
    expect(keepsConnection(error)).toBe(false);
  });
});
