import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { INVENTORY_PROTO, PAYMENT_PROTO, protoPath, protoRoot } from '@oms/contracts';

export const INVENTORY_SERVICE = 'oms.partners.v1.InventoryService';
export const PAYMENT_SERVICE = 'oms.partners.v1.PaymentService';

/**
 * oms.partners.v1 as the server reads it: snake_case field names as in the .proto, int64 as
 * decimal strings (amounts never rounded), unset fields as their proto3 defaults.
 */
export function partnerPackageDefinition(): PackageDefinition {
  return loadSync([protoPath(INVENTORY_PROTO), protoPath(PAYMENT_PROTO)], {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoRoot()],
  });
}
