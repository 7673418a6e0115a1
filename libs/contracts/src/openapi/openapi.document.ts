import { API_LIMITS, ORDER_STATUS_ENUM } from '../api/order-api.types';

/**
 * OpenAPI 3.1 description of the REST mirror of `oms.v1.OrderService` (proto3 JSON
 * mapping, as grpc-gateway renders it). Served by order-api at /openapi.json.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });

const orderIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: `Order id (at most ${API_LIMITS.idMaxLength} characters).`,
  schema: { type: 'string', minLength: 1, maxLength: API_LIMITS.idMaxLength },
};
const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'Required on every mutation: 1..255 printable ASCII characters. Retrying with the same key and the same ' +
    'request replays the first response (status and body); the same key with another request is 422; ' +
    'a retry while the first request is still running is 409. Keys are kept for 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: API_LIMITS.idempotencyKeyMaxLength, pattern: '^[\\x20-\\x7E]+$' },
};
const mutationErrors = {
  '400': problem('Invalid input or missing Idempotency-Key; `errors` names every invalid field.'),
  '404': problem('No such order.'),
  '409': problem('The order is not in a state that allows this, a concurrent change won, or the key is in flight.'),
  '422': problem('The Idempotency-Key was already used with a different request.'),
  '413': problem('Body larger than the configured limit.'),
  '500': problem('Unexpected error (no details are exposed).'),
};
const statusAnswer = json('Accepted: the saga finishes the work asynchronously; poll GET /v1/orders/{id}.', ref('OrderStatusResponse'));

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'OMS Order API',
    version: '1.0.0',
    description:
      'REST mirror of gRPC `oms.v1.OrderService`. Bodies follow the proto3 JSON mapping: lowerCamelCase names ' +
      '(snake_case accepted on input), int64 as strings (numbers accepted on input up to 2^53-1), enums by name. ' +
      'Errors are RFC 9457 `application/problem+json`.',
  },
  servers: [{ url: '/' }],
  tags: [{ name: 'orders' }],
  paths: {
    '/v1/orders': {
      post: {
        tags: ['orders'],
        operationId: 'CreateOrder',
        summary: 'Place an order (status PENDING).',
        parameters: [idempotencyKeyParameter],
        requestBody: { required: true, content: { 'application/json': { schema: ref('CreateOrderRequest') } } },
        responses: { '201': json('Created.', ref('CreateOrderResponse')), ...mutationErrors },
      },
      get: {
        tags: ['orders'],
        operationId: 'ListOrders',
        summary: 'Orders of one customer, newest first, paged with an opaque token.',
        parameters: [
          { name: 'customerId', in: 'query', required: true, schema: { type: 'string', maxLength: API_LIMITS.idMaxLength } },
          {
            name: 'pageSize',
            in: 'query',
            description: `Default ${API_LIMITS.defaultPageSize}, maximum ${API_LIMITS.maxPageSize}.`,
            schema: { type: 'integer', minimum: 0, maximum: API_LIMITS.maxPageSize, default: API_LIMITS.defaultPageSize },
          },
          { name: 'pageToken', in: 'query', description: 'nextPageToken of the previous page.', schema: { type: 'string' } },
          {
            name: 'filterStatuses',
            in: 'query',
            description: 'Repeat the parameter or separate names with commas.',
            style: 'form',
            explode: true,
            schema: { type: 'array', items: ref('OrderStatus') },
          },
        ],
        responses: {
          '200': json('A page of orders.', ref('ListOrdersResponse')),
          '400': problem('Invalid query; `errors` names every invalid parameter.'),
          '500': problem('Unexpected error.'),
        },
      },
    },
    '/v1/orders/{id}': {
      get: {
        tags: ['orders'],
        operationId: 'GetOrder',
        summary: 'An order and its timeline (every event in order).',
        parameters: [orderIdParameter],
        responses: {
          '200': json('The order.', ref('GetOrderResponse')),
          '400': problem('Invalid id.'),
          '404': problem('No such order.'),
          '500': problem('Unexpected error.'),
        },
      },
    },
    '/v1/orders/{id}/pay': {
      post: {
        tags: ['orders'],
        operationId: 'PayOrder',
        summary: 'Start fulfilment: reserve stock, charge, confirm.',
        parameters: [orderIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false } } } },
        responses: { '202': statusAnswer, ...mutationErrors },
      },
    },
    '/v1/orders/{id}/cancel': {
      post: {
        tags: ['orders'],
        operationId: 'CancelOrder',
        summary: 'Cancel: release stock and refund what was paid.',
        parameters: [orderIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: ref('CancelOrderBody') } } },
        responses: { '202': statusAnswer, ...mutationErrors },
      },
    },
    '/v1/orders/{id}/refund': {
      post: {
        tags: ['orders'],
        operationId: 'RefundOrder',
        summary: 'Refund a PAID or CONFIRMED order, fully (amount absent) or partially.',
        parameters: [orderIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: ref('RefundOrderBody') } } },
        responses: { '202': statusAnswer, ...mutationErrors },
      },
    },
  },
  components: {
    schemas: {
      Int64: {
        description: 'int64 as a decimal string (a JSON number is accepted on input when it is at most 2^53-1).',
        oneOf: [{ type: 'string', pattern: '^-?[0-9]+$' }, { type: 'integer' }],
      },
      Money: {
        type: 'object',
        required: ['currency', 'amountMinor'],
        properties: {
          currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO-4217 code.' },
          amountMinor: { ...ref('Int64'), description: 'Integer amount in minor units (e.g. cents).' },
        },
      },
      OrderItem: {
        type: 'object',
        required: ['sku', 'qty', 'price'],
        properties: {
          sku: { type: 'string', minLength: 1, maxLength: API_LIMITS.skuMaxLength },
          qty: { type: 'integer', minimum: API_LIMITS.minQty, maximum: API_LIMITS.maxQty },
          price: { ...ref('Money'), description: 'Price of one unit, in the order currency.' },
        },
      },
      OrderStatus: { type: 'string', enum: [...ORDER_STATUS_ENUM] },
      Order: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          customerId: { type: 'string' },
          status: ref('OrderStatus'),
          amount: { ...ref('Money'), description: 'Order total.' },
          items: { type: 'array', items: ref('OrderItem') },
          version: { ...ref('Int64'), description: 'Stream version: number of events so far.' },
          currency: { type: 'string' },
        },
      },
      TimelineEvent: {
        type: 'object',
        properties: {
          type: { type: 'string', examples: ['OrderPlaced'] },
          reason: { type: 'string' },
          unixTime: { ...ref('Int64'), description: 'Seconds since the Unix epoch.' },
        },
      },
      CreateOrderRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['customerId', 'items'],
        properties: {
          customerId: { type: 'string', minLength: 1, maxLength: API_LIMITS.idMaxLength },
          items: { type: 'array', minItems: API_LIMITS.minItems, maxItems: API_LIMITS.maxItems, items: ref('OrderItem') },
          currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'Order currency; every item price must use it. Taken from the items when absent.' },
        },
      },
      CreateOrderResponse: { type: 'object', properties: { order: ref('Order') } },
      GetOrderResponse: {
        type: 'object',
        properties: {
          order: ref('Order'),
          timeline: { type: 'array', items: ref('TimelineEvent') },
          refunded: { ...ref('Money'), description: 'Total refunded so far, in the order currency ("0" when nothing was refunded).' },
        },
      },
      ListOrdersResponse: {
        type: 'object',
        properties: {
          orders: { type: 'array', items: ref('Order') },
          nextPageToken: { type: 'string', description: 'Empty on the last page.' },
        },
      },
      CancelOrderBody: {
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', maxLength: API_LIMITS.reasonMaxLength } },
      },
      RefundOrderBody: {
        type: 'object',
        additionalProperties: false,
        properties: {
          amount: { ...ref('Money'), description: 'Absent = refund everything not yet refunded.' },
          reason: { type: 'string', maxLength: API_LIMITS.reasonMaxLength },
        },
      },
      OrderStatusResponse: {
        type: 'object',
        properties: { orderId: { type: 'string' }, status: ref('OrderStatus') },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details.',
        required: ['type', 'title', 'status', 'code'],
        properties: {
          type: { type: 'string', format: 'uri-reference' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          code: { type: 'string', description: 'Stable machine-readable code, e.g. VALIDATION_FAILED.' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['field', 'message'],
              properties: { field: { type: 'string', examples: ['items[1].price.amountMinor'] }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;
