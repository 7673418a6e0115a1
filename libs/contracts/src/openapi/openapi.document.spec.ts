import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ORDER_STATUS_ENUM } from '../api/order-api.types';
import { OPENAPI_DOCUMENT } from './openapi.document';

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => collectRefs(child, refs));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else collectRefs(value, refs);
    }
  }
  return refs;
}

describe('OpenAPI document', () => {
  const document = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT));

  it('is OpenAPI 3.1 with every REST operation of the contract', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((path) =>
      Object.values(path).map((operation) => operation.operationId),
    );
    expect(operations.sort()).toEqual(['CancelOrder', 'CreateOrder', 'GetOrder', 'ListOrders', 'PayOrder', 'RefundOrder']);
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      expect([ref, document.components.schemas[name] !== undefined]).toEqual([ref, true]);
    }
  });

  it('describes responses in the proto3 JSON mapping (int64 as strings, enums by name) and problems', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(document.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    const validOrder = {
      id: 'o1',
      customerId: 'c1',
      status: 'ORDER_STATUS_CONFIRMED',
      amount: { currency: 'EUR', amountMinor: '4498' },
      items: [{ sku: 'A', qty: 2, price: { currency: 'EUR', amountMinor: '2249' } }],
      version: '4',
      currency: 'EUR',
    };
    const validate = (name: string, value: unknown) => ajv.validate(`#/components/schemas/${name}`, value);
    expect(validate('Order', validOrder)).toBe(true);
    expect(validate('Order', { ...validOrder, status: 'CONFIRMED' })).toBe(false);
    expect(validate('OrderStatus', ORDER_STATUS_ENUM[4])).toBe(true);
    expect(validate('Problem', { type: 'about:blank', title: 't', status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'f', message: 'm' }] })).toBe(true);
    expect(validate('CreateOrderRequest', { customerId: 'c', items: [{ sku: 'A', qty: 0, price: { currency: 'EUR', amountMinor: '1' } }] })).toBe(false);
  });
});
