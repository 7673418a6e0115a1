import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import type {
  CreateOrderResponseJson,
  GetOrderResponseJson,
  ListOrdersResponseJson,
  OrderStatusResponseJson,
} from '@oms/contracts';
import { CancelOrderHandler } from '../application/cancel-order.handler';
import { GetOrderHandler } from '../application/get-order.handler';
import { ListOrdersHandler } from '../application/list-orders.handler';
import type { MutationContext, MutationResult } from '../application/mutation-context';
import { PayOrderHandler } from '../application/pay-order.handler';
import { PlaceOrderHandler } from '../application/place-order.handler';
import { RefundOrderHandler } from '../application/refund-order.handler';
import { httpStatusOf } from './http/http-status';

type Headers = Record<string, string | string[] | undefined>;

/** The part of a Fastify reply the controller uses (the status of a replayed answer varies). */
interface StatusReply {
  status(code: number): unknown;
}

const mutationContext = (headers: Headers): MutationContext => {
  const traceparent = headers['traceparent'];
  return {
    transport: 'rest',
    idempotencyKey: headers['idempotency-key'],
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
};

function answer<TBody>(reply: StatusReply, result: MutationResult<TBody>): TBody {
  reply.status(httpStatusOf(result));
  return result.body;
}

/** REST mirror of oms.v1.OrderService: translates HTTP to one handler call and back, nothing more. */
@Controller('v1/orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderHandler,
    private readonly getOrder: GetOrderHandler,
    private readonly listOrders: ListOrdersHandler,
    private readonly payOrder: PayOrderHandler,
    private readonly cancelOrder: CancelOrderHandler,
    private readonly refundOrder: RefundOrderHandler,
  ) {}

  @Post()
  async create(
    @Headers() headers: Headers,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: StatusReply,
  ): Promise<CreateOrderResponseJson> {
    return answer(reply, await this.placeOrder.handle(mutationContext(headers), body));
  }

  @Get()
  list(@Query() query: unknown): Promise<ListOrdersResponseJson> {
    return this.listOrders.handle(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<GetOrderResponseJson> {
    return this.getOrder.handle({ transport: 'rest' }, id);
  }

  @Post(':id/pay')
  async pay(
    @Param('id') id: string,
    @Headers() headers: Headers,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: StatusReply,
  ): Promise<OrderStatusResponseJson> {
    return answer(reply, await this.payOrder.handle(mutationContext(headers), id, body));
  }

  @Post(':id/cancel')
  async cancel(
    @Param('id') id: string,
    @Headers() headers: Headers,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: StatusReply,
  ): Promise<OrderStatusResponseJson> {
    return answer(reply, await this.cancelOrder.handle(mutationContext(headers), id, body));
  }

  @Post(':id/refund')
  async refund(
    @Param('id') id: string,
    @Headers() headers: Headers,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: StatusReply,
  ): Promise<OrderStatusResponseJson> {
    return answer(reply, await this.refundOrder.handle(mutationContext(headers), id, body));
  }
}
