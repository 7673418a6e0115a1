import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import type { AsyncMicroserviceOptions, CustomStrategy } from '@nestjs/microservices';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { HealthRegistry } from '../health.registry';
import { GrpcServerHost, type GrpcServerHostOptions } from './grpc-server.host';

/**
 * Provides the app's GrpcServerHost (a Nest microservice strategy) for the services given;
 * the app then serves it: `connectGrpcServer(app)` beside REST, or
 * `NestFactory.createMicroservice(AppModule, GRPC_SERVER_TRANSPORT)` for a gRPC-only app.
 * Needs OMS_CONFIG and the ObservabilityModule (its readiness check is `grpc_server`).
 */
@Module({})
export class GrpcServerModule {
  static forRoot(options: GrpcServerHostOptions): DynamicModule {
    return {
      module: GrpcServerModule,
      providers: [
        {
          provide: GrpcServerHost,
          inject: [OMS_CONFIG, HealthRegistry],
          useFactory: (config: OmsConfig, readiness: HealthRegistry) => new GrpcServerHost(config, options, readiness),
        },
      ],
      exports: [GrpcServerHost],
    };
  }
}

/** A REST app also serves gRPC: start it with `app.startAllMicroservices()` once the app is initialised. */
export function connectGrpcServer(app: INestApplication): GrpcServerHost {
  const host = app.get(GrpcServerHost);
  app.connectMicroservice<CustomStrategy>({ strategy: host });
  return host;
}

/** Options of `NestFactory.createMicroservice` for an app that serves only gRPC, through its GrpcServerHost. */
export const GRPC_SERVER_TRANSPORT: AsyncMicroserviceOptions = {
  inject: [GrpcServerHost],
  useFactory: (strategy: GrpcServerHost): CustomStrategy => ({ strategy }),
};
