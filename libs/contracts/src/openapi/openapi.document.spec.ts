import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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

interface ValidationResult {
  readonly valid: boolean;
  readonly version: string;
  readonly errors?: unknown;
}

/**
 * Validates with @seriousme/openapi-schema-validator (the official OpenAPI JSON schemas, 3.1 with
 * its JSON Schema 2020-12 dialect). It is an ES module and Jest runs CommonJS, so it runs in a
 * Node process of its own.
 */
function validateOpenApi(document: unknown): ValidationResult {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(input));
  process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors }));
});`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(__dirname, '../../../..'),
    input: JSON.stringify(document),
    encoding: 'utf8',
  });
  return JSON.parse(output) as ValidationResult;
}

describe('OpenAPI document', () => {
  const document = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT));

  it('is OpenAPI 3.1 with every REST operation of the contract', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((path) =>
      Object.values(path).map((operation) => operation.operationId),
    );
    expect(operations.sort()).toEqual([
      'AdminGetSaga',
      'AdminListDeadLetters',
      'AdminListSagas',
      'AdminReprocessDeadLetters',
      'AdminResolveSaga',
      'AdminRetrySaga',
      'CancelOrder',
      'CreateOrder',
      'GetApiDocsAsset',
      'GetApiDocsInitializer',
      'GetApiDocsPage',
      'GetOpenApiDocument',
      'GetOrder',
      'ListOrders',
      'PayOrder',
      'RefundOrder',
    ]);
  });

  it('validates against the OpenAPI 3.1 schema', () => {
    const result = validateOpenApi(document);
    expect(result).toEqual({ valid: true, version: '3.1' });
  });

  it('is refused by the validator when it breaks the schema (the check can fail)', () => {
    const broken = JSON.parse(JSON.stringify(document));
    broken.paths['/v1/orders'].get.responses['200'] = { content: {} }; // a response without its description
    const result = validateOpenApi(broken);
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result.errors)).toMatch(/description/);
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
