import { Injectable } from '@nestjs/common';
import type { ListOrdersResponseJson } from '@oms/contracts';
import { DomainError, OrderProjection, isDomainError } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseListOrders, type ListOrdersInput } from '../validation/order-input.parser';
import { toOrderJson } from './order.presenter';

/** ListOrders: one customer's orders from the projection, newest first, keyset-paged. */
@Injectable()
export class ListOrdersHandler {
  constructor(private readonly projection: OrderProjection) {}

  async handle(query: unknown): Promise<ListOrdersResponseJson> {
    const violations = new Violations();
    const input = parseListOrders(query, violations);
    violations.throwIfAny();
    const { customerId, pageSize, pageToken, statuses } = input as ListOrdersInput;
    try {
      const page = await this.projection.list({ customerId, statuses, limit: pageSize, cursor: pageToken });
      return { orders: page.orders.map(toOrderJson), nextPageToken: page.nextCursor ?? '' };
    } catch (error) {
      if (isDomainError(error) && error.code === 'VALIDATION_FAILED' && error.violations.length === 0) {
        // The store only knows the cursor is bad; the client knows it as pageToken.
        throw new DomainError('VALIDATION_FAILED', 'invalid request: pageToken', [
          { field: 'pageToken', message: 'is not a token from a previous page' },
        ]);
      }
      throw error;
    }
  }
}
