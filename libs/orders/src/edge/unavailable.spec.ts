import { status } from '@grpc/grpc-js';
import { toGrpcError } from './grpc/grpc-errors';
import { problemOf } from './http/problem';
import { isUnavailableError } from './unavailable';

/** What pg / TypeORM throw while PostgreSQL restarts: a SQLSTATE on the error or on its driverError. */
const shuttingDown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
const wrapped = Object.assign(new Error('QueryFailedError: the database system is shutting down'), {
  driverError: Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
});
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const terminated = new Error('Connection terminated unexpectedly');
const bug = Object.assign(new Error('SELECT * FROM orders_view failed: column "x" does not exist'), { code: '42703' });

describe('errors of an unavailable database', () => {
  it.each([
    ['admin shutdown (57P01)', shuttingDown],
    ['cannot connect now, wrapped by TypeORM (57P03)', wrapped],
    ['connection refused', refused],
    ['connection terminated', terminated],
  ])('%s answers 503 problem+json and gRPC UNAVAILABLE, without the driver message', (_name, error) => {
    expect(isUnavailableError(error)).toBe(true);
    const problem = problemOf(error);
    expect(problem.status).toBe(503);
    expect(problem.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(problem)).not.toMatch(/5432|administrator|shutting down|terminated/);
    const grpc = toGrpcError(error);
    expect(grpc.code).toBe(status.UNAVAILABLE);
    expect(grpc.details).not.toMatch(/5432|administrator|shutting down/);
  });

  it('keeps every other failure a generic 500 / INTERNAL that names nothing', () => {
    expect(isUnavailableError(bug)).toBe(false);
    expect(problemOf(bug).status).toBe(500);
    expect(JSON.stringify(problemOf(bug))).not.toContain('SELECT');
    expect(toGrpcError(bug).code).toBe(status.INTERNAL);
  });
});
