import { ADMIN_LIMITS, SAGA_KIND_ENUM, SAGA_STATUS_ENUM } from '../api/admin-api.types';
import { API_LIMITS, ORDER_STATUS_ENUM } from '../api/order-api.types';

/**
 * OpenAPI 3.1 description of the REST mirror of `oms.v1.OrderService` (proto3 JSON
 * mapping, as grpc-gateway renders it). Served by order-api at /openapi.json.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string, headers?: Record<string, object>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } } };

/**
 * Statuses any request may get before or around its handler, on every route: the request head
 * or URL does not parse (400), another method (405), too slow (408), over the rate limit (429),
 * a head above 16 KiB (431). Routes with a body add 413 and 415; routes that reach the database
 * add 500 and 503. An operation's own 400 describes its input.
 */
const transportErrors = {
  '400': problem('Malformed request: a request head or URL that cannot be parsed.'),
  '405': problem('Another method on this path; `Allow` lists the methods served.', {
    Allow: { description: 'The methods this path serves.', schema: { type: 'string' } },
  }),
  '408': problem('The request was not received completely within the request timeout; the connection is closed.'),
  '429': problem('Over the per-client rate limit (when enabled); retry after `Retry-After` seconds.', retryAfter),
  '431': problem('The request head is larger than 16 KiB; the connection is closed.'),
};
const bodyErrors = {
  '413': problem('Body larger than the configured limit.'),
  '415': problem('A body that is not `application/json`.'),
};
const storageErrors = {
  '500': problem('Unexpected error (no details are exposed).'),
  '503': problem('The database is unavailable; retry after `Retry-After` seconds with the same Idempotency-Key.', retryAfter),
};

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
    'Required on every mutation, once: 1..255 printable ASCII characters but the comma (a header given twice ' +
    'arrives joined with ", " and is refused with 400). A key names one request, its operation, order and body, ' +
    'across all operations: retrying with the same key and the same request replays the first response (status ' +
    'and body); the same key with any other request (another body, operation or order) is 422 naming the ' +
    'operation the key was first used for; a retry while the first request is still running is 409. Keys are ' +
    'kept for 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: API_LIMITS.idempotencyKeyMaxLength, pattern: '^[\\x20-\\x2B\\x2D-\\x7E]+$' },
};
const mutationErrors = {
  ...transportErrors,
  ...bodyErrors,
  ...storageErrors,
  '400': problem('Invalid input or missing Idempotency-Key (`errors` names every invalid field), or a malformed request.'),
  '409': problem('The order is not in a state that allows this, a concurrent change won, or the key is in flight.'),
  '422': problem('The Idempotency-Key was already used for another request (another body, operation or order); `detail` names the operation it was first used for.'),
};
const orderMutationErrors = { ...mutationErrors, '404': problem('No such order.') };
const statusAnswer = json('Accepted: the saga finishes the work asynchronously; poll GET /v1/orders/{id}.', ref('OrderStatusResponse'));
const docsPage = (description: string, contentType: string) => ({
  description,
  content: { [contentType]: { schema: { type: 'string' } } },
});

