// Adapters to the partners (Inventory, Payment): gRPC clients and deterministic in-process partners.
export * from './grpc';
export * from './in-process';
export { PartnersModule, createPartners, inProcessInventoryOf, inProcessPaymentOf } from './partners.module';
