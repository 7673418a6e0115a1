import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type ListenAddress, type OmsConfig } from '@oms/config';
import { ORDER_SERVICE_NAME } from '@oms/contracts';
import { ListenAddresses } from '@oms/observability';
import { HealthImplementation } from 'grpc-health-check';
import { tolerantServiceDefinition } from '../validation/grpc-malformed-message';
import { orderServicePackageDefinition } from './order-service.definition';
import { OrderGrpcService } from './order-grpc.service';

export function grpcBindAddress(addr: ListenAddress): string {
  const host = addr.host === '' ? '0.0.0.0' : addr.host;
  return `${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
}

/** Server credentials from config: plaintext, TLS (cert + key) or mutual TLS (plus client CA). */
export function grpcCredentials(tls: OmsConfig['grpc']['tls']): ServerCredentials {
  if (!tls.cert || !tls.key) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ? Buffer.from(tls.clientCa) : null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    Boolean(tls.clientCa),
  );
}

/**
 * Hosts oms.v1.OrderService plus grpc.health.v1.Health and server reflection (so grpcurl
 * works without the .proto) on config.grpc.addr. Starts when the application has
 * bootstrapped; on shutdown it reports NOT_SERVING, lets in-flight calls finish
 * (tryShutdown) and forces the rest after config.shutdownTimeoutMs.
 */
@Injectable()
export class GrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GrpcServerHost.name);
  private server?: Server;
  private health?: HealthImplementation;
  private boundPort = 0;

  constructor(
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    private readonly orders: OrderGrpcService,
    @Optional() private readonly addresses?: ListenAddresses,
  ) {}

  /** The port actually bound (useful with port 0); 0 before start. */
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
    const definition = orderServicePackageDefinition();
    const server = new Server();
    server.addService(tolerantServiceDefinition(definition[ORDER_SERVICE_NAME] as never), this.orders.implementation());
    this.health = new HealthImplementation({ '': 'SERVING', [ORDER_SERVICE_NAME]: 'SERVING' });
    this.health.addToServer(server);
    new ReflectionService(definition).addToServer(server);
    const address = grpcBindAddress(this.config.grpc.addr);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpcCredentials(this.config.grpc.tls), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    this.logger.log(`gRPC listening on ${address.replace(/:\d+$/, `:${this.boundPort}`)}`);
    this.addresses?.record('grpc', address.replace(/:\d+$/, `:${this.boundPort}`));
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.health?.setStatus('', 'NOT_SERVING');
    this.health?.setStatus(ORDER_SERVICE_NAME, 'NOT_SERVING');
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
