export { GrpcServerHost, type GrpcServerHostOptions } from './grpc-server.host';
export { GrpcServerModule, GRPC_SERVER_TRANSPORT, connectGrpcServer } from './grpc-server.module';
export { grpcBindAddress, grpcCredentials } from './grpc-server.options';
export { ERROR_CODE_METADATA } from './malformed-message';
