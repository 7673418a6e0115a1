import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemOfHttpStatus } from '../http/problem';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.filter';
import { clientKeyOfAddress } from './client-key';
import { retryAfterSeconds, ClientRateLimit } from './client-rate-limit';

/**
 * The per-client rate limit of REST, as a Fastify onRequest hook: it runs before routing
 * and body parsing, so a client over its budget costs the server almost nothing and gets
 * 429 problem+json with Retry-After, on known and unknown routes alike.
 */
@Injectable()
export class RestRateLimitHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly rateLimit: ClientRateLimit,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.rateLimit.enabled || !fastify) return;
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const decision = this.rateLimit.take(clientKeyOfAddress(request.ip));
      if (decision.allowed) return done();
      const seconds = retryAfterSeconds(decision.retryAfterMs);
      const problem = problemOfHttpStatus(429, `Rate limit exceeded; retry after ${seconds} s.`);
      void reply.code(429).header('retry-after', String(seconds)).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
    });
  }
}
