/**
 * Infrastructure errors that mean "not now" rather than "never": the database is restarting,
 * refuses or dropped the connection. A driver throws them as they come (pg, TypeORM, Node
 * sockets); callers decide what "retry later" means: the API answers 503 / UNAVAILABLE so
 * clients retry with the same idempotency key, a consumer retries the message without counting
 * the failure towards dead-lettering (the message is not at fault).
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
  '53300', // too_many_connections
]);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
// pg's query_timeout ("Query read timeout") and pg-pool's wait for a connection: a silent path, not a bad query.
const LOST_CONNECTION = /Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect/i;

export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, driverError, cause } = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
  if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  // TypeORM wraps the driver's error; Node wraps causes.
  return isUnavailableError(driverError, depth + 1) || isUnavailableError(cause, depth + 1);
}
