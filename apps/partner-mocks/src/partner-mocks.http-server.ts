import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { hostPort, ListenAddresses } from '@oms/observability';
import { parseFaultSettings } from './fault-settings.parser';
import { MockPartners } from './mock-partners';
import type { FieldViolation } from './partner-requests';

const MAX_BODY_BYTES = 16 * 1024;
const ROUTES = 'GET /stats, GET /faults, POST /faults, POST /reset';

class BadRequest extends Error {
  constructor(readonly violations: readonly FieldViolation[]) {
    super('bad request');
  }
}

/**
 * A small HTTP listener on OMS_HTTP_ADDR for tests and chaos tooling (the mocks have no other
 * HTTP API; the ops server on OMS_METRICS_ADDR serves probes and metrics only):
 * - `GET /stats`    effect counters (reservations, releases, held, charges, refunds, amounts),
 *                   the fault settings and per-method call outcomes, as JSON;
 * - `GET /faults`   the current `{ latencyMs, errorRate }`;
 * - `POST /faults`  change them at run time: `{ "latencyMs"?: 0..600000, "errorRate"?: 0..1 }`;
 * - `POST /reset`   forget every reservation, charge, remembered reply and count.
 * Errors are `application/problem+json` naming each invalid field.
 */
@Injectable()
export class PartnerMocksHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartnerMocksHttpServer.name);
  private server: Server | undefined;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly partners: MockPartners,
    @Optional() private readonly addresses?: ListenAddresses,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((request, response) => void this.handle(request, response));
    server.keepAliveTimeout = 5_000;
    const { host, port } = this.config.http.addr;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`partner stats listening on ${host}:${this.address().port} (${ROUTES})`);
    this.addresses?.record('stats', `http://${hostPort(host, this.address().port)}`);
  }

  /** The bound address (the real port when OMS_HTTP_ADDR asked for port 0). */
  address(): { host: string; port: number } {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('partner stats server is not listening');
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const route = `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`;
      switch (route) {
        case 'GET /stats':
          return send(response, 200, this.partners.stats());
        case 'GET /faults':
          return send(response, 200, this.partners.faults());
        case 'POST /faults': {
          const parsed = parseFaultSettings(await readJson(request));
          if (!parsed.ok) throw new BadRequest(parsed.violations);
          const faults = this.partners.setFaults(parsed.value);
          this.logger.warn(`fault settings changed: latencyMs=${faults.latencyMs} errorRate=${faults.errorRate}`);
          return send(response, 200, faults);
        }
        case 'POST /reset':
          this.partners.reset();
          this.logger.warn('partner state reset');
          return send(response, 200, this.partners.stats());
        default:
          return problem(response, 404, 'Not Found', `routes: ${ROUTES}`);
      }
    } catch (error) {
      if (error instanceof BadRequest) {
        return problem(response, 400, 'Bad Request', error.violations.map((v) => `${v.field}: ${v.reason}`).join('; '), {
          errors: error.violations,
        });
      }
      this.logger.error(`stats request failed: ${(error as Error).message}`);
      return problem(response, 500, 'Internal Server Error', 'the request could not be handled');
    }
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest([{ field: '(body)', reason: `must be at most ${MAX_BODY_BYTES} bytes` }]);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new BadRequest([{ field: '(body)', reason: 'must be valid JSON' }]);
  }
}

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}

function problem(response: ServerResponse, status: number, title: string, detail: string, extra: object = {}): void {
  send(response, status, { type: 'about:blank', title, status, detail, ...extra }, 'application/problem+json');
}
