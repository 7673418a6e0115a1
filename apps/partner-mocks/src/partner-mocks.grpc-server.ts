import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type ListenAddress, type OmsConfig } from '@oms/config';
import { HealthRegistry, ListenAddresses } from '@oms/observability';
import { HealthImplementation } from 'grpc-health-check';
import { MockPartners } from './mock-partners';
import { INVENTORY_SERVICE, PAYMENT_SERVICE, partnerPackageDefinition } from './partner-protos';
import { inventoryService, paymentService } from './partner-services.grpc';

/** `host:port` to bind; IPv6 hosts in brackets. */
export function grpcBindAddress(addr: ListenAddress): string {
  const host = addr.host === '' ? '0.0.0.0' : addr.host;
  return `${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
}

/** Plaintext, TLS (cert + key) or mutual TLS (plus a client CA), from OMS_GRPC_TLS_*. */
function serverCredentials(tls: OmsConfig['grpc']['tls']): ServerCredentials {
  if (!tls.cert || !tls.key) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ? Buffer.from(tls.clientCa) : null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    Boolean(tls.clientCa),
  );
}

/**
 * Serves oms.partners.v1 InventoryService and PaymentService, grpc.health.v1.Health and
 * server reflection on OMS_GRPC_ADDR. Opens at bootstrap; on shutdown reports NOT_SERVING,
 * lets calls in flight finish and forces the rest after OMS_SHUTDOWN_TIMEOUT.
 */
@Injectable()
export class PartnerMocksGrpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PartnerMocksGrpcServer.name);
  private server: Server | undefined;
  private health: HealthImplementation | undefined;
  private boundPort = 0;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly partners: MockPartners,
    healthRegistry: HealthRegistry,
    @Optional() private readonly addresses?: ListenAddresses,
  ) {
    healthRegistry.register({
      name: 'grpc_server',
      readiness: true,
      check: () => ({ up: this.server !== undefined, details: { port: this.boundPort } }),
    });
  }

  /** The port actually bound (OMS_GRPC_ADDR may ask for port 0); 0 before start. */
  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<number> {
    if (this.server) return this.boundPort;
    const definition = partnerPackageDefinition();
    const server = new Server();
    server.addService(definition[INVENTORY_SERVICE] as ServiceDefinition, inventoryService(this.partners));
    server.addService(definition[PAYMENT_SERVICE] as ServiceDefinition, paymentService(this.partners));
    const health = new HealthImplementation({ '': 'SERVING', [INVENTORY_SERVICE]: 'SERVING', [PAYMENT_SERVICE]: 'SERVING' });
    health.addToServer(server);
    new ReflectionService(definition).addToServer(server);
    const address = grpcBindAddress(this.config.grpc.addr);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, serverCredentials(this.config.grpc.tls), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    this.health = health;
    this.logger.log(`gRPC partner mocks listening on ${address.replace(/:\d+$/, `:${this.boundPort}`)}`);
    this.addresses?.record('grpc', address.replace(/:\d+$/, `:${this.boundPort}`));
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const service of ['', INVENTORY_SERVICE, PAYMENT_SERVICE]) this.health?.setStatus(service, 'NOT_SERVING');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.logger.warn(`gRPC calls still running after ${this.config.shutdownTimeoutMs} ms: forcing shutdown`);
        server.forceShutdown();
        resolve();
      }, this.config.shutdownTimeoutMs);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
