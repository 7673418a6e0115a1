import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ProblemJson } from '@oms/contracts';
import { isDomainError } from '@oms/domain';
import type { FastifyInstance } from 'fastify';
import { problemOf, problemOfHttpStatus, statusOfHttpError } from './problem';
import { allowedMethodsOtherThan } from './method-not-allowed';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface RoutedRequest {
  readonly method: string;
  readonly url: string;
}

/**
 * Every REST error leaves as RFC 9457 problem+json: domain errors with their code and
 * field violations, framework / parser errors (unknown route, malformed JSON, body too
 * large) with their 4xx, a known path with another method as 405 with Allow, anything
 * else as a generic 500 that is logged but never described.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const reply = http.getResponse<unknown>();
    let problem: ProblemJson = problemOf(exception);
    if (problem.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    } else if (problem.status === 404 && !isDomainError(exception) && statusOfHttpError(exception) === 404) {
      const allowed = this.allowedMethods(http.getRequest<RoutedRequest>());
      if (allowed.length > 0) {
        problem = problemOfHttpStatus(405, `Allowed methods: ${allowed.join(', ')}.`);
        httpAdapter.setHeader(reply, 'allow', allowed.join(', '));
      }
    }
    if (problem.status === 503) httpAdapter.setHeader(reply, 'retry-after', '1');
    httpAdapter.setHeader(reply, 'content-type', PROBLEM_CONTENT_TYPE);
    httpAdapter.reply(reply, problem, problem.status);
  }

  private allowedMethods(request: RoutedRequest | undefined): string[] {
    const router = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!request || typeof request.url !== 'string' || typeof router?.findRoute !== 'function') return [];
    return allowedMethodsOtherThan(router, request);
  }
}
