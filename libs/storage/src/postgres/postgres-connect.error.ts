import { redactSecrets } from '@oms/config';
import { pgErrorOf } from './postgres-database';

/** The first connection to PostgreSQL failed: says where, why, and what to do, without the password. */
export class PostgresConnectError extends Error {
  override readonly name = 'PostgresConnectError';

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/** Where a DSN points, for messages: `host:port/database` of a URL, else nothing. */
function targetOf(dsn: string): { host: string; port: string; database: string; user: string } | undefined {
  if (!/^postgres(ql)?:\/\//i.test(dsn)) return undefined;
  try {
    const url = new URL(dsn);
    return {
      host: url.hostname || 'localhost',
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
      user: decodeURIComponent(url.username) || 'postgres',
    };
  } catch {
    return undefined;
  }
}

export function postgresConnectError(error: unknown, dsn: string): PostgresConnectError {
  const target = targetOf(dsn);
  const where = target ? `PostgreSQL at ${target.host}:${target.port}/${target.database}` : 'PostgreSQL';
  const reason = redactSecrets(error instanceof Error ? error.message : String(error), [dsn]);
  const { code } = pgErrorOf(error);
  if (code === '3D000' && target) {
    return new PostgresConnectError(
      `${where} (OMS_POSTGRES_DSN): ${reason}; create it first: createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}`,
      error,
    );
  }
  return new PostgresConnectError(`cannot connect to ${where} (OMS_POSTGRES_DSN): ${reason}`, error);
}

/** SQLSTATEs of a server that is shutting down or starting up: it will answer again. */
const TRANSIENT_SERVER_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Whether a failed connection is an outage that may pass (refused, timed out, reset, name not
 * resolved, server starting or stopping) rather than a refusal that will not (wrong password,
 * missing database): a start-up waits for the first, not ready, and stops on the second.
 */
export function isUnreachable(error: unknown): boolean {
  const cause = error instanceof PostgresConnectError ? error.cause : error;
  const { code } = pgErrorOf(cause);
  if (code === undefined) return true; // pg's own "timeout exceeded", "Connection terminated unexpectedly"
  return TRANSIENT_SERVER_STATES.has(code) || /^E[A-Z_]+$/.test(code);
}
