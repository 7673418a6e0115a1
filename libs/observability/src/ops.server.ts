import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { EventLoopMonitor } from './event-loop.monitor';
import { OmsMetrics } from './oms-metrics';
import { OpsHealthService, type HealthAnswer } from './ops-health.service';
import { hostPort, ListenAddresses } from './startup/listen-addresses';

/**
 * The ops endpoints on OMS_METRICS_ADDR, apart from the API listeners so probes and scrapes
 * keep answering while the API drains: /livez, /readyz, /healthz, /metrics. Opens at
 * bootstrap; its module is global, so Nest closes it after every other module's shutdown.
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly health: OpsHealthService,
    private readonly metrics: OmsMetrics,
    private readonly eventLoop: EventLoopMonitor,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Optional() private readonly addresses?: ListenAddresses,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Opens the listener (idempotent). */
  async listen(): Promise<void> {
    if (this.server) return;
    this.eventLoop.start();
    const server = createServer((request, response) => void this.handle(request, response));
    // Probes are short; keep-alive sockets must not hold shutdown open.
    server.keepAliveTimeout = 5_000;
    const { host, port } = this.config.metrics.addr;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = this.address();
    this.addresses?.record('ops', `http://${hostPort(bound.host, bound.port)}`);
  }

  /** The bound address (the real port when OMS_METRICS_ADDR asked for port 0). */
  address(): { host: string; port: number } {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('ops server is not listening');
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.eventLoop.stop();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
      }
      switch (path) {
        case '/livez':
          return json(response, await this.health.liveness());
        case '/readyz':
          return json(response, await this.health.readiness());
        case '/healthz':
          return json(response, await this.health.report());
        case '/metrics':
          return send(response, 200, this.metrics.contentType, await this.metrics.expose());
        default:
          return send(response, 404, 'text/plain; charset=utf-8', 'not found: /livez, /readyz, /healthz, /metrics\n');
      }
    } catch (error) {
      // A probe must never crash the process; a failing endpoint answers 500 and stays up.
      send(response, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).name}\n`);
    }
  }
}

function json(response: ServerResponse, answer: HealthAnswer): void {
  send(response, answer.httpStatus, 'application/json; charset=utf-8', `${JSON.stringify(answer.body)}\n`);
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
