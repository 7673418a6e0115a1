import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { problemOf } from '../errors/problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Every REST error leaves as RFC 9457 problem+json: domain errors with their code and
 * field violations, framework / parser errors (unknown route, malformed JSON, body too
 * large) with their 4xx, anything else as a generic 500 that is logged but never described.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const problem = problemOf(exception);
    if (problem.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const { httpAdapter } = this.adapterHost;
    const reply = host.switchToHttp().getResponse<unknown>();
    httpAdapter.setHeader(reply, 'content-type', PROBLEM_CONTENT_TYPE);
    httpAdapter.reply(reply, problem, problem.status);
  }
}
