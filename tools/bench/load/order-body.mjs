// The order every scenario places: two lines, EUR, well below the mocks' decline limit.

export function orderBody(customerId) {
  return {
    customerId,
    currency: 'EUR',
    items: [
      { sku: 'SKU-BENCH-1', qty: 2, price: { currency: 'EUR', amountMinor: '1250' } },
      { sku: 'SKU-BENCH-2', qty: 1, price: { currency: 'EUR', amountMinor: '4999' } },
    ],
  };
}

/** The same order in the gRPC message shape (proto-loader with keepCase: false). */
export function orderRequest(customerId) {
  return {
    customerId,
    currency: 'EUR',
    items: [
      { sku: 'SKU-BENCH-1', qty: 2, price: { currency: 'EUR', amountMinor: 1250 } },
      { sku: 'SKU-BENCH-2', qty: 1, price: { currency: 'EUR', amountMinor: 4999 } },
    ],
  };
}
