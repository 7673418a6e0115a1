import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Outbox } from '@oms/domain';
import { HealthRegistry } from '@oms/observability';

/** The check's name; outbox-relay's readiness uses the same one for the same figure. */
export const OUTBOX_BACKLOG_CHECK = 'outbox_backlog';

/**
 * The Go OMS's backpressure: order-api is not ready while more than OMS_OUTBOX_MAX_PENDING
 * outbox rows wait for the relay, so load balancers stop sending new orders until the relay
 * catches up, and it is ready again as soon as the backlog drains. Every replica sees the same
 * table, so they leave and return together.
 */
@Injectable()
export class OutboxBackpressureCheck implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    private readonly outbox: Outbox,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.health.list().some((check) => check.name === OUTBOX_BACKLOG_CHECK)) return;
    const maxPending = this.config.outbox.maxPending;
    this.health.register({
      name: OUTBOX_BACKLOG_CHECK,
      readiness: true,
      check: async () => {
        const { pending, oldestPendingAt } = await this.outbox.stats();
        return { up: pending <= maxPending, details: { pending, maxPending, oldestPendingAt: oldestPendingAt?.toISOString() ?? null } };
      },
    });
  }
}
