export { GrpcInventoryClient } from './grpc-inventory.client';
export { GrpcPaymentClient } from './grpc-payment.client';
export { grpcInventoryOf, grpcPaymentOf } from './grpc-partners.factory';
export { PartnerCallError, TRANSIENT_GRPC_CODES, partnerCallErrorOf } from './grpc-partner.errors';
export {
  grpcChannelCredentials,
  grpcPartnerOptionsOf,
  type GrpcClientTls,
  type GrpcPartnerClientOptions,
} from './grpc-partner.options';
export {
  INVENTORY_SERVICE_NAME,
  PAYMENT_SERVICE_NAME,
  PARTNER_PROTO_OPTIONS,
  partnerClientConstructors,
  type PartnerClientConstructors,
} from './partner-protos';
export { GrpcPartnerChannel } from './grpc-partner.channel';
