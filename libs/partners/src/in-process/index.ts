export { InProcessInventory, type InventoryEffects } from './in-process-inventory';
export { InProcessPayment, type InProcessPaymentOptions, type PaymentEffects } from './in-process-payment';
export { PartnerFaults, type PartnerFaultOptions } from './partner-faults';
