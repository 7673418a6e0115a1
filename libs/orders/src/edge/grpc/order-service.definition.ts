import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ORDER_SERVICE_PROTO, protoPath, protoRoot } from '@oms/contracts';

/**
 * How `oms.v1` is loaded on both sides: lowerCamelCase fields, int64 as decimal strings
 * (never rounded), enums by name, unset fields as their defaults — the proto3 JSON shape the
 * REST API uses, so both transports share one validator and one response body.
 */
export const ORDER_PROTO_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cached: PackageDefinition | undefined;

export function orderServicePackageDefinition(): PackageDefinition {
  cached ??= loadSync(protoPath(ORDER_SERVICE_PROTO), { ...ORDER_PROTO_OPTIONS, includeDirs: [protoRoot()] });
  return cached;
}

/** The generated client constructor of oms.v1.OrderService (tests, tools). */
export function orderServiceClientConstructor(): ServiceClientConstructor {
  const root = loadPackageDefinition(orderServicePackageDefinition());
  const v1 = (root['oms'] as GrpcObject)['v1'] as GrpcObject;
  return v1['OrderService'] as ServiceClientConstructor;
}
