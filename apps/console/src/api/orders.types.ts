// The public REST API's bodies (proto3 JSON mapping), as the contracts declare them: type-only, so
// nothing of the server's code reaches the bundle.
export type {
  GetOrderResponseJson,
  ListOrdersResponseJson,
  MoneyJson,
  OrderJson,
  OrderStatusName,
  ProblemJson,
  TimelineEventJson,
} from '@oms/contracts';
