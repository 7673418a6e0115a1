import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { INVENTORY_PROTO, PAYMENT_PROTO, protoPath, protoRoot } from '@oms/contracts';

export const INVENTORY_SERVICE_NAME = 'oms.partners.v1.InventoryService';
export const PAYMENT_SERVICE_NAME = 'oms.partners.v1.PaymentService';

/**
 * How the partner protos are loaded by the clients: field names as written in the .proto
 * (snake_case), int64 as decimal strings so amounts are never rounded, unset fields as their
 * proto3 defaults (an absent `reason` reads as '').
 */
export const PARTNER_PROTO_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface PartnerClientConstructors {
  readonly inventory: ServiceClientConstructor;
  readonly payment: ServiceClientConstructor;
}

let cached: PartnerClientConstructors | undefined;

/** The generated client constructors of oms.partners.v1 (loaded once per process). */
export function partnerClientConstructors(): PartnerClientConstructors {
  if (!cached) {
    const definition = loadSync([protoPath(INVENTORY_PROTO), protoPath(PAYMENT_PROTO)], {
      ...PARTNER_PROTO_OPTIONS,
      includeDirs: [protoRoot()],
    });
    const v1 = ((loadPackageDefinition(definition)['oms'] as GrpcObject)['partners'] as GrpcObject)['v1'] as GrpcObject;
    cached = {
      inventory: v1['InventoryService'] as ServiceClientConstructor,
      payment: v1['PaymentService'] as ServiceClientConstructor,
    };
  }
  return cached;
}