/** Admin routes: off (404) unless OMS_ADMIN_TOKEN is set; a bearer token on every request. */
const adminAuth = {
  '401': problem('No bearer token: send `Authorization: Bearer <OMS_ADMIN_TOKEN>`.', {
    'WWW-Authenticate': { description: 'The scheme to use: Bearer.', schema: { type: 'string' } },
  }),
  '403': problem('A bearer token that is not the admin token.'),
};
const adminReadErrors = { ...transportErrors, ...storageErrors, ...adminAuth };
const adminMutationErrors = {
  ...adminReadErrors,
  ...bodyErrors,
  '400': problem('Invalid input or missing Idempotency-Key (`errors` names every invalid field), or a malformed request.'),
  '409': problem('The saga is not in a state that allows this, a concurrent change won, or the key is in flight.'),
  '422': problem('The Idempotency-Key was already used for another request (another body, operation or saga); `detail` names the operation it was first used for.'),
};
const sagaIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: `Saga id (at most ${API_LIMITS.idMaxLength} characters).`,
  schema: { type: 'string', minLength: 1, maxLength: API_LIMITS.idMaxLength },
};
const isoTime = { type: ['string', 'null'], format: 'date-time' };

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'OMS Order API',
    version: '1.0.0',
    description:
      'REST mirror of gRPC `oms.v1.OrderService`. Bodies follow the proto3 JSON mapping: lowerCamelCase names ' +
      '(snake_case accepted on input), int64 as strings (numbers accepted on input up to 2^53-1), enums by name. ' +
      'Errors are RFC 9457 `application/problem+json`. Every GET also answers HEAD.',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'orders' },
    { name: 'admin', description: 'Operators: sagas and outbox dead letters. Off unless OMS_ADMIN_TOKEN is set; bearer token.' },
    { name: 'docs', description: 'This document and its Swagger UI page.' },
  ],
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
          ...transportErrors,
          ...storageErrors,
          '400': problem(
            'Invalid query (`errors` names every invalid parameter; a pageToken of another customerId or ' +
              'filterStatuses is refused), or a malformed request.',
          ),
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
          ...transportErrors,
          ...storageErrors,
          '400': problem('Invalid id, or a malformed request.'),
          '404': problem('No such order.'),
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
        // 422 too: a key names one request, so a key used for another operation or order is refused here as well.
        responses: { '202': statusAnswer, ...orderMutationErrors },
      },
    },
    '/v1/orders/{id}/cancel': {
      post: {
        tags: ['orders'],
        operationId: 'CancelOrder',
        summary: 'Cancel: release stock and refund what was paid.',
        parameters: [orderIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: ref('CancelOrderBody') } } },
        responses: { '202': statusAnswer, ...orderMutationErrors },
      },
    },
    '/v1/orders/{id}/refund': {
      post: {
        tags: ['orders'],
        operationId: 'RefundOrder',
        summary: 'Refund a PAID or CONFIRMED order, fully (amount absent) or partially.',
        parameters: [orderIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: ref('RefundOrderBody') } } },
        responses: { '202': statusAnswer, ...orderMutationErrors },
      },
    },
    '/v1/admin/sagas': {
      get: {
        tags: ['admin'],
        operationId: 'AdminListSagas',
        summary: 'Sagas, oldest update first, filtered by status and age, paged with an opaque token.',
        security: [{ adminToken: [] }],
        parameters: [
          { name: 'status', in: 'query', description: 'Only sagas in this status.', schema: ref('SagaStatus') },
          {
            name: 'olderThan',
            in: 'query',
            description: 'Only sagas not updated for this long: a number with ms, s, m, h or d (e.g. `15m`).',
            schema: { type: 'string', pattern: '^[0-9]+(ms|s|m|h|d)$' },
          },
          {
            name: 'pageSize',
            in: 'query',
            description: `Default ${ADMIN_LIMITS.defaultPageSize}, maximum ${ADMIN_LIMITS.maxPageSize}.`,
            schema: { type: 'integer', minimum: 0, maximum: ADMIN_LIMITS.maxPageSize, default: ADMIN_LIMITS.defaultPageSize },
          },
          { name: 'pageToken', in: 'query', description: 'nextPageToken of the previous page, with the same filters.', schema: { type: 'string' } },
          {
            name: 'orderId',
            in: 'query',
            description: 'Only the sagas of this order (the other filters still apply), all on one page, oldest first.',
            schema: { type: 'string', minLength: 1, maxLength: API_LIMITS.idMaxLength },
          },
        ],
        responses: {
          '200': json('A page of sagas.', ref('AdminSagaList')),
          ...adminReadErrors,
          '400': problem('Invalid query (`errors` names every invalid parameter; a pageToken of other filters is refused), or a malformed request.'),
        },
      },
    },
    '/v1/admin/sagas/{id}': {
      get: {
        tags: ['admin'],
        operationId: 'AdminGetSaga',
        summary: 'One saga: its state and its step history (the order events it wrote).',
        security: [{ adminToken: [] }],
        parameters: [sagaIdParameter],
        responses: {
          '200': json('The saga.', ref('AdminSagaDetail')),
          ...adminReadErrors,
          '400': problem('Invalid id, or a malformed request.'),
          '404': problem('No such saga.'),
        },
      },
    },
    '/v1/admin/sagas/{id}/retry': {
      post: {
        tags: ['admin'],
        operationId: 'AdminRetrySaga',
        summary: 'Drive the saga now; a COMPENSATION_FAILED saga runs again and retries its compensation.',
        security: [{ adminToken: [] }],
        parameters: [sagaIdParameter, idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false } } } },
        responses: {
          '202': json('Accepted: the saga orchestrator drives it at its next sweep.', ref('AdminSagaAction')),
          ...adminMutationErrors,
          '404': problem('No such saga.'),
        },
      },
    },
    '/v1/admin/sagas/{id}/resolve': {
      post: {
        tags: ['admin'],
        operationId: 'AdminResolveSaga',
        summary: 'Close a RUNNING or COMPENSATION_FAILED saga by hand (status RESOLVED); the order timeline records who and why.',
        security: [{ adminToken: [] }],
        parameters: [sagaIdParameter, idempotencyKeyParameter],
        requestBody: { required: true, content: { 'application/json': { schema: ref('ResolveSagaBody') } } },
        responses: {
          '200': json('Resolved.', ref('AdminSagaAction')),
          ...adminMutationErrors,
          '404': problem('No such saga.'),
        },
      },
    },
    '/v1/admin/dead-letters': {
      get: {
        tags: ['admin'],
        operationId: 'AdminListDeadLetters',
        summary: 'Outbox rows the broker kept refusing (dead-lettered), oldest first.',
        security: [{ adminToken: [] }],
        parameters: [
          {
            name: 'pageSize',
            in: 'query',
            description: `Default ${ADMIN_LIMITS.defaultDeadLetterLimit}, maximum ${ADMIN_LIMITS.maxDeadLetterLimit}.`,
            schema: { type: 'integer', minimum: 1, maximum: ADMIN_LIMITS.maxDeadLetterLimit, default: ADMIN_LIMITS.defaultDeadLetterLimit },
          },
        ],
        responses: {
          '200': json('The oldest dead letters and how many more there are.', ref('AdminDeadLetters')),
          ...adminReadErrors,
          '400': problem('Invalid query, or a malformed request.'),
        },
      },
    },
    '/v1/admin/dead-letters/reprocess': {
      post: {
        tags: ['admin'],
        operationId: 'AdminReprocessDeadLetters',
        summary: 'Set the oldest dead letters pending again: the relay republishes them in order.',
        security: [{ adminToken: [] }],
        parameters: [idempotencyKeyParameter],
        requestBody: { required: false, content: { 'application/json': { schema: ref('ReprocessDeadLettersBody') } } },
        responses: {
          '202': json('Accepted: the rows set pending again.', ref('AdminDeadLetters')),
          ...adminMutationErrors,
        },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['docs'],
        operationId: 'GetOpenApiDocument',
        summary: 'This document.',
        responses: { '200': json('The OpenAPI document.', { type: 'object' }), ...transportErrors },
      },
    },
    '/docs': {
      get: {
        tags: ['docs'],
        operationId: 'GetApiDocsPage',
        summary: 'This document rendered by Swagger UI.',
        responses: { '200': docsPage('The Swagger UI page.', 'text/html'), ...transportErrors },
      },
    },
    '/docs/docs-init.js': {
      get: {
        tags: ['docs'],
        operationId: 'GetApiDocsInitializer',
        summary: 'The script that points Swagger UI at /openapi.json.',
        responses: { '200': docsPage('The script.', 'application/javascript'), ...transportErrors },
      },
    },
    '/docs/{asset}': {
      get: {
        tags: ['docs'],
        operationId: 'GetApiDocsAsset',
        summary: 'A file of Swagger UI (served from the installed package, no CDN).',
        parameters: [
          {
            name: 'asset',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'] },
          },
        ],
        responses: {
          '200': {
            description: 'The file.',
            content: {
              'text/css': { schema: { type: 'string' } },
              'application/javascript': { schema: { type: 'string' } },
              'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
            },
          },
          ...transportErrors,
          '404': problem('No such file.'),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      adminToken: { type: 'http', scheme: 'bearer', description: 'OMS_ADMIN_TOKEN (admin routes only).' },
    },
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
      SagaStatus: { type: 'string', enum: [...SAGA_STATUS_ENUM] },
      AdminSaga: {
        type: 'object',
        required: ['id', 'orderId', 'kind', 'status', 'step', 'attempts', 'lastError', 'nextAttemptAt', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string' },
          orderId: { type: 'string' },
          kind: { type: 'string', enum: [...SAGA_KIND_ENUM] },
          status: ref('SagaStatus'),
          step: { type: ['string', 'null'], description: 'The partner step it waits on: reserve, charge, release or refund.' },
          attempts: { type: 'integer', description: 'Transient failures of that step so far.' },
          lastError: { type: ['string', 'null'] },
          nextAttemptAt: { ...isoTime, description: 'When the orchestrator drives it next; null once it has ended.' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      AdminSagaList: {
        type: 'object',
        properties: {
          sagas: { type: 'array', items: ref('AdminSaga') },
          nextPageToken: { type: 'string', description: 'Empty on the last page.' },
        },
      },
      AdminSagaDetail: {
        type: 'object',
        properties: {
          saga: {
            allOf: [
              ref('AdminSaga'),
              {
                type: 'object',
                properties: {
                  deadlineAt: isoTime,
                  version: { type: 'integer' },
                  state: { type: 'object', description: 'The saga decider state as stored.' },
                },
              },
            ],
          },
          history: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                type: { type: 'string', examples: ['OrderStockReserved'] },
                reason: { type: 'string' },
                occurredAt: { type: 'string', format: 'date-time' },
                version: { type: 'integer' },
              },
            },
          },
        },
      },
      AdminSagaAction: { type: 'object', properties: { saga: ref('AdminSaga') } },
      ResolveSagaBody: {
        type: 'object',
        additionalProperties: false,
        required: ['note'],
        properties: {
          note: { type: 'string', minLength: 1, maxLength: ADMIN_LIMITS.noteMaxLength, description: 'Why; recorded on the order timeline.' },
          operator: { type: 'string', minLength: 1, maxLength: ADMIN_LIMITS.operatorMaxLength, description: 'Who (default admin-api).' },
        },
      },
      AdminDeadLetter: {
        type: 'object',
        properties: {
          id: ref('Int64'),
          messageId: { type: 'string' },
          topic: { type: 'string' },
          key: { type: 'string' },
          partition: { type: 'integer' },
          attempts: { type: 'integer' },
          lastError: { type: ['string', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      AdminDeadLetters: {
        type: 'object',
        properties: {
          deadLetters: { type: 'array', items: ref('AdminDeadLetter') },
          remaining: { type: 'integer', description: 'Dead letters left beyond these.' },
        },
      },
      ReprocessDeadLettersBody: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: {
            type: 'integer',
            minimum: 1,
            maximum: ADMIN_LIMITS.maxDeadLetterLimit,
            default: ADMIN_LIMITS.defaultDeadLetterLimit,
            description: 'At most this many, oldest first.',
          },
        },
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
