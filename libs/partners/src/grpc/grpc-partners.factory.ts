import type { OmsConfig } from '@oms/config';
import { GrpcInventoryClient } from './grpc-inventory.client';
import { GrpcPaymentClient } from './grpc-payment.client';
import { grpcPartnerOptionsOf } from './grpc-partner.options';

/** InventoryPort over gRPC at config.partners.inventoryAddr (OMS_PARTNER_DRIVER=grpc). */
export const grpcInventoryOf = (config: OmsConfig): GrpcInventoryClient =>
  new GrpcInventoryClient(grpcPartnerOptionsOf(config, 'inventory'));

/** PaymentPort over gRPC at config.partners.paymentAddr (OMS_PARTNER_DRIVER=grpc). */
export const grpcPaymentOf = (config: OmsConfig): GrpcPaymentClient =>
  new GrpcPaymentClient(grpcPartnerOptionsOf(config, 'payment'));
