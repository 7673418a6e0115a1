import { Server, type ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ServerGrpc } from '@nestjs/microservices';
import type { OmsConfig } from '@oms/config';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';
import type { HealthRegistry } from '../health.registry';
import { grpcBindAddress, grpcCredentials, packagesOf, serviceNamesOf } from './grpc-server.options';
import { MalformedMessage, malformedMessageError, tolerantPackageDefinition } from './malformed-message';

export interface GrpcServerHostOptions {
  /** The services to serve (as @grpc/proto-loader loads them); their @GrpcMethod controllers implement them. */
  readonly packageDefinition: PackageDefinition;
}

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

let healthDefinition: PackageDefinition | undefined;

/** Reflection describes the health service too, so `grpcurl ... grpc.health.v1.Health/Check` needs no .proto either. */
function withHealthDescriptors(definition: PackageDefinition): PackageDefinition {
  healthDefinition ??= loadSync(healthProtoPath);
  return { ...healthDefinition, ...definition };
}

/**
 * The gRPC server of every OMS app: Nest's gRPC transport (handlers are @GrpcMethod
 * controllers) with what OMS needs around it, from config:
 * - OMS_GRPC_ADDR, and the port actually bound (`port`, for OMS_GRPC_ADDR with port 0), logged once listening;
 * - TLS or mutual TLS from OMS_GRPC_TLS_* as the transport's credentials;
 * - grpc.health.v1.Health and server reflection beside the app's services (grpcurl needs no .proto);
 * - request bytes that do not decode answered INVALID_ARGUMENT instead of grpc-js's INTERNAL;
 * - on shutdown: NOT_SERVING, calls in flight finish (tryShutdown), the rest are cut after OMS_SHUTDOWN_TIMEOUT.
 *
 * Nest's own ServerGrpc binds without keeping the port and, on close, either waits for calls
 * without a bound or cuts them at once; this subclass changes those two points and the decoding.
 */
export class GrpcServerHost extends ServerGrpc implements BeforeApplicationShutdown {
  private readonly log = new Logger('GrpcServer');
  private readonly health: HealthImplementation;
  private readonly healthNames: readonly string[];
  private readonly credentials: ServerCredentials;
  private boundPort = 0;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: OmsConfig,
    options: GrpcServerHostOptions,
    readiness?: HealthRegistry,
  ) {
    const services = serviceNamesOf(options.packageDefinition);
    const healthNames = ['', ...services];
    const health = new HealthImplementation(Object.fromEntries(healthNames.map((name): [string, ServingStatus] => [name, 'SERVING'])));
    const credentials = grpcCredentials(config.grpc.tls);
    super({
      url: grpcBindAddress(config.grpc.addr),
      credentials,
      package: packagesOf(services),
      packageDefinition: tolerantPackageDefinition(options.packageDefinition),
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        health.addToServer(server);
        new ReflectionService(withHealthDescriptors(definition)).addToServer(server);
      },
    });
    this.health = health;
    this.healthNames = healthNames;
    this.credentials = credentials;
    readiness?.register({
      name: 'grpc_server',
      readiness: true,
      check: () => ({ up: this.boundPort > 0 && this.stopping === undefined, details: { port: this.boundPort } }),
    });
  }

  /** The port bound (the real one when OMS_GRPC_ADDR asks for port 0); 0 before listening. */
  get port(): number {
    return this.boundPort;
  }

  override async listen(callback: (error?: unknown, ...rest: unknown[]) => void): Promise<void> {
    await super.listen((error?: unknown, ...rest: unknown[]) => {
      if (!error) this.log.log(`gRPC listening on ${this.url.replace(/:\d+$/, `:${this.boundPort}`)}`);
      callback(error, ...rest);
    });
  }

  /** Binds as ServerGrpc does, with the transport's credentials, but keeps the bound port. */
  override async createClient(): Promise<Server> {
    const server = new Server();
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.url, this.credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    return server;
  }

  /** Requests that did not decode (see tolerantPackageDefinition) never reach the handler. */
  override createUnaryServiceMethod(methodHandler: (...args: unknown[]) => unknown): UnaryHandler {
    const serve = super.createUnaryServiceMethod(methodHandler) as UnaryHandler;
    const method = methodHandler.name; // ServerGrpc names each handler after its RPC
    return (call, callback) => {
      if (call.request instanceof MalformedMessage) return callback(malformedMessageError(method));
      return serve(call, callback);
    };
  }

  /** Starts draining as soon as the app begins to shut down, while the HTTP server drains too. */
  beforeApplicationShutdown(): void {
    void this.drain();
  }

  override async close(): Promise<void> {
    await this.drain();
  }

  private drain(): Promise<void> {
    this.stopping ??= this.stopServing();
    return this.stopping;
  }

  private async stopServing(): Promise<void> {
    const server = this.grpcClient as Server | null | undefined;
    if (!server) return;
    for (const name of this.healthNames) this.health.setStatus(name, 'NOT_SERVING');
    const timeoutMs = this.config.shutdownTimeoutMs;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.log.warn(`gRPC calls still running after ${timeoutMs} ms: forcing shutdown`);
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.grpcClient = null;
  }
}
