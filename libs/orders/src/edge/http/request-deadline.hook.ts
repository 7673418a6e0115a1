import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemOfHttpStatus } from './problem';
import { PROBLEM_CONTENT_TYPE } from './problem.filter';

/**
 * OMS_HTTP_REQUEST_TIMEOUT for request bodies. Node enforces its requestTimeout only until
 * the head has arrived; a client that sends the head and then drips (or never sends) the
 * body would hold the connection and a handler forever. When the body is still incomplete
 * after the timeout, this answers 408 problem+json and closes the connection.
 */
@Injectable()
export class RequestDeadlineHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
  ) {}

  onModuleInit(): void {
    const timeoutMs = this.config.http.requestTimeoutMs;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!(timeoutMs > 0) || !fastify) return;
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!request.raw.complete) {
        const timer = setTimeout(() => answerTimeout(request, reply), timeoutMs);
        timer.unref();
        reply.raw.once('close', () => clearTimeout(timer));
      }
      done();
    });
  }
}

function answerTimeout(request: FastifyRequest, reply: FastifyReply): void {
  const socket = request.raw.socket;
  if (request.raw.complete || reply.raw.headersSent || socket.destroyed) return;
  const body = JSON.stringify(problemOfHttpStatus(408, 'The request body was not received completely within the request timeout.'));
  reply.raw.writeHead(408, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
  reply.raw.end(body, () => socket.destroy());
}
