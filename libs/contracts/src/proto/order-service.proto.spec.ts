import { loadSync } from '@grpc/proto-loader';
import { INVENTORY_PROTO, ORDER_SERVICE_PROTO, PAYMENT_PROTO, protoPath, protoRoot } from './proto-path';

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label: string;
  typeName: string;
}
type Loaded = Record<string, { type?: { field?: FieldDescriptor[]; value?: { name: string; number: number }[] }; [method: string]: unknown }>;

const load = (file: string): Loaded => loadSync(protoPath(file), { keepCase: true, includeDirs: [protoRoot()] }) as unknown as Loaded;

/** name=number[:type] of every field, the way DESIGN.md's wire table lists them. */
function fieldsOf(loaded: Loaded, message: string): string[] {
  const fields = loaded[message]?.type?.field;
  if (!fields) throw new Error(`message ${message} not found`);
  return fields.map((field) => {
    const type = field.type === 'TYPE_MESSAGE' || field.type === 'TYPE_ENUM' ? field.typeName : field.type.replace('TYPE_', '').toLowerCase();
    return `${field.name}=${field.number}:${field.label === 'LABEL_REPEATED' ? 'repeated ' : ''}${type}`;
  });
}

describe('oms.v1 order_service.proto (wire contract of the Go OMS)', () => {
  const v1 = load(ORDER_SERVICE_PROTO);

  it.each([
    ['oms.v1.Money', ['currency=1:string', 'amount_minor=2:int64']],
    ['oms.v1.OrderItem', ['sku=1:string', 'qty=2:int32', 'price=3:Money']],
    [
      'oms.v1.Order',
      ['id=1:string', 'customer_id=2:string', 'status=3:OrderStatus', 'amount=4:Money', 'items=5:repeated OrderItem', 'version=6:int64', 'currency=7:string'],
    ],
    ['oms.v1.TimelineEvent', ['type=1:string', 'reason=2:string', 'unix_time=3:int64']],
    ['oms.v1.CreateOrderRequest', ['customer_id=1:string', 'items=2:repeated OrderItem', 'currency=3:string']],
    ['oms.v1.CreateOrderResponse', ['order=1:Order']],
    ['oms.v1.GetOrderRequest', ['order_id=1:string']],
    // refunded=3 is an addition to the Go contract (docs/events.md and the proto say so).
    ['oms.v1.GetOrderResponse', ['order=1:Order', 'timeline=2:repeated TimelineEvent', 'refunded=3:Money']],
    ['oms.v1.ListOrdersRequest', ['customer_id=1:string', 'page_size=2:int32', 'page_token=3:string', 'filter_statuses=4:repeated OrderStatus']],
    ['oms.v1.ListOrdersResponse', ['orders=1:repeated Order', 'next_page_token=2:string']],
    ['oms.v1.PayOrderRequest', ['order_id=1:string']],
    ['oms.v1.PayOrderResponse', ['order_id=1:string', 'status=2:OrderStatus']],
    ['oms.v1.CancelOrderRequest', ['order_id=1:string', 'reason=2:string']],
    ['oms.v1.CancelOrderResponse', ['order_id=1:string', 'status=2:OrderStatus']],
    ['oms.v1.RefundOrderRequest', ['order_id=1:string', 'amount=2:Money', 'reason=3:string']],
    ['oms.v1.RefundOrderResponse', ['order_id=1:string', 'status=2:OrderStatus']],
  ])('%s has the fields and numbers of the contract', (message, fields) => {
    expect(fieldsOf(v1, message)).toEqual(fields);
  });

  it('numbers OrderStatus as the Go OMS did', () => {
    expect(v1['oms.v1.OrderStatus']?.type?.value?.map(({ name, number }) => `${name}=${number}`)).toEqual([
      'ORDER_STATUS_UNSPECIFIED=0',
      'ORDER_STATUS_PENDING=1',
      'ORDER_STATUS_RESERVED=2',
      'ORDER_STATUS_PAID=3',
      'ORDER_STATUS_CONFIRMED=4',
      'ORDER_STATUS_CANCELED=5',
      'ORDER_STATUS_REFUNDED=6',
    ]);
  });

  it('declares the six methods of oms.v1.OrderService', () => {
    expect(Object.keys(v1['oms.v1.OrderService'] as object).sort()).toEqual(
      ['CancelOrder', 'CreateOrder', 'GetOrder', 'ListOrders', 'PayOrder', 'RefundOrder'].sort(),
    );
  });
});

describe('partner protos', () => {
  it.each([
    [INVENTORY_PROTO, 'oms.partners.v1.ReserveRequest'],
    [INVENTORY_PROTO, 'oms.partners.v1.ReleaseRequest'],
    [PAYMENT_PROTO, 'oms.partners.v1.PayRequest'],
    [PAYMENT_PROTO, 'oms.partners.v1.RefundRequest'],
  ])('%s: %s carries an idempotency key as field 1', (file, message) => {
    expect(fieldsOf(load(file), message)[0]).toBe('idempotency_key=1:string');
  });
});

describe('protoPath', () => {
  it('finds the proto files from source', () => {
    expect(protoPath(ORDER_SERVICE_PROTO)).toMatch(/libs[\\/]contracts[\\/]src[\\/]proto[\\/]oms[\\/]v1[\\/]order_service\.proto$/);
  });
  it('refuses paths that leave the proto root, and names what it could not find', () => {
    expect(() => protoPath('../index.ts')).toThrow(/relative to the proto root/);
    expect(() => protoPath('oms/v9/missing.proto')).toThrow(/not found/);
  });
});
